// The benchmark harness end to end at a tiny size: it starts its own emulator, runs every
// contender and prints one JSON result line last. Figures are not asserted, only their shape.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { resultSchema } from '../../bench/backup.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

function bench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', path.join(ROOT, 'test/bench/main.ts'), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
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
