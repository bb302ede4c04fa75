// `sfbackup`: the product's commands on a laptop (bundled to dist/cli.js, the package's bin).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { describeFailure } from '../backup/describe.ts';
import { formatMassDeletes } from '../backup/mass-delete.ts';
import { formatBytes, formatCount, formatDuration } from '../backup/progress.ts';
import { type BackupResult, backupFailed, backupOrg } from '../backup/run.ts';
import { TOOL_VERSION } from '../backup/version.ts';
import { checkOrg } from '../salesforce/check.ts';
import { orgCredentialsSchema, parseSettings } from '../salesforce/connection.ts';
import type { FailureState } from '../salesforce/errors.ts';
import { diffSnapshots, SnapshotCorruptError, SnapshotError, verifySnapshot } from '../snapshot/index.ts';
import { createStorageTarget } from '../storage/index.ts';
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
} as const satisfies Record<FailureState | 'ok' | 'failed' | 'incomplete' | 'corrupt' | 'disk_full' | 'locked' | 'held', number>;

const HELP = `sfbackup ${VERSION}: back up Salesforce orgs into your own GitHub repository.

Usage: sfbackup <command> [options]

Commands:
  check             Log in to one org with a refresh token; print the org id, instance and API usage.
  backup --out DIR  Back up one org into DIR/<alias>/ (a snapshot: manifest.json, schema/, data/).
                    The snapshot already there is replaced only when every object made it.
  verify DIR        Check a snapshot (DIR/<alias> or DIR with one snapshot in it) against its manifest:
                    every file's sha256, row counts, Id order and buckets.
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

class UsageError extends Error {}

type Values = ReturnType<typeof parse>['values'];

const out = (line = '') => process.stdout.write(`${line}\n`);
const err = (line = '') => process.stderr.write(`${line}\n`);

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

  const target = createStorageTarget(
    { type: 'local', dir: path.resolve(outDir) },
    { log: { info: err, warning: (m) => err(`Warning: ${m}`) }, mask: () => {} },
  );
  const workDir = mkdtempSync(path.join(tmpdir(), `sfbackup-${alias}-`));
  let result: BackupResult;
  try {
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
      ...(include ? { include } : {}),
      ...(exclude ? { exclude } : {}),
      ...(excludeFields ? { excludeFields } : {}),
      toolVersion: VERSION,
      // Progress and notes go to stderr so stdout stays the result (and --json stays parseable).
      log: { info: err, warning: (m) => err(`Warning: ${m}`) },
      ...(concurrency ? { exportTuning: { concurrency } } : {}),
    });
  } finally {
    rmSync(workDir, { recursive: true, force: true });
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
    } else out('  changes     first snapshot');
    out(`  snapshot    ${result.published ? result.published.location : 'NOT published: the previous snapshot is unchanged'}`);
    if (result.massDeletes.length) out(`  MASS DELETE ${formatMassDeletes(result.massDeletes)}`);
  }
  for (const f of result.failedObjects) err(`Failed: ${f.name}: ${f.error}`);
  if (result.stopped) err(`Stopped: ${result.stopped}`);
  if (result.rotatedRefreshToken)
    err('Warning: the org rotated the refresh token; the one you passed no longer works. Re-authorize, or turn rotation off for the app.');
  return failed ? EXIT.incomplete : EXIT.ok;
}

async function runVerify(dir: string, values: Values): Promise<number> {
  try {
    const report = await verifySnapshot(path.resolve(dir));
    if (values.json) out(JSON.stringify({ ok: true, ...report }));
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
      if (values.json) out(JSON.stringify({ ok: false, dir: e.dir, problems: e.problems }));
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
  // reauth has options of its own (src/cli/reauth.ts).
  if (argv[0] === 'reauth') return runReauthCommand(argv.slice(1), env, { out, err });
  if (argv[0] === 'rotate-app') return runRotateAppCommand(argv.slice(1), env, { out, err });
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
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
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      version: { type: 'boolean', short: 'v', default: false },
    },
  });
}

main(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError) {
      err(`sfbackup: ${e.message}\nRun "sfbackup --help" for usage.`);
      process.exitCode = EXIT.misconfigured;
      return;
    }
    err(`sfbackup: ${describeFailure(e)}`);
    const state = (e as { state?: unknown } | null)?.state;
    if (e instanceof SnapshotError) process.exitCode = e.reason === 'snapshot_corrupt' ? EXIT.corrupt : EXIT.misconfigured;
    else if (typeof state === 'string' && state in EXIT) process.exitCode = EXIT[state as keyof typeof EXIT];
    else process.exitCode = EXIT.failed;
  },
);
