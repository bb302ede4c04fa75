// `npm run demo` is the first thing a newcomer runs: it backs an emulated org up with the CLI, verifies
// the snapshot, and says where it is. It must keep working as the product grows.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { runNode } from '../helpers/dist.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'demo-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('npm run demo backs up the demo org with the CLI, verifies it and says where the snapshot is', async () => {
  const run = await runNode(path.resolve(import.meta.dirname, '../../scripts/demo.ts'), [dir], {});
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /Backed up org 00D\w{15} \(demo\): full run/);
  assert.match(run.stdout, /^ {2}Account +\d+ rows$/m);
  assert.match(run.stdout, /every checksum and count matches/);
  const snapshot = path.join(dir, 'demo', 'latest');
  assert.ok(run.stdout.includes(`The snapshot is in ${path.join(dir, 'demo')}${path.sep}`));
  const manifest = JSON.parse(readFileSync(path.join(snapshot, 'manifest.json'), 'utf8')) as { totals: { rows: number } };
  assert.ok(manifest.totals.rows > 0);
  assert.ok(existsSync(path.join(snapshot, 'data', 'Account')));
});
