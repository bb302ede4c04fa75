// One org's backup, start to end: log in, fetch the last good snapshot from the target, choose full
// or incremental, export into a staging dir through the snapshot writer, verify what was staged,
// compare with the previous snapshot, and publish only when every object made it. The action and the
// CLI both call this; neither does anything it cannot.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { OrgCredentials } from '../config/credentials.ts';
import { SalesforceError } from '../runtime/auth-errors.ts';
import { describeFailure } from '../runtime/errors.ts';
import { connectChecked, type OrgSession } from '../salesforce/auth/connection.ts';
import { excludedBySelection } from '../salesforce/export/describe.ts';
import { type ExportProgress, type ExportResult, exportOrg } from '../salesforce/export/export.ts';
import {
  createSnapshotWriter,
  diffSnapshots,
  type FileStamp,
  loadManifest,
  type Manifest,
  resolveSnapshotDir,
  SnapshotCorruptError,
  type SnapshotDiff,
  type SnapshotWriter,
  stagedStampsPath,
  stampFiles,
  verifySnapshot,
  writeStamps,
} from '../snapshot/index.ts';
import type { PublishResult, StorageTarget } from '../storage/contracts.ts';
import { findMassDeletes, type MassDelete, type MassDeleteRule } from './mass-delete.ts';
import { ProgressReporter } from './progress.ts';

export interface BackupLog {
  info(message: string): void;
  warning(message: string): void;
}

export interface BackupOptions {
  alias: string;
  credentials: OrgCredentials;
  /** A session already logged in (the action's token lifecycle); otherwise backupOrg logs in itself. */
  session?: OrgSession;
  target: StorageTarget;
  /** Scratch space for the previous snapshot and the staging dir; removed at the end unless `keepStaging`. */
  workDir: string;
  /** A full export every N runs (1 = always); the runs in between are incremental. */
  fullEvery: number;
  /** Force a full export this run. */
  full?: boolean;
  apiBudgetShare: number;
  massDelete: MassDeleteRule;
  /** Publish a run that drops objects or mass-deletes rows even into a target that keeps no other copy. */
  allowShrink?: boolean;
  include?: string[];
  exclude?: string[];
  excludeFields?: string[];
  toolVersion: string;
  log: BackupLog;
  /** Every secret the login produces (access tokens, rotated refresh tokens) goes here before use. */
  onSecret?: (value: string) => void;
  /** Lines of progress while objects export (default: log.info). */
  progress?: (line: string) => void;
  now?: () => number;
  /** Export knobs passed straight to the exporter (tests, benchmarks). */
  exportTuning?: {
    concurrency?: number;
    maxRecords?: number;
    pollIntervalMs?: number;
    maxPollIntervalMs?: number;
    requestTimeoutMs?: number;
    waitNoticeMs?: number;
  };
}

export interface BackupResult {
  alias: string;
  orgId: string;
  instanceUrl: string;
  mode: 'full' | 'incremental';
  /** Why this run is full, when it is (`no previous snapshot`, `every 7 runs`, …). */
  modeReason: string;
  startedAt: string;
  durationMs: number;
  objects: number;
  rows: number;
  bytes: number;
  files: number;
  apiCalls: number;
  apiUsage?: { used: number; max: number };
  previousLocation?: string;
  diff?: SnapshotDiff;
  massDeletes: MassDelete[];
  /** Objects of the previous snapshot that this one does not have (never silent). */
  droppedObjects: DroppedObject[];
  /** Set when the run was not published because it would shrink the only copy (exit 11 `held`). */
  held?: string;
  failedObjects: { name: string; error: string }[];
  /** Set when the run ended early on purpose (the API budget), with the reason. */
  stopped?: string;
  published?: PublishResult;
  manifest?: Manifest;
  /** The rotated refresh token, when the org rotated it during the run (store it!). */
  rotatedRefreshToken?: string;
}

interface Staged {
  writer: SnapshotWriter;
  manifest: Manifest;
  exported: ExportResult;
  failedObjects: { name: string; error: string }[];
  stopped: string | undefined;
  exportFailures: number;
  unverified: number;
}

function decideMode(previous: Manifest | undefined, orgId: string, o: BackupOptions): { mode: 'full' | 'incremental'; reason: string } {
  if (!previous) return { mode: 'full', reason: 'no previous snapshot' };
  if (o.full) return { mode: 'full', reason: 'a full run was asked for' };
  if (previous.orgId !== orgId) return { mode: 'full', reason: `the previous snapshot is of another org (${previous.orgId})` };
  if (previous.runsSinceFull + 1 >= o.fullEvery) return { mode: 'full', reason: `a full run every ${o.fullEvery} runs` };
  return { mode: 'incremental', reason: `${previous.runsSinceFull + 1} of ${o.fullEvery - 1} incremental runs before the next full one` };
}

export async function backupOrg(o: BackupOptions): Promise<BackupResult> {
  const now = o.now ?? Date.now;
  const t0 = now();
  const startedAt = new Date(t0).toISOString();
  const log = o.log;
  // SFBACKUP_TIMING=1: where a run's time goes, one line per step (docs/performance.md).
  const tick = process.env.SFBACKUP_TIMING === '1' ? stepTimer(log) : () => {};

  // A sandbox token at the production login host looks revoked; connectChecked asks the other host.
  const session = o.session ?? (await connectChecked(o.credentials, o.onSecret ? { onSecret: o.onSecret } : {}));
  log.info(`Logged in to org ${session.orgId} (${o.alias}) at ${session.instanceUrl}.`);

  const prevDir = path.join(o.workDir, 'previous');
  const stagingDir = path.join(o.workDir, 'staging');
  await mkdir(prevDir, { recursive: true });

  const previous = await o.target.fetchPrevious(o.alias, prevDir);
  let previousManifest: Manifest | undefined;
  // The base's files as the check below found them good: the writer uses them without hashing again.
  const baseStamps = new Map<string, FileStamp>();
  if (previous) {
    try {
      tick('fetched the previous snapshot');
      previousManifest = await loadManifest(previous.dir, o.alias);
      // A corrupt base would be merged into every later snapshot: check it before trusting it.
      // Checksums suffice: matching bytes are the ones that passed the full check when written.
      // A file whose stamp holds (the local target keeps the stamps of the files the last run
      // checked: same inode, size and mtime since) is not read again, so an unchanged org does
      // not cost a read of the whole base every run (src/snapshot/stamps.ts says what that
      // trusts). The check hands the writer a stamp of each file it found good; the writer hashes
      // any base file it merges or links whose stamp no longer holds.
      const checked = await verifySnapshot(previous.dir, { alias: o.alias, checksumsOnly: true, trustStamps: true, stampsOut: baseStamps });
      tick(`checked the previous snapshot (${checked.files - (checked.trustedFiles ?? 0)} files hashed, ${checked.trustedFiles ?? 0} by stamp)`);
      log.info(`Previous snapshot: ${previous.location} (${previousManifest.mode}, finished ${previousManifest.finishedAt}).`);
    } catch (err) {
      // An unreadable previous snapshot must not stop today's backup: take a full one instead.
      previousManifest = undefined;
      log.warning(`The previous snapshot at ${previous.location} cannot be trusted (${(err as Error).message}); taking a full backup.`);
    }
  } else {
    log.info('No previous snapshot: this is the first backup of this org in this target.');
  }

  const decided = decideMode(previousManifest, session.orgId, o);
  let { mode, reason } = decided;
  log.info(`Mode: ${mode} (${reason}).`);

  const stage = async (runMode: 'full' | 'incremental'): Promise<Staged> => {
    await rm(stagingDir, { recursive: true, force: true });
    await mkdir(stagingDir, { recursive: true });
    const writer = await createSnapshotWriter(
      stagingDir,
      { orgId: session.orgId, alias: o.alias, instanceUrl: session.instanceUrl, apiVersion: o.credentials.apiVersion, mode: runMode, startedAt },
      // Full runs get the base too: it only lends them its bucket layout, so a reconciling full run
      // rewrites the same files instead of reshuffling every row into new ones.
      previous && previousManifest ? { base: resolveSnapshotDir(previous.dir, o.alias), baseStamps } : {},
    );
    const progress = new ProgressReporter(o.progress ?? log.info, { now });
    const opened = new Set<string>();
    const exported = await exportOrg(
      session.conn,
      (schema, sinkOptions) => {
        const sink = writer.object(schema, sinkOptions);
        opened.add(schema.name);
        return sink;
      },
      {
        // Only incremental runs export against the base; a full run just shares its bucket layout.
        ...(runMode === 'incremental' && writer.base ? { base: writer.base } : {}),
        ...(o.include ? { include: o.include } : {}),
        ...(o.exclude ? { exclude: o.exclude } : {}),
        ...(o.excludeFields ? { excludeFields: o.excludeFields } : {}),
        apiShare: o.apiBudgetShare,
        ...(o.exportTuning ?? {}),
        onProgress: (p: ExportProgress) => {
          if (p.phase === 'rows') progress.update(p.object, p.rows, p.rowsPerSec);
          else if (p.phase === 'done') progress.objectDone(p.object, p.rows, `${p.fullExport ? 'exported' : 'merged'} via ${p.api ?? '?'}`, p.rowsPerSec);
          else if (p.phase === 'failed') progress.objectFailed(p.object);
        },
        onRetry: (object, err) => log.info(`Retrying${object ? ` ${object}` : ''} after a transient error: ${(err as Error).message ?? String(err)}`),
        onNotice: (message) => log.info(message),
      },
    );

    tick('exported');
    const failed = exported.objects.filter((r) => r.status === 'failed');
    for (const f of failed) log.warning(`${f.name} failed: ${f.error ? describeFailure(f.error) : 'unknown error'}`);
    const stopped = exported.budgetExceeded ? describeFailure(exported.budgetExceeded) : undefined;
    if (stopped) log.warning(stopped);
    const manifest = await writer.finish({
      toolVersion: o.toolVersion,
      failedObjects: failed.filter((f) => !opened.has(f.name)).map((f) => ({ name: f.name, error: f.error?.message ?? 'failed' })),
    });
    const failedObjects = [...manifest.failedObjects];
    log.info(`Snapshot: ${manifest.totals.objects} objects, ${manifest.totals.rows} rows; fetched ${progress.finish()}.`);

    // The staged snapshot is checked like any other before it can replace the last good one; an
    // object that does not check out is reported as failed, so the run fails without publishing.
    let unverified = 0;
    try {
      // The writer counted, sorted and hashed every file as it wrote it; re-parsing each CSV here
      // cost as much as the export. Checksums and row totals catch a lost or damaged file. Files
      // linked from the base are the base's own, checked above: only new files are read again.
      const report = await verifySnapshot(writer.dir, { checksumsOnly: true, trust: writer.linked });
      const linked = report.trustedFiles ? ` (${report.trustedFiles} unchanged, linked from the previous snapshot)` : '';
      log.info(`Verified the staged snapshot: ${report.files} files${linked}, ${report.rows} rows, checksums and counts match.`);
      // Stamps of what was just checked, for the next run's check of its base (a local target keeps
      // them). Only a saving: without them the next run hashes its base.
      const files = manifest.objects.flatMap((x) => x.files);
      await stampFiles(writer.dir, files)
        .then((stamps) => writeStamps(stagedStampsPath(stagingDir, o.alias), stamps))
        .catch(() => rm(stagedStampsPath(stagingDir, o.alias), { force: true }).catch(() => undefined));
      tick('verified the staged snapshot');
    } catch (err) {
      if (!(err instanceof SnapshotCorruptError)) throw err;
      for (const p of err.problems) {
        unverified++;
        const name = p.object ?? '(snapshot)';
        const message = `the new snapshot failed verification: ${p.file ? `${p.file}: ` : ''}${p.message}`;
        const existing = failedObjects.find((f) => f.name === name);
        if (existing) existing.error += `; ${message}`;
        else failedObjects.push({ name, error: message });
        log.warning(`${name}: ${message}`);
      }
    }
    return { writer, manifest, exported, failedObjects, stopped, exportFailures: failed.length, unverified };
  };

  let staged = await stage(mode);
  let apiCalls = staged.exported.apiCallsUsed;
  // An incremental merge that does not add up (Salesforce reports a deletion minutes late, say) is
  // not worth a failed night: the same run takes a full export instead, once.
  if (mode === 'incremental' && staged.unverified > 0 && staged.exportFailures === 0 && !staged.stopped) {
    log.warning('The incremental snapshot did not match the org; taking a full export instead.');
    mode = 'full';
    reason = 'the incremental snapshot did not match the org';
    staged = await stage('full');
    apiCalls += staged.exported.apiCallsUsed;
  }
  const { writer, manifest, exported, failedObjects, stopped } = staged;

  let diff: SnapshotDiff | undefined;
  let massDeletes: MassDelete[] = [];
  let droppedObjects: DroppedObject[] = [];
  if (previous && previousManifest && failedObjects.length === 0) {
    // Merged objects bring their counts from the merge; only objects exported in full are compared.
    diff = await diffSnapshots(resolveSnapshotDir(previous.dir, o.alias), writer.dir, { known: writer.mergeCounts });
    tick('compared with the previous snapshot');
    massDeletes = findMassDeletes(previousManifest, manifest, o.massDelete);
    if (!stopped) droppedObjects = findDroppedObjects(previousManifest, manifest, o);
  }
  for (const d of droppedObjects) log.warning(`${d.name} (${d.rows} rows in the previous snapshot) is not in this snapshot: ${droppedReasonText(d.reason)}.`);
  const shrink = shrinkReason(droppedObjects, massDeletes);

  const result: BackupResult = {
    alias: o.alias,
    orgId: session.orgId,
    instanceUrl: session.instanceUrl,
    mode,
    modeReason: reason,
    startedAt,
    durationMs: 0,
    objects: manifest.totals.objects,
    rows: manifest.totals.rows,
    bytes: manifest.totals.bytes,
    files: manifest.totals.files,
    apiCalls,
    ...(exported.apiMax !== null && exported.apiRemaining !== null
      ? { apiUsage: { used: exported.apiMax - exported.apiRemaining, max: exported.apiMax } }
      : {}),
    ...(previous ? { previousLocation: previous.location } : {}),
    ...(diff ? { diff } : {}),
    massDeletes,
    droppedObjects,
    failedObjects,
    ...(stopped ? { stopped } : {}),
    manifest,
    ...(session.rotatedRefreshToken ? { rotatedRefreshToken: session.rotatedRefreshToken } : {}),
  };

  if (failedObjects.length === 0 && !stopped && shrink && o.target.onShrink === 'hold' && !o.allowShrink) {
    result.held = `this run ${shrink}, and the ${o.target.kind} target keeps no other copy once the previous one (${previous?.location ?? 'none'}) expires`;
    log.warning(`Held, not published: ${result.held}. Check the selection and the org; if the change is intended, re-run with allow-shrink (--allow-shrink).`);
  } else if (failedObjects.length === 0 && !stopped) {
    const message = `Salesforce backup of ${o.alias} (${session.orgId}): ${mode}, ${manifest.totals.objects} objects, ${manifest.totals.rows} rows`;
    const pinPrevious = shrink ? `the run after it ${shrink}` : undefined;
    result.published = await o.target.publish(o.alias, stagingDir, message, { disposable: true, ...(pinPrevious ? { pinPrevious } : {}) });
    tick('published');
    log.info(`Published: ${result.published.location}.`);
    if (result.published.pinned) log.warning(`Kept ${result.published.pinned.path} for good (KEPT.json): ${result.published.pinned.reason}.`);
    else if (shrink && o.target.onShrink === 'history') log.info(`This run ${shrink}; the previous snapshot stays in the ${o.target.kind}'s history.`);
    for (const p of result.published.pruned ?? []) log.info(`Retention removed ${p}.`);
  } else {
    log.warning(`Not published: the last good snapshot${previous ? ` (${previous.location})` : ''} stays as it was.`);
  }
  result.durationMs = now() - t0;
  return result;
}

function stepTimer(log: BackupLog): (step: string) => void {
  const start = performance.now();
  let last = start;
  return (step) => {
    const t = performance.now();
    log.info(`[timing] ${step}: ${((t - last) / 1000).toFixed(2)} s (at ${((t - start) / 1000).toFixed(2)} s)`);
    last = t;
  };
}

/** For callers that turn a result into an exit status: the run failed when an object failed, it stopped early or it was held. */
export function backupFailed(r: BackupResult): boolean {
  return r.failedObjects.length > 0 || r.stopped !== undefined || r.held !== undefined;
}

export interface DroppedObject {
  name: string;
  /** Rows it had in the previous snapshot. */
  rows: number;
  /** `excluded`: the selection leaves it out now; `not_exportable`: the org no longer offers it to this user. */
  reason: 'excluded' | 'not_exportable';
}

export function droppedReasonText(reason: DroppedObject['reason']): string {
  return reason === 'excluded' ? 'excluded by the selection' : 'no longer exportable or not visible to this user (renamed, deleted, or access lost)';
}

/** Objects the previous snapshot had and this one lacks, with why when the selection tells. */
export function findDroppedObjects(
  previous: Manifest,
  current: Manifest,
  selection: { include?: string[] | undefined; exclude?: string[] | undefined },
): DroppedObject[] {
  const now = new Set(current.objects.map((x) => x.name.toLowerCase()));
  const sel = { ...(selection.include ? { include: selection.include } : {}), ...(selection.exclude ? { exclude: selection.exclude } : {}) };
  return previous.objects
    .filter((x) => !now.has(x.name.toLowerCase()))
    .map((x) => ({ name: x.name, rows: x.rows, reason: excludedBySelection(x.name, sel) ? ('excluded' as const) : ('not_exportable' as const) }));
}

/** `dropped 2 objects (Lead, Case) and mass-deleted rows in Account`, or undefined when nothing shrank. */
function shrinkReason(dropped: DroppedObject[], massDeletes: MassDelete[]): string | undefined {
  const parts: string[] = [];
  if (dropped.length) parts.push(`dropped ${dropped.length} object(s) (${dropped.map((d) => d.name).join(', ')})`);
  if (massDeletes.length) parts.push(`lost rows past the mass-delete rule in ${massDeletes.map((m) => m.object).join(', ')}`);
  return parts.length ? parts.join(' and ') : undefined;
}

export function isSalesforceError(err: unknown): err is SalesforceError {
  return err instanceof SalesforceError;
}
