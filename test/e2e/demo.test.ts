// `npm run demo` is the first thing a newcomer runs: it must keep working as the emulator grows.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { runNode } from '../helpers/dist.ts';

test('npm run demo logs in, counts records per object, lists Accounts and exits 0', async () => {
  const run = await runNode(path.resolve(import.meta.dirname, '../../scripts/demo.ts'), [], {});
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /Logged in with the refresh token through src\/salesforce\/connection\.ts: org 00D\w{15}/);
  assert.match(run.stdout, /^ {2}Account +\d+$/m);
  const total = /^ {2}total +(\d+)$/m.exec(run.stdout);
  assert.ok(total && Number(total[1]) > 0, 'a total of counted records');
  const accounts = run.stdout.split('\n').filter((l) => /^ {2}001\w{15} {2}"/.test(l));
  assert.equal(accounts.length, 5);
  assert.doesNotMatch(run.stdout, /not countable/);
});
