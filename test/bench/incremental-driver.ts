// One backup run of the incremental benchmark, in its own process: the product's backupOrg (the
// core both entry points call) into a backup branch of a git remote, or into a local folder. The
// CLI cannot target a branch yet, so this is the product without its argument parsing. Prints the
// result (mode, rows, API calls, each object's rows, the time spent in fetchPrevious and publish)
// as one JSON line on stdout; progress goes to stderr with timestamps.
//   node incremental-driver.ts --remote file:///…/remote.git --work DIR
//   node incremental-driver.ts --out DIR --work DIR
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { backupOrg } from '../../src/backup/run.ts';
import { orgCredentialsSchema } from '../../src/config/credentials.ts';
import type { StorageTarget } from '../../src/storage/contracts.ts';
import { createStorageTarget } from '../../src/storage/index.ts';

const { values } = parseArgs({ options: { remote: { type: 'string' }, out: { type: 'string' }, work: { type: 'string' } } });
if (!values.work || (!values.remote && !values.out)) throw new Error('usage: incremental-driver.ts (--remote URL | --out DIR) --work DIR');
const credentials = orgCredentialsSchema.parse({
  loginUrl: process.env.SF_LOGIN_URL,
  clientId: process.env.SF_CLIENT_ID,
  clientSecret: process.env.SF_CLIENT_SECRET,
  refreshToken: process.env.SF_REFRESH_TOKEN,
});
const t0 = performance.now();
const stamp = () => `+${((performance.now() - t0) / 1000).toFixed(2)}s`;
const log = { info: (m: string) => process.stderr.write(`${stamp()} ${m}\n`), warning: (m: string) => process.stderr.write(`${stamp()} warning: ${m}\n`) };
mkdirSync(values.work, { recursive: true });
const workDir = mkdtempSync(path.join(values.work, 'run-'));
const inner = values.remote
  ? createStorageTarget({ type: 'branch', remoteUrl: values.remote }, { tempDir: workDir, log, mask: () => {} })
  : createStorageTarget({ type: 'local', dir: values.out as string });
// Timed delegation: how long the target's own steps take, apart from the backup's.
const phases = { fetchPrevious_s: 0, publish_s: 0 };
const timed = async <T>(key: keyof typeof phases, fn: () => Promise<T>): Promise<T> => {
  const t = performance.now();
  try {
    return await fn();
  } finally {
    phases[key] = Number(((performance.now() - t) / 1000).toFixed(3));
    log.info(`[bench] ${key} took ${phases[key]} s`);
  }
};
const target: StorageTarget = {
  kind: inner.kind,
  onShrink: inner.onShrink,
  fetchPrevious: (alias, dir) => timed('fetchPrevious_s', () => inner.fetchPrevious(alias, dir)),
  fetchSnapshot: (alias, ref, dir) => inner.fetchSnapshot(alias, ref, dir),
  publish: (alias, staging, message, options) => timed('publish_s', () => inner.publish(alias, staging, message, options)),
};
try {
  const result = await backupOrg({
    alias: 'bench',
    credentials,
    target,
    workDir,
    // Never forced full by the cadence: the second run is incremental unless the base is unusable.
    fullEvery: 1000,
    apiBudgetShare: 1,
    massDelete: { share: 0.5, minRows: 100 },
    toolVersion: 'bench',
    log,
  });
  const objects = (result.manifest?.objects ?? []).map((o) => ({ name: o.name, rows: o.rows, mode: o.mode }));
  process.stdout.write(
    `${JSON.stringify({
      mode: result.mode,
      modeReason: result.modeReason,
      rows: result.rows,
      apiCalls: result.apiCalls,
      durationMs: result.durationMs,
      published: result.published?.location ?? null,
      diff: result.diff?.totals ?? null,
      failed: result.failedObjects.length,
      objects,
      ...phases,
    })}\n`,
  );
  if (result.failedObjects.length || result.stopped || !result.published) process.exitCode = 1;
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
