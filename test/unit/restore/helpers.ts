// What the restore tests share: a full backup of an emulated org with the product, and the
// snapshot's live rows of an object.
import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { backupOrg } from '../../../src/backup/run.ts';
import { orgCredentialsSchema } from '../../../src/config/credentials.ts';
import { readObjectRows } from '../../../src/snapshot/index.ts';
import { LocalTarget } from '../../../src/storage/local.ts';
import type { Emulator } from '../../emulators/salesforce/emulator.ts';
import { creds } from '../../helpers/emulator.ts';

export type Row = Record<string, string>;

/**
 * Backs `alias` up in full into a local target at `out` (scratch in `workDir`); only `include` when
 * given. Returns the snapshot's folder (its `latest`, resolved).
 */
export async function backupSnapshot(emu: Emulator, o: { alias?: string; out: string; workDir: string; include?: string[] }): Promise<string> {
  const alias = o.alias ?? 'prod';
  const r = await backupOrg({
    alias,
    credentials: orgCredentialsSchema.parse(creds(emu, alias)),
    target: new LocalTarget({ dir: o.out }),
    workDir: o.workDir,
    ...(o.include ? { include: o.include } : {}),
    fullEvery: 1,
    apiBudgetShare: 1,
    massDelete: { share: 1, minRows: 1_000_000 },
    toolVersion: 'test',
    exportTuning: { pollIntervalMs: 1, maxPollIntervalMs: 1 },
    log: { info: () => {}, warning: () => {} },
    progress: () => {},
  });
  assert.ok(r.published);
  return realpathSync(path.join(o.out, alias, 'latest'));
}

/** The snapshot's live rows of an object (rows it holds from the Recycle Bin left out), by Id. */
export async function liveRows(snapshot: string, object: string): Promise<Map<string, Row>> {
  const m = new Map<string, Row>();
  for await (const r of readObjectRows(snapshot, object)) if (r.IsDeleted !== 'true') m.set(r.Id as string, r);
  return m;
}
