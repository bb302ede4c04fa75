// Restoring records from a backup into an org, whichever entry point asks (`command: restore` in the
// action, `sfbackup restore`). It fetches the snapshot (a folder, or one snapshot of an org's storage
// target: latest, a date, a commit, an artifact), logs in to the target org through the token
// lifecycle (a rotated token is stored first), compares the snapshot with the live org into a plan
// (src/restore/plan.ts: nothing written), and only when asked applies it (src/restore/apply.ts).
// A production org is written to only when the request allows it.
import path from 'node:path';
import { loadConfig, type ResolvedOrg, selectOrg } from '../config/index.ts';
import { applyPlan } from '../restore/apply.ts';
import type { RestoreMode, RestorePlan, RestoreResult, RestoreSelection } from '../restore/contracts.ts';
import { planRestore } from '../restore/plan.ts';
import { MisconfiguredError } from '../runtime/auth-errors.ts';
import { createWorkDir } from '../runtime/workdir.ts';
import type { OrgSession } from '../salesforce/auth/connection.ts';
import { outcomeError } from '../salesforce/auth/outcome.ts';
import { createStorageTarget } from '../storage/index.ts';
import { type OrgSource, resolveOrgSource, type StorageDefaults, storageContextOf, storageFor } from './backup-org.ts';
import { type LifecycleSettings, OrgLifecycle } from './org-lifecycle.ts';
import type { Reporter } from './reporter.ts';

export type SnapshotSource =
  /** A snapshot folder on disk (`DIR`, `DIR/<alias>`, `DIR/<alias>/latest` or a dated folder). */
  | { kind: 'folder'; dir: string; alias?: string | undefined }
  /** One snapshot of a configured org, from its storage target. */
  | { kind: 'target'; alias: string; ref: string };

export interface RestoreRequest {
  /** The org written to (and, for a `target` snapshot without another org named, the org backed up). */
  target: OrgSource;
  snapshot: SnapshotSource;
  /** Where a `target` snapshot's org config lives, for its storage. */
  config?: { file: string; displayName: string } | undefined;
  storage: StorageDefaults;
  mode: RestoreMode;
  selection: RestoreSelection;
  /** The key of fake and hash masking; derived from the org Ids when absent. A secret. */
  maskKey?: string | undefined;
  /** Without it the run is a dry run: the plan is written, the org is not. */
  apply: boolean;
  /**
   * Called with the plan before it is applied (never for a dry run): a caller's last check, such
   * as the action's that a resumed run continues the same restore. Throwing stops the run unwritten.
   */
  beforeApply?: ((plan: RestorePlan) => void | Promise<void>) | undefined;
  /** Writing to a production org needs this; a dry run never does. */
  allowProduction: boolean;
  /** The plan (`plan/`) and the results (`results/`) go here. */
  reportDir: string;
  baseDir: string;
  tempDir: string;
  lifecycle: LifecycleSettings;
  githubToken?: string | undefined;
}

export interface RestoreReport {
  snapshotLocation: string;
  target: { alias: string; orgId: string; sandbox: boolean | null };
  planDir: string;
  plan: RestorePlan;
  /** Absent for a dry run. */
  result?: RestoreResult;
  resultsDir?: string;
}

/** Is the org a sandbox? null when Salesforce does not say (a My Domain org we cannot read). */
async function isSandbox(session: OrgSession): Promise<boolean | null> {
  try {
    const r = await session.conn.query<{ IsSandbox: boolean }>('SELECT IsSandbox FROM Organization');
    const v = r.records[0]?.IsSandbox;
    return typeof v === 'boolean' ? v : null;
  } catch {
    return null;
  }
}

export async function runRestore(request: RestoreRequest, reporter: Reporter): Promise<RestoreReport> {
  const org: ResolvedOrg = resolveOrgSource(request.target, reporter);
  if (request.maskKey) reporter.mask(request.maskKey);
  const work = createWorkDir(request.tempDir, `restore-${org.alias}`, (m) => reporter.info(m));
  try {
    // The snapshot first: a wrong reference costs no login.
    let snapshotDir: string;
    let snapshotAlias: string | undefined;
    let snapshotLocation: string;
    if (request.snapshot.kind === 'folder') {
      snapshotDir = path.resolve(request.baseDir, request.snapshot.dir);
      snapshotAlias = request.snapshot.alias;
      snapshotLocation = snapshotDir;
    } else {
      const from = request.snapshot.alias;
      let storageOrg: ResolvedOrg = org;
      if (from.toLowerCase() !== org.alias.toLowerCase()) {
        if (!request.config)
          throw new MisconfiguredError({ reason: 'bad_input', message: `The snapshot's org ${from} is not configured.`, remedy: 'Name an org of the config.' });
        const config = loadConfig(request.config.file, request.config.displayName);
        const source = selectOrg(config, from, request.config.displayName);
        storageOrg = { ...org, alias: source.alias, storage: source.storage ?? config.defaults?.storage };
      }
      const storage = storageFor(storageOrg, request.storage, request.baseDir);
      const target = createStorageTarget(storage, storageContextOf(request, reporter));
      const fetched = await target.fetchSnapshot(storageOrg.alias, request.snapshot.ref, work.dir);
      snapshotDir = fetched.dir;
      snapshotAlias = storageOrg.alias;
      snapshotLocation = fetched.location;
    }
    reporter.info(`Snapshot: ${snapshotLocation}.`);

    const life = await OrgLifecycle.open(org, { ...request.lifecycle, publishStatus: false, openIssues: false }, reporter);
    const auth = await life.authenticate();
    if (!auth.session) throw outcomeError(auth.outcome);
    const session = auth.session;
    reporter.mask(session.conn.accessToken ?? '');
    const sandbox = await isSandbox(session);
    if (request.apply && sandbox !== true && !request.allowProduction) {
      throw new MisconfiguredError({
        reason: 'bad_input',
        message: `Org ${org.alias} is ${sandbox === false ? 'a production org' : 'not known to be a sandbox'}: a restore writes to it only when that is allowed explicitly.`,
        remedy:
          'Run the dry run first and read the plan; then allow it (the action: allow-production: true, in a GitHub environment that requires a reviewer; sfbackup: --allow-production).',
      });
    }

    const planDir = path.join(request.reportDir, 'plan');
    const resultsDir = path.join(request.reportDir, 'results');
    const plan = await planRestore({
      snapshotDir,
      ...(snapshotAlias ? { alias: snapshotAlias } : {}),
      session,
      mode: request.mode,
      selection: request.selection,
      ...(request.maskKey ? { maskKey: request.maskKey } : {}),
      // A report folder reused (a second run, a resumed one) plans against what it already did.
      earlierResults: resultsDir,
      planDir,
      workDir: work.dir,
      log: { info: (m) => reporter.info(m), warning: (m) => reporter.warning(m) },
    });
    const report: RestoreReport = { snapshotLocation, target: { alias: org.alias, orgId: session.orgId, sandbox }, planDir, plan };
    if (!request.apply) return report;
    await request.beforeApply?.(plan);

    const result = await applyPlan({
      planDir,
      snapshotDir,
      ...(snapshotAlias ? { alias: snapshotAlias } : {}),
      session,
      resultsDir,
      workDir: work.dir,
      ...(request.maskKey ? { maskKey: request.maskKey } : {}),
      log: { info: (m) => reporter.info(m), warning: (m) => reporter.warning(m) },
    });
    // A token rotated while the restore ran is stored before the run ends.
    const settled = await life.settle();
    if (settled.state !== 'ok') throw outcomeError(settled);
    return { ...report, result, resultsDir };
  } finally {
    work.remove();
  }
}
