// The backup branch's publish step touches only the files that changed: an unchanged bucket stays the
// file git checked out (same inode, same mtime), so `git add` does not hash it again.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { syncSnapshot } from '../../../src/storage/branch.ts';

const work = mkdtempSync(path.join(tmpdir(), 'branch-sync-'));
after(() => rmSync(work, { recursive: true, force: true }));

function snapshot(dir: string, files: Record<string, string>, digests: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  const objects = [{ name: 'Account', files: Object.entries(digests).map(([p, sha256]) => ({ path: p, sha256 })) }];
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ objects }));
}

test('unchanged data files stay in place; changed ones are copied; gone ones are removed', async () => {
  const dest = path.join(work, 'tip');
  const source = path.join(work, 'staged');
  snapshot(
    dest,
    { 'data/Account/a.csv': 'Id\n1\n', 'data/Account/b.csv': 'Id\n2\n', 'data/Account/c.csv': 'Id\n3\n' },
    { 'data/Account/a.csv': 'aaa', 'data/Account/b.csv': 'bbb', 'data/Account/c.csv': 'ccc' },
  );
  snapshot(
    source,
    { 'data/Account/a.csv': 'Id\n1\n', 'data/Account/b.csv': 'Id\n2\n22\n', 'data/Account/d.csv': 'Id\n4\n', 'schema/Account.json': '{}' },
    { 'data/Account/a.csv': 'aaa', 'data/Account/b.csv': 'bbb2', 'data/Account/d.csv': 'ddd' },
  );
  const kept = statSync(path.join(dest, 'data/Account/a.csv'));
  await syncSnapshot(source, dest);
  const a = statSync(path.join(dest, 'data/Account/a.csv'));
  assert.equal(a.ino, kept.ino, 'the unchanged file was replaced');
  assert.equal(a.mtimeMs, kept.mtimeMs, 'the unchanged file was rewritten');
  assert.equal(readFileSync(path.join(dest, 'data/Account/b.csv'), 'utf8'), 'Id\n2\n22\n');
  assert.equal(readFileSync(path.join(dest, 'data/Account/d.csv'), 'utf8'), 'Id\n4\n');
  assert.ok(existsSync(path.join(dest, 'schema/Account.json')));
  assert.ok(!existsSync(path.join(dest, 'data/Account/c.csv')), 'a file the new snapshot lacks is still there');
  assert.equal(readFileSync(path.join(dest, 'manifest.json'), 'utf8'), readFileSync(path.join(source, 'manifest.json'), 'utf8'));
});

test('without a readable tip manifest every file is copied', async () => {
  const dest = path.join(work, 'tip2');
  const source = path.join(work, 'staged2');
  mkdirSync(path.join(dest, 'data/Account'), { recursive: true });
  writeFileSync(path.join(dest, 'data/Account/a.csv'), 'stale');
  writeFileSync(path.join(dest, 'manifest.json'), 'not json');
  snapshot(source, { 'data/Account/a.csv': 'Id\n1\n' }, { 'data/Account/a.csv': 'aaa' });
  await syncSnapshot(source, dest);
  assert.equal(readFileSync(path.join(dest, 'data/Account/a.csv'), 'utf8'), 'Id\n1\n');
});
