// `sfbackup`: the product's commands on a laptop (bundled to dist/cli.js, the package's bin).
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { formatMassDeletes } from '../backup/mass-delete.ts';
import { formatBytes, formatCount, formatDuration } from '../backup/progress.ts';
import { type BackupResult, backupFailed, backupOrg, droppedReasonText } from '../backup/run.ts';
import { TOOL_VERSION } from '../backup/version.ts';
import { orgCredentialsSchema, parseSettings } from '../config/credentials.ts';
import { describeFailure, failureState, ProductError, type ProductState } from '../runtime/errors.ts';
import { classifyDiskFull, type DiskPlaces } from '../runtime/io.ts';
import { acquireLock, localLockFile } from '../runtime/lock.ts';
import { createWorkDir, type WorkDir } from '../runtime/workdir.ts';
import { checkOrg } from '../salesforce/auth/check.ts';
import { diffSnapshots, SnapshotCorruptError, verifySnapshot } from '../snapshot/index.ts';
import { createStorageTarget } from '../storage/index.ts';
import { leftoversAround } from '../storage/local.ts';
import { runReauthCommand } from './reauth.ts';
import { runRotateAppCommand } from './rotate-app.ts';

const VERSION = TOOL_VERSION;

/** Exit codes, so scripts can tell "fix the settings" from "log in again" from "try later". */
export const EXIT = {
  ok: 0,
  failed: 1,
  misconfigured: 2,
  reauth_required: 3,
  app_pending: 4,
  transient: 5,
  incomplete: 6,
  corrupt: 7,
  rotation_write_failed: 8,
  // Local trouble, not Salesforce's: no room (or no write access) in the staging folder or the output.
  disk_full: 9,
  // Another run is backing up the same org into the same place (see src/runtime/lock.ts).
  locked: 10,
  // The run would drop objects, or rows past the mass-delete rule, from a target that keeps no other
  // copy of them: held until the user confirms with --allow-shrink (allow-shrink in the action).
  held: 11,
  // Ctrl-C during `sfbackup reauth` (128 + SIGINT); reauth answers it itself, this is the fallback.
  aborted: 130,
} as const satisfies Record<ProductState | 'ok', number>;

const HELP = `sfbackup ${VERSION}: back up Salesforce orgs into your own GitHub repository.

Usage: sfbackup <command> [options]

Commands:
  check             Log in to one org with a refresh token; print the org id, instance and API usage.
  backup --out DIR  Back up one org into DIR/<alias>/<UTC time>/ (a snapshot: manifest.json, schema/,
                    data/); DIR/<alias>/latest points at the newest. A snapshot is published only
                    when every object made it; the newest --keep of them are kept.
  verify DIR        Check a snapshot (DIR, DIR/<alias>, DIR/<alias>/latest or a dated folder) against
                    its manifest: every file's sha256, row counts, Id order and buckets; and list
                    what killed runs left next to it.
  diff OLD NEW      Rows added, changed and deleted per object between two snapshots of one org.
  reauth --org ALIAS  Log in to one org in the browser (OAuth with PKCE), verify the new refresh token
                    and store it in the org's GitHub secret. "sfbackup reauth --help" lists its options.
  rotate-app --client-id NEW --client-secret NEW
                    Store a new Connected App consumer key and secret in the org config's secrets and
                    start a re-authorization campaign for the orgs of the old app ("sfbackup
                    rotate-app --help" lists its options).

Login options for check and backup (each also read from the environment variable named):
  --login-url URL        SF_LOGIN_URL       https://login.salesforce.com (default), https://test.salesforce.com
                                            for sandboxes, or the org's My Domain URL
  --client-id KEY        SF_CLIENT_ID       Consumer Key of the Connected App
  --client-secret SECRET SF_CLIENT_SECRET   Consumer Secret of the Connected App
  --refresh-token TOKEN  SF_REFRESH_TOKEN   the org's refresh token
  --api-version V        SF_API_VERSION     Salesforce API version (default 62.0)

  Prefer the environment variables for secrets: command lines are visible to other processes.

Options for backup:
  --out DIR              SF_BACKUP_DIR      where snapshots go (required)
  --alias NAME                              the org's folder name (default: org)
  --incremental                             fetch only what changed since the snapshot in DIR (plus
                                            deletions); a full export every 7th run
  --full-every N                            like --incremental, with a full export every N runs
  --full                                    a full export now, whatever the schedule
  --include A,B          objects (or patterns like *__c) to back up; default: every exportable object
  --exclude A,B          objects (or patterns) to leave out
  --exclude-fields O.F   fields to leave out: Object.Field or *.Field, comma-separated
  --api-budget-share P   stop before the org's daily API usage passes P (default 50%)
  --mass-delete-threshold P  flag objects that lost more than P of their rows (default 10%, and
                         at least --mass-delete-min-rows, default 100)
  --concurrency N        objects exported at the same time (default 6)
  --keep N               dated snapshots kept in DIR/<alias>/ (default 7); a snapshot that was the
                         newest before a run that dropped objects or mass-deleted rows is kept for
                         good (KEPT.json in it) whatever N is
  --allow-shrink         publish a run that drops objects or mass-deletes rows into a target that
                         keeps no other copy (the local folder keeps one: it always publishes and pins)
  --wait-lock SECONDS    when another run is backing up the same org into DIR, wait up to SECONDS
                         for it to finish instead of stopping at once (exit 10)

Other options:
  --json                 print the result (check, backup, verify, diff) as JSON on stdout
  -h, --help             this text
  -v, --version          the version

Exit codes: 0 ok, 1 unexpected failure, 2 usage or configuration error, 3 re-authorization required,
4 Connected App not active yet (retry within 10 minutes), 5 temporary failure (retry later),
6 backup incomplete (objects failed or the API budget ran out; nothing was replaced),
7 the snapshot failed verification, 8 the org rotated its refresh token and the new one could not be
stored, 9 the disk is full (or not writable) where the snapshot is staged or published,
10 another run is backing up the same org into the same place, 11 held: the run would drop objects or
mass-delete rows from the only copy (check, then re-run with --allow-shrink).
`;

const FLAG_ENV = {
  loginUrl: ['login-url', 'SF_LOGIN_URL'],
  clientId: ['client-id', 'SF_CLIENT_ID'],
  clientSecret: ['client-secret', 'SF_CLIENT_SECRET'],
  refreshToken: ['refresh-token', 'SF_REFRESH_TOKEN'],
  apiVersion: ['api-version', 'SF_API_VERSION'],
} as const;

/** A command line this CLI cannot run: exit 2 like every other configuration error. */
class UsageError extends ProductError<'usage'> {
  override readonly name = 'UsageError';
  readonly state = 'misconfigured';
  constructor(message: string) {
    super({ reason: 'usage', message, remedy: 'run "sfbackup --help" for usage' });
  }
}

type Values = ReturnType<typeof parse>['values'];

// A reader that stops early (`sfbackup diff … | head -1`) closes the pipe. What is left to print has
// nowhere to go, and that is no failure of the command: like the usual Unix tools, drop the rest
// quietly (no EPIPE stack trace) and finish with the command's own exit code.
const closed = { stdout: false, stderr: false };
for (const [name, stream] of [
  ['stdout', process.stdout],
  ['stderr', process.stderr],
] as const) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    closed[name] = true;
  });
}
const out = (line = '') => {
  if (!closed.stdout) process.stdout.write(`${line}\n`);
};
const err = (line = '') => {
  if (!closed.stderr) process.stderr.write(`${line}\n`);
};

/** Where a backup writes, so the top-level handler can say which disk is full (staging or output). */
const diskPlaces: DiskPlaces = {};
/** `--json` was given to check/backup/verify/diff: a failure is also one JSON object on stdout. */
let jsonFailures = false;
/** Secret values from the flags and the environment, kept out of failure messages. */
const secretValues: string[] = [];

function credentials(values: Values, env: NodeJS.ProcessEnv) {
  const raw: Record<string, string | undefined> = {};
  const names: Record<string, string> = {};
  for (const [key, [flag, envName]] of Object.entries(FLAG_ENV)) {
    raw[key] = (values[flag] as string | undefined) || env[envName] || undefined;
    names[key] = `--${flag} (or ${envName})`;
  }
  return parseSettings(orgCredentialsSchema, raw, names);
}

function list(v: string | undefined): string[] | undefined {
  const items = v
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items?.length ? items : undefined;
}

function share(v: string | undefined, flag: string, fallback: number): number {
  if (v === undefined) return fallback;
  const pct = v.endsWith('%');
  const n = Number(pct ? v.slice(0, -1) : v);
  const value = pct || n > 1 ? n / 100 : n;
  if (!Number.isFinite(n) || value <= 0 || value > 1) throw new UsageError(`${flag} must be a percentage above 0 and up to 100, e.g. 50%`);
  return value;
}

function positiveInt(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a whole number of at least 1`);
  return n;
}

async function runCheck(values: Values, env: NodeJS.ProcessEnv): Promise<number> {
  const creds = credentials(values, env);
  const result = await checkOrg(creds);
  if (values.json) {
    out(JSON.stringify({ authState: 'ok', ...result }));
  } else {
    const u = result.apiUsage;
    out(`Logged in to org ${result.orgId} as user ${result.userId}.`);
    out(`Instance:     ${result.instanceUrl}`);
    out(`API version:  ${result.apiVersion}`);
    out(`API requests: ${u.used} of ${u.limit} in the last 24 hours (${u.remaining} left)`);
  }
  if (result.refreshTokenRotated) {
    err('Warning: the org rotated the refresh token; the one you passed no longer works. Re-authorize, or turn rotation off for the app.');
  }
  return EXIT.ok;
}

async function runBackup(values: Values, env: NodeJS.ProcessEnv): Promise<number> {
  const outDir = (values.out as string | undefined) || env.SF_BACKUP_DIR;
  if (!outDir) throw new UsageError('backup needs --out DIR (or SF_BACKUP_DIR): the folder the snapshot goes to');
  const alias = (values.alias as string | undefined) ?? 'org';
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(alias)) throw new UsageError('--alias must be letters, digits, - or _');
  const fullEveryFlag = positiveInt(values['full-every'] as string | undefined, '--full-every');
  const fullEvery = fullEveryFlag ?? (values.incremental ? 7 : 1);
  const creds = credentials(values, env);
  const concurrency = positiveInt(values.concurrency as string | undefined, '--concurrency');
  const minRows = values['mass-delete-min-rows'] === undefined ? 100 : Number(values['mass-delete-min-rows']);
  if (!Number.isInteger(minRows) || minRows < 0) throw new UsageError('--mass-delete-min-rows must be a whole number');
  const waitLock = values['wait-lock'] === undefined ? 0 : Number(values['wait-lock']);
  if (!Number.isFinite(waitLock) || waitLock < 0) throw new UsageError('--wait-lock must be a number of seconds');

  const keep = positiveInt(values.keep as string | undefined, '--keep') ?? 7;
  const target = createStorageTarget(
    { type: 'local', dir: path.resolve(outDir), keep },
    { log: { info: err, warning: (m) => err(`Warning: ${m}`) }, mask: () => {} },
  );
  diskPlaces.output = path.resolve(outDir);
  // One run at a time per org and folder (exit 10 otherwise), held until the snapshot is published.
  const lock = await acquireLock({
    file: localLockFile(outDir, alias),
    target: `the backup of ${alias} into ${path.resolve(outDir)}`,
    command: `sfbackup backup --out ${path.resolve(outDir)} --alias ${alias}`,
    waitSeconds: waitLock,
    waitHint: '--wait-lock SECONDS',
    log: { info: err, warning: (m) => err(`Warning: ${m}`) },
  });
  diskPlaces.staging = tmpdir();
  let work: WorkDir | undefined;
  let result: BackupResult;
  try {
    work = createWorkDir(tmpdir(), alias, err);
    const workDir = work.dir;
    diskPlaces.staging = workDir;
    const include = list(values.include as string | undefined);
    const exclude = list(values.exclude as string | undefined);
    const excludeFields = list(values['exclude-fields'] as string | undefined);
    result = await backupOrg({
      alias,
      credentials: creds,
      target,
      workDir,
      fullEvery,
      full: Boolean(values.full),
      apiBudgetShare: share(values['api-budget-share'] as string | undefined, '--api-budget-share', 0.5),
      massDelete: { share: share(values['mass-delete-threshold'] as string | undefined, '--mass-delete-threshold', 0.1), minRows },
      allowShrink: Boolean(values['allow-shrink']),
      ...(include ? { include } : {}),
      ...(exclude ? { exclude } : {}),
      ...(excludeFields ? { excludeFields } : {}),
      toolVersion: VERSION,
      // Progress and notes go to stderr so stdout stays the result (and --json stays parseable).
      log: { info: err, warning: (m) => err(`Warning: ${m}`) },
      ...(concurrency ? { exportTuning: { concurrency } } : {}),
    });
  } finally {
    work?.remove();
    lock.release();
  }

  const failed = backupFailed(result);
  if (values.json) {
    const { manifest: _m, rotatedRefreshToken: _r, ...rest } = result;
    out(JSON.stringify({ ...rest, snapshot: result.published?.path ?? null }));
  } else {
    out(`Backed up org ${result.orgId} (${alias}): ${result.mode} run (${result.modeReason}).`);
    out(`  objects     ${formatCount(result.objects)}`);
    out(`  rows        ${formatCount(result.rows)}`);
    out(`  bytes       ${formatBytes(result.bytes)}`);
    out(`  duration    ${formatDuration(result.durationMs)}`);
    out(`  API calls   ${formatCount(result.apiCalls)}${result.apiUsage ? ` (org: ${result.apiUsage.used} of ${result.apiUsage.max} today)` : ''}`);
    if (result.diff) {
      const t = result.diff.totals;
      out(`  changes     +${formatCount(t.added)} added, ~${formatCount(t.changed)} changed, -${formatCount(t.deleted)} deleted since the last snapshot`);
    } else if (result.previousLocation) out('  changes     not compared: the run failed, so it was not checked against the previous snapshot');
    else out('  changes     first snapshot');
    out(`  snapshot    ${result.published ? result.published.location : `NOT published${result.held ? ' (held)' : ''}: the previous snapshot is unchanged`}`);
    if (result.massDeletes.length) out(`  MASS DELETE ${formatMassDeletes(result.massDeletes)}`);
    if (result.droppedObjects.length)
      out(`  DROPPED     ${result.droppedObjects.map((d) => `${d.name} (${formatCount(d.rows)} rows, ${droppedReasonText(d.reason)})`).join('; ')}`);
    if (result.published?.pinned) out(`  kept        ${result.published.pinned.path} for good (KEPT.json): ${result.published.pinned.reason}`);
    for (const p of result.published?.pruned ?? []) out(`  removed     ${p} (older than the newest ${keep})`);
  }
  for (const f of result.failedObjects) err(`Failed: ${f.name}: ${f.error}`);
  if (result.held) err(`Held: ${result.held}. Nothing was published. If the change is intended, re-run with --allow-shrink.`);
  if (result.stopped) err(`Stopped: ${result.stopped}`);
  if (result.rotatedRefreshToken)
    err('Warning: the org rotated the refresh token; the one you passed no longer works. Re-authorize, or turn rotation off for the app.');
  if (result.held) return EXIT.held;
  return failed ? EXIT.incomplete : EXIT.ok;
}

async function runVerify(dir: string, values: Values): Promise<number> {
  try {
    const report = await verifySnapshot(path.resolve(dir));
    // What killed runs left next to the snapshot does not make it less intact: warn, exit 0.
    const leftovers = leftoversAround(report.dir);
    for (const l of leftovers)
      err(`Warning: leftover ${l.path}: ${l.what}${l.running ? ` (run ${l.pid} is still going)` : '; the next backup into this folder removes it'}.`);
    if (values.json) out(JSON.stringify({ ok: true, ...report, leftovers }));
    else {
      out(`Snapshot ${report.dir} is intact: org ${report.orgId}, ${report.mode} run finished ${report.finishedAt}.`);
      out(
        `  ${formatCount(report.objects.length)} objects, ${formatCount(report.rows)} rows, ${formatCount(report.files)} files, ${formatBytes(report.bytes)}; every checksum and count matches.`,
      );
      const failed = report.objects.filter((o) => o.status === 'failed');
      if (failed.length) out(`  Objects marked failed in this snapshot: ${failed.map((o) => o.name).join(', ')}`);
    }
    return EXIT.ok;
  } catch (e) {
    if (e instanceof SnapshotCorruptError) {
      if (values.json) out(JSON.stringify({ ...failureJson(e, EXIT.corrupt), dir: e.dir, problems: e.problems }));
      err(`sfbackup: ${describeFailure(e)}`);
      return EXIT.corrupt;
    }
    throw e;
  }
}

async function runDiff(oldDir: string, newDir: string, values: Values): Promise<number> {
  const diff = await diffSnapshots(path.resolve(oldDir), path.resolve(newDir), { idLimit: values.json ? 100 : 0 });
  if (values.json) {
    out(JSON.stringify(diff));
    return EXIT.ok;
  }
  const width = Math.max(6, ...diff.objects.map((o) => o.name.length));
  out(`${'object'.padEnd(width)}  ${'rows'.padStart(10)}  ${'added'.padStart(8)}  ${'changed'.padStart(8)}  ${'deleted'.padStart(8)}`);
  for (const o of diff.objects) {
    if (o.presence === 'both' && o.added + o.changed + o.deleted === 0) continue;
    const note = o.presence === 'both' ? (o.fieldsChanged ? '  (fields changed)' : '') : `  (${o.presence})`;
    out(
      `${o.name.padEnd(width)}  ${formatCount(o.newRows).padStart(10)}  ${`+${formatCount(o.added)}`.padStart(8)}  ${`~${formatCount(o.changed)}`.padStart(8)}  ${`-${formatCount(o.deleted)}`.padStart(8)}${note}`,
    );
  }
  const t = diff.totals;
  out(
    `${'total'.padEnd(width)}  ${formatCount(t.newRows).padStart(10)}  ${`+${formatCount(t.added)}`.padStart(8)}  ${`~${formatCount(t.changed)}`.padStart(8)}  ${`-${formatCount(t.deleted)}`.padStart(8)}`,
  );
  return EXIT.ok;
}

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  collectSecrets(argv, env);
  // reauth has options of its own (src/cli/reauth.ts).
  if (argv[0] === 'reauth') return runReauthCommand(argv.slice(1), env, { out, err });
  if (argv[0] === 'rotate-app') return runRotateAppCommand(argv.slice(1), env, { out, err });
  let parsed: ReturnType<typeof parse>;
  // Known before parsing, so a usage error is JSON too.
  jsonFailures = argv.includes('--json');
  try {
    parsed = parse(argv);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  jsonFailures = Boolean(values.json);
  if (values.help) {
    process.stdout.write(HELP);
    return EXIT.ok;
  }
  if (values.version) {
    out(VERSION);
    return EXIT.ok;
  }
  const [command, ...rest] = positionals;
  if (!command) throw new UsageError('no command given');
  const arity: Record<string, number> = { check: 0, backup: 0, verify: 1, diff: 2 };
  const n = arity[command];
  if (n === undefined) throw new UsageError(`unknown command "${command}"`);
  if (rest.length > n) throw new UsageError(`unexpected argument "${rest[n]}"`);
  if (rest.length < n)
    throw new UsageError(
      command === 'verify' ? 'verify needs the snapshot folder: sfbackup verify DIR' : 'diff needs two snapshot folders: sfbackup diff OLD NEW',
    );
  switch (command) {
    case 'check':
      return runCheck(values, env);
    case 'backup':
      return runBackup(values, env);
    case 'verify':
      return runVerify(rest[0] as string, values);
    default:
      return runDiff(rest[0] as string, rest[1] as string, values);
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'login-url': { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      'refresh-token': { type: 'string' },
      'api-version': { type: 'string' },
      out: { type: 'string' },
      alias: { type: 'string' },
      incremental: { type: 'boolean', default: false },
      'full-every': { type: 'string' },
      full: { type: 'boolean', default: false },
      include: { type: 'string' },
      exclude: { type: 'string' },
      'exclude-fields': { type: 'string' },
      'api-budget-share': { type: 'string' },
      'mass-delete-threshold': { type: 'string' },
      'mass-delete-min-rows': { type: 'string' },
      concurrency: { type: 'string' },
      keep: { type: 'string' },
      'allow-shrink': { type: 'boolean', default: false },
      'wait-lock': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      version: { type: 'boolean', short: 'v', default: false },
    },
  });
}

function collectSecrets(argv: string[], env: NodeJS.ProcessEnv): void {
  for (const name of ['SF_REFRESH_TOKEN', 'SF_CLIENT_SECRET']) {
    const v = env[name];
    if (v) secretValues.push(v);
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    for (const flag of ['--refresh-token', '--client-secret']) {
      if (a === flag && argv[i + 1]) secretValues.push(argv[i + 1] as string);
      else if (a.startsWith(`${flag}=`)) secretValues.push(a.slice(flag.length + 1));
    }
  }
}

function scrub(text: string): string {
  let s = text;
  // Longest first, so a value that contains another is taken out whole.
  for (const v of [...secretValues].sort((a, b) => b.length - a.length)) if (v.length >= 8) s = s.split(v).join('[redacted]');
  return s;
}

/** The exit code of a failure, and its state as a script reads it. */
function classify(e: unknown): { exitCode: number; state: ProductState; reason: string; remedy: string } {
  const state = failureState(e);
  if (e instanceof ProductError && state !== 'failed') return { exitCode: EXIT[state], state, reason: e.reason || 'unexpected', remedy: e.remedy };
  return {
    exitCode: EXIT.failed,
    state: 'failed',
    reason: 'unexpected',
    remedy: (e instanceof ProductError && e.remedy) || 'run the command again; if it fails the same way, report it with this message',
  };
}

/** One JSON object for a failed command: what scripts using --json read instead of stderr. */
function failureJson(e: unknown, exitCode?: number): Record<string, unknown> {
  const c = classify(e);
  const message = e instanceof Error ? e.message : String(e);
  return { ok: false, state: c.state, reason: c.reason, message: scrub(message), remedy: scrub(c.remedy), exitCode: exitCode ?? c.exitCode };
}

main(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (caught: unknown) => {
    // A full disk surfaces as a bare errno from wherever it struck (a publish copy, a lock file):
    // say which disk is full and what to do, with the exit code of its own.
    const e = classifyDiskFull(caught, diskPlaces) ?? caught;
    const c = classify(e);
    if (jsonFailures) out(JSON.stringify(failureJson(e)));
    if (e instanceof UsageError) err(`sfbackup: ${scrub(e.message)}\nRun "sfbackup --help" for usage.`);
    else err(`sfbackup: ${scrub(describeFailure(e))}`);
    process.exitCode = c.exitCode;
  },
);
