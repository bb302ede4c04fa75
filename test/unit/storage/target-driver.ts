// Runs storage-target operations in their own process, so the environment @actions/artifact reads
// at import time is exactly the job's (see test/unit/github-emulator/artifact-client.ts). Usage:
//   node target-driver.ts '<json array of operations>'
// Prints whatever the targets print, then one `RESULT <json>` line.
import type { StorageConfig, StorageContext } from '../../../src/storage/index.ts';

export type DriverOp =
  | { op: 'publish'; config: StorageConfig; context?: StorageContext; alias: string; stagingDir: string; message: string }
  | { op: 'fetchPrevious'; config: StorageConfig; context?: StorageContext; alias: string; workDir: string };

export type DriverResult =
  | { ok: true; value: unknown }
  | { ok: false; error: { name: string; message: string; reason?: string; remedy?: string; state?: string } };

const ops = JSON.parse(process.argv[2] ?? '[]') as DriverOp[];
const { createStorageTarget, StorageError } = await import('../../../src/storage/index.ts');

const results: DriverResult[] = [];
for (const o of ops) {
  try {
    const target = createStorageTarget(o.config, o.context);
    const value = o.op === 'publish' ? await target.publish(o.alias, o.stagingDir, o.message) : await target.fetchPrevious(o.alias, o.workDir);
    results.push({ ok: true, value: value ?? null });
  } catch (err) {
    const e = err as Error;
    results.push({
      ok: false,
      error: {
        name: e.name,
        message: e.message,
        ...(err instanceof StorageError ? { reason: err.reason, remedy: err.remedy, state: err.state } : {}),
      },
    });
  }
}
process.stdout.write(`\nRESULT ${JSON.stringify(results)}\n`);
