// The benchmark harness end to end at a tiny size: it starts its own emulator, runs every
// contender and prints one JSON result line last. Figures are not asserted, only their shape.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { resultSchema } from '../../bench/backup.ts';
import { incrementalResultSchema } from '../../bench/incremental.ts';
import { type Ran, runNode } from '../../helpers/dist.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** The harness as `npm run bench` runs it: the whole environment, from the repository root. */
function bench(args: string[]): Promise<Ran> {
  const env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
  return runNode(path.join(ROOT, 'test/bench/main.ts'), args, env, { cwd: ROOT });
}

test('bench backup at 300 records prints one JSON result line with every contender measured', async () => {
  // Three objects keep the Salesforce CLI (about a second of start-up per object) short.
  const r = await bench(['backup', '--records', '300', '--entry', 'src', '--objects', 'Account,Contact,Task']);
  assert.equal(r.code, 0, r.stderr);
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  const result = resultSchema.parse(JSON.parse(last));
  assert.deepEqual(Object.keys(JSON.parse(last)), ['records', 'ours_s', 'sf_s', 'raw_s', 'ours_rps', 'sf_rps', 'ratio_vs_sf', 'ratio_vs_raw', 'peak_rss_mb']);
  assert.ok(result.records > 0, 'rows were exported');
  for (const k of ['ours_s', 'sf_s', 'ours_rps', 'sf_rps', 'ratio_vs_sf', 'ratio_vs_raw', 'peak_rss_mb'] as const) {
    assert.equal(typeof result[k], 'number', `${k} measured`);
  }
  assert.doesNotMatch(r.stderr, /WARNING/, 'every contender exported the same rows');
});

test('bench incremental at 300 records prints one JSON result line with the contract keys in order', async () => {
  const r = await bench(['incremental', '--records', '300', '--change', '5', '--entry', 'src']);
  assert.equal(r.code, 0, r.stderr);
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  const result = incrementalResultSchema.parse(JSON.parse(last));
  assert.deepEqual(Object.keys(JSON.parse(last)), [
    'records',
    'change_pct',
    'full_s',
    'incremental_s',
    'share_of_full',
    'api_calls_full',
    'api_calls_incremental',
    'branch_growth_bytes',
    'changed_rows_gzip_bytes',
    'growth_ratio',
    'peak_rss_mb',
  ]);
  assert.ok(result.records > 0 && result.api_calls_incremental > 0 && result.changed_rows_gzip_bytes > 20, last);
  assert.doesNotMatch(r.stderr, /WARNING: the second run was full/, 'the second run was incremental');
});
