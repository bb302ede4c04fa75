import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { verifySnapshot } from '../../../src/snapshot/index.ts';
import { tempDir } from './helpers.ts';

const exec = promisify(execFile);

test('a 300k-row object (~170 MB of CSV) is written with a heap capped far below its size', async (t) => {
  const staging = await tempDir(t);
  // Holding the object in memory would need well over 160 MB of heap; the child would crash.
  const { stdout } = await exec(
    process.execPath,
    ['--max-old-space-size=160', '--disable-warning=ExperimentalWarning', join(import.meta.dirname, 'fixtures', 'write-many.ts'), staging, '300000'],
    { maxBuffer: 1 << 20 },
  );
  const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { rows: number; bytes: number; peakHeapMb: number };
  assert.equal(result.rows, 300_000);
  assert.ok(result.bytes > 160 * 2 ** 20, `wrote ${result.bytes} bytes`);
  assert.ok(result.peakHeapMb < 160, `peak heap ${result.peakHeapMb} MB`);
  t.diagnostic(`peak heap ${result.peakHeapMb} MB for ${Math.round(result.bytes / 2 ** 20)} MB of CSV`);
  const report = await verifySnapshot(staging);
  assert.equal(report.rows, 300_000);
});
