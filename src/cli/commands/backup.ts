// `sfbackup backup`: one org (or every org of the config) through the same use case as the action
// (src/app/backup-org.ts). Two forms:
// - config-less, as before: `--out DIR` and the login flags (or SF_* variables);
// - from the org config: `--config FILE --org ALIAS` (or `--all`), each secret read from the
//   environment variable named as the config names the secret; the org's storage target (a local
//   folder, or a branch of `--remote URL`, by default the current checkout's origin); a rotated
//   refresh token written back to the org's GitHub secret with `--repo OWNER/NAME` and GH_TOKEN;
//   status published to the status branch with `--publish-status`.
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { configuredAliases, type OrgBackupReport, type OrgBackupRequest, type OrgSource, runOrgBackup } from '../../app/backup-org.ts';
import type { Reporter } from '../../app/reporter.ts';
import { formatMassDeletes } from '../../backup/mass-delete.ts';
import { formatBytes, formatCount, formatDuration } from '../../backup/progress.ts';
import { backupFailed, droppedReasonText } from '../../backup/run.ts';
import { DEFAULT_CONFIG_FILE } from '../../config/schema.ts';
import { aliasSetting, backupRunFields, commaList, intIn, lifecycleFields, optionalText } from '../../config/settings.ts';
import { describeFailure } from '../../runtime/errors.ts';
import { jobContext } from '../../runtime/job-context.ts';
import { reauthCommandWithoutConfig } from '../../salesforce/auth/outcome.ts';
import { DEFAULT_STATUS_BRANCH } from '../../status/layout.ts';
import { DEFAULT_BACKUP_BRANCH } from '../../storage/index.ts';
import { type CliIo, defineCommand, type FlagValues, UsageError, validateFlags } from '../command.ts';
import { classify, EXIT, failureJson } from '../exit.ts';
import { GITHUB_FLAGS } from './github-flags.ts';
import { LOGIN_FLAGS, LOGIN_KEYS, SECRETS_NOTE } from './login-flags.ts';

const FLAGS = {
  ...LOGIN_FLAGS,
  out: { kind: 'string', value: 'DIR', env: 'SF_BACKUP_DIR', help: 'back up into the folder DIR (a local target), whatever the config says' },
  alias: { kind: 'string', value: 'NAME', help: "without a config: the org's folder name (default: org)" },
  secret: {
    kind: 'string',
    value: 'NAME',
    help: 'without a config: the GitHub secret holding the refresh token, so a rotated\none is written back (with --repo and GH_TOKEN)',
  },
  config: { kind: 'string', value: 'FILE', help: `the org config (default ${DEFAULT_CONFIG_FILE} when --org or --all is given)` },
  org: { kind: 'string', value: 'ALIAS', help: 'the org of the config to back up' },
  all: { kind: 'boolean', help: 'every org of the config, one after the other (or --jobs at once)' },
  jobs: { kind: 'string', value: 'N', help: 'with --all: orgs backed up at the same time (default 1)' },
  remote: {
    kind: 'string',
    value: 'URL',
    help: 'git URL of the repository a branch target (and the status) goes to\n(default: the origin of the git checkout in the current folder)',
  },
  ...GITHUB_FLAGS,
  repo: {
    ...GITHUB_FLAGS.repo,
    help: "the GitHub repository whose secrets hold the org's tokens: a rotated\nrefresh token is written back there (needs GH_TOKEN)",
  },
  'publish-status': { kind: 'boolean', help: "publish the org's status to the status branch of the remote" },
  'status-branch': { kind: 'string', value: 'NAME', help: `the status branch (default ${DEFAULT_STATUS_BRANCH})` },
  'redact-status': { kind: 'boolean', help: 'leave usernames and instance hosts out of the status' },
  'open-issues': { kind: 'boolean', help: 'open (and later close) an issue per org that needs a person (needs --repo)' },
  'app-pending-window': {
    kind: 'string',
    value: 'MIN',
    help: 'wait up to MIN minutes for a Connected App Salesforce does not know yet\n(default 0: exit 4 at once)',
  },
  incremental: { kind: 'boolean', help: 'fetch only what changed since the last snapshot (plus deletions);\na full export every 7th run' },
  'full-every': { kind: 'string', value: 'N', help: 'like --incremental, with a full export every N runs' },
  full: { kind: 'boolean', help: 'a full export now, whatever the schedule' },
  include: { kind: 'string', value: 'A,B', help: 'without a config: objects (or patterns like *__c) to back up;\ndefault: every exportable object' },
  exclude: { kind: 'string', value: 'A,B', help: 'without a config: objects (or patterns) to leave out' },
  'exclude-fields': { kind: 'string', value: 'O.F', help: 'without a config: fields to leave out, Object.Field or *.Field' },
  'api-budget-share': { kind: 'string', value: 'P', help: "stop before the org's daily API usage passes P (default 50%)" },
  'mass-delete-threshold': {
    kind: 'string',
    value: 'P',
    help: 'flag objects that lost more than P of their rows (default 10%, and\nat least --mass-delete-min-rows, default 100)',
  },
  'mass-delete-min-rows': { kind: 'string', value: 'N', help: 'see --mass-delete-threshold' },
  concurrency: { kind: 'string', value: 'N', help: 'objects exported at the same time (default 6)' },
  keep: {
    kind: 'string',
    value: 'N',
    help: 'local folder: dated snapshots kept per org (default 7); a snapshot that was\nthe newest before a run that dropped objects or mass-deleted rows is kept\nfor good (KEPT.json in it) whatever N is',
  },
  'allow-shrink': {
    kind: 'boolean',
    help: 'publish a run that drops objects or mass-deletes rows into a target that\nkeeps no other copy (a folder and a branch keep one: they always publish)',
  },
  'wait-lock': {
    kind: 'string',
    value: 'SECONDS',
    help: 'when another run is backing up the same org into the same place, wait up\nto SECONDS for it instead of stopping at once (exit 10)',
  },
  json: { kind: 'boolean', help: 'print the result as JSON on stdout' },
} as const;

/** The run's settings, validated with the fragments the action's inputs use. */
const settingsSchema = z.object({
  fullEvery: backupRunFields.fullEvery.optional(),
  apiBudgetShare: backupRunFields.apiBudgetShare.default(0.5),
  massDeleteThreshold: backupRunFields.massDeleteThreshold.default(0.1),
  massDeleteMinRows: backupRunFields.massDeleteMinRows.default(100),
  allowShrink: backupRunFields.allowShrink.default(false),
  keep: backupRunFields.keep.optional(),
  concurrency: intIn(1, 64, '6').optional(),
  waitLock: z.coerce.number({ error: 'must be a number of seconds — e.g. 600' }).min(0).default(0),
  jobs: intIn(1, 16, '2').default(1),
  alias: aliasSetting.optional(),
  org: optionalText,
  repo: z
    .string()
    .trim()
    .regex(/^[^/\s]+\/[^/\s]+$/, { error: 'must be OWNER/NAME — e.g. acme/salesforce-backups' })
    .optional(),
  statusBranch: lifecycleFields.statusBranch,
  publishStatus: lifecycleFields.publishStatus.default(false),
  redactStatus: lifecycleFields.redactStatus,
  openIssues: lifecycleFields.openIssues.default(false),
  appPendingWindow: lifecycleFields.appPendingWindow.default(0),
});

const SETTING_KEYS = {
  fullEvery: 'full-every',
  apiBudgetShare: 'api-budget-share',
  massDeleteThreshold: 'mass-delete-threshold',
  massDeleteMinRows: 'mass-delete-min-rows',
  allowShrink: 'allow-shrink',
  keep: 'keep',
  concurrency: 'concurrency',
  waitLock: 'wait-lock',
  jobs: 'jobs',
  alias: 'alias',
  org: 'org',
  repo: 'repo',
  statusBranch: 'status-branch',
  publishStatus: 'publish-status',
  redactStatus: 'redact-status',
  openIssues: 'open-issues',
  appPendingWindow: 'app-pending-window',
} as const;

type Settings = z.output<typeof settingsSchema>;

export const backupCommand = defineCommand({
  name: 'backup',
  synopsis: 'backup --out DIR',
  summary:
    'Back up one org into DIR/<alias>/<UTC time>/ (a snapshot: manifest.json, schema/,\ndata/); DIR/<alias>/latest points at the newest. A snapshot is published only\nwhen every object made it; the newest --keep of them are kept. Or, from the org\nconfig: "backup --config FILE --org ALIAS" (or --all) into each org\'s storage target.',
  usage: [
    'sfbackup backup --out DIR [--alias NAME] [options]       (login from SF_CLIENT_ID, SF_CLIENT_SECRET, SF_REFRESH_TOKEN)',
    'sfbackup backup --config FILE --org ALIAS [options]      (secrets from the variables the config names)',
    'sfbackup backup --config FILE --all [--jobs N] [options]',
  ],
  notes: [
    SECRETS_NOTE,
    [
      'From the org config, each secret is read from the environment variable of the same name as the',
      'config names it: SF_REFRESH_TOKEN_PROD=… SF_CLIENT_ID=… SF_CLIENT_SECRET=… sfbackup backup --org prod.',
      'A `storage: {kind: branch}` org is pushed to --remote (default: origin of the current checkout), with',
      'the same commit and push-race rules as the action; `kind: local` goes to its dir (relative to the',
      'current folder); a workflow artifact can only be written by the action: use --out DIR instead.',
      "With --repo OWNER/NAME and GH_TOKEN a refresh token rotated by Salesforce is stored in the org's",
      'secret before anything else; without them a rotation stops the run with exit 8 (the old token is dead).',
    ].join('\n'),
  ],
  flags: FLAGS,
  async run({ flags, env, io }) {
    const settings = validateFlags(settingsSchema, FLAGS, flags, SETTING_KEYS);
    const fromConfig = Boolean(flags.config || settings.org || flags.all);
    if (!fromConfig && !flags.out) {
      throw new UsageError(
        'backup needs --out DIR (or SF_BACKUP_DIR): the folder the snapshot goes to; or --config FILE --org ALIAS for an org of the config',
        'backup',
      );
    }
    if (fromConfig) {
      // The login flags are not checked: their variables may well be set in the shell.
      for (const f of ['include', 'exclude', 'exclude-fields', 'alias'] as const) {
        if (flags[f]) throw new UsageError(`--${f} is for a backup without a config; the org config says this for each org`, 'backup');
      }
      if (settings.org && flags.all) throw new UsageError('give --org ALIAS or --all, not both', 'backup');
    }
    if (flags.all && !fromConfig) throw new UsageError('--all needs the org config (--config FILE)', 'backup');
    const context = commandContext(flags, settings, env);
    if (!fromConfig) return runOne(inlineRequest(flags, settings, context), io, flags.json, settings);

    const configFile = flags.config ?? DEFAULT_CONFIG_FILE;
    const file = path.resolve(configFile);
    const aliases = flags.all ? configuredAliases(file, configFile) : [settings.org];
    const requestFor = (alias: string | undefined) => configRequest(flags, settings, env, context, { file, configFile, alias });
    if (aliases.length === 1) return runOne(requestFor(aliases[0]), io, flags.json, settings);
    return runAll(aliases as string[], requestFor, io, flags.json, settings.jobs);
  },
});

type BackupFlags = FlagValues<typeof FLAGS>;

interface CommandEnv {
  token: string | undefined;
  repository: string | undefined;
  apiUrl: string;
  remote: string | undefined;
  tempDir: string;
}

function commandContext(flags: BackupFlags, settings: Settings, env: NodeJS.ProcessEnv): CommandEnv {
  const job = jobContext({ token: flags['github-token'], repository: settings.repo, apiUrl: flags['github-api-url'] }, env);
  return { token: job.token, repository: settings.repo, apiUrl: job.apiUrl, remote: flags.remote, tempDir: tmpdir() };
}

/** `origin` of the git checkout the command runs in, as a URL git and the branch target both take. */
export function originRemote(cwd: string): string | undefined {
  let url: string;
  try {
    url = execFileSync('git', ['remote', 'get-url', 'origin'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
  if (!url) return undefined;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return url;
  // scp-like `git@github.com:owner/repo.git`
  const scp = /^([^@/:]+@)?([^/:]+):(.+)$/.exec(url);
  if (scp && !/^[A-Za-z]:[\\/]/.test(url)) return `ssh://${scp[1] ?? ''}${scp[2]}/${scp[3]}`;
  return pathToFileURL(path.resolve(cwd, url)).href;
}

function baseRequest(flags: BackupFlags, settings: Settings, context: CommandEnv, source: OrgSource, reauthCommand?: string): OrgBackupRequest {
  const remote = context.remote;
  const writeBack = Boolean(settings.repo && context.token);
  return {
    source,
    storage: {
      ...(flags.out ? { override: { kind: 'local' as const, dir: path.resolve(flags.out) } } : {}),
      // An org of the config without a storage setting: the action's default (an artifact) is not
      // available here, and the message says so.
      kind: 'artifact',
      keep: settings.keep ?? 7,
      branch: DEFAULT_BACKUP_BRANCH,
      remote,
      artifactUnavailable: `Give --out DIR to back up into a folder, or set \`storage: {kind: branch}\` (or local) for the org in the config.`,
    },
    baseDir: process.cwd(),
    tempDir: context.tempDir,
    run: {
      fullEvery: settings.fullEvery ?? (flags.incremental ? 7 : 1),
      full: flags.full,
      apiBudgetShare: settings.apiBudgetShare,
      massDeleteThreshold: settings.massDeleteThreshold,
      massDeleteMinRows: settings.massDeleteMinRows,
      allowShrink: settings.allowShrink,
      ...(settings.concurrency ? { exportTuning: { concurrency: settings.concurrency } } : {}),
    },
    lifecycle: {
      githubToken: context.token,
      // One token on a laptop: GH_TOKEN writes the secret too, when the repository is named.
      secretsToken: writeBack ? context.token : undefined,
      repository: settings.repo,
      apiUrl: context.apiUrl,
      runUrl: null,
      tempDir: context.tempDir,
      statusBranch: settings.statusBranch,
      statusRemote: remote,
      publishStatus: settings.publishStatus,
      redactStatus: settings.redactStatus,
      openIssues: settings.openIssues,
      appPendingWindow: settings.appPendingWindow,
      secretWriteSetting: '--repo OWNER/NAME with a GH_TOKEN that can write its secrets',
      loginSetting: '--login-url (or SF_LOGIN_URL)',
      ...(reauthCommand ? { reauthCommand } : {}),
    },
    githubToken: context.token,
    lock: {
      command: (alias) =>
        source.kind === 'inline'
          ? `sfbackup backup --out ${path.resolve(flags.out ?? '.')} --alias ${alias}`
          : `sfbackup backup --config ${source.displayName} --org ${alias}${flags.out ? ` --out ${path.resolve(flags.out)}` : ''}`,
      waitSeconds: settings.waitLock,
      waitHint: '--wait-lock SECONDS',
    },
  };
}

function inlineRequest(flags: BackupFlags, settings: Settings, context: CommandEnv): OrgBackupRequest {
  const credentials: Record<string, string | undefined> = {};
  const names: Record<string, string> = {};
  for (const [key, flag] of Object.entries(LOGIN_KEYS)) {
    credentials[key] = flags[flag];
    names[key] = `--${flag} (or ${LOGIN_FLAGS[flag].env})`;
  }
  const include = commaList(flags.include);
  const exclude = commaList(flags.exclude);
  const excludeFields = commaList(flags['exclude-fields']);
  const loginUrl = (flags['login-url'] ?? 'https://login.salesforce.com').replace(/\/+$/, '');
  const kind = loginUrl === 'https://login.salesforce.com' ? 'production' : loginUrl === 'https://test.salesforce.com' ? 'sandbox' : undefined;
  const reauth = reauthCommandWithoutConfig({
    loginUrl,
    ...(kind ? { type: kind } : {}),
    ...(flags.secret ? { secret: flags.secret } : {}),
    ...(settings.repo ? { repo: settings.repo } : {}),
  });
  return baseRequest(
    flags,
    settings,
    context,
    {
      kind: 'inline',
      alias: settings.alias ?? 'org',
      credentials,
      names,
      ...(include ? { include } : {}),
      ...(exclude ? { exclude } : {}),
      ...(excludeFields ? { excludeFields } : {}),
      ...(flags.secret ? { refreshTokenSecret: flags.secret } : {}),
    },
    reauth,
  );
}

function configRequest(
  flags: BackupFlags,
  settings: Settings,
  env: NodeJS.ProcessEnv,
  context: CommandEnv,
  c: { file: string; configFile: string; alias: string | undefined },
): OrgBackupRequest {
  // The branch target and the status default to the current checkout's origin.
  const remote = context.remote ?? originRemote(process.cwd());
  const secrets: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v && /^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) secrets[k] = v;
  return baseRequest(
    flags,
    settings,
    { ...context, remote },
    {
      kind: 'config',
      file: c.file,
      displayName: c.configFile,
      alias: c.alias,
      secrets,
      secretsSource: 'environment',
      apiVersion: flags['api-version'] ?? '62.0',
    },
  );
}

function cliReporter(io: CliIo, prefix = ''): Reporter {
  return {
    // Progress and notes go to stderr so stdout stays the result (and --json stays parseable).
    info: (m) => io.err(`${prefix}${m}`),
    warning: (m) => io.err(`${prefix}Warning: ${m}`),
    mask: (s) => io.secret(s),
  };
}

/** The exit code of one org's report. */
function exitCodeOf(report: OrgBackupReport): number {
  if (report.stage !== 'done') return classify(report.error).exitCode;
  if (report.error) return classify(report.error).exitCode;
  const result = report.result;
  if (result?.held) return EXIT.held;
  return result && backupFailed(result) ? EXIT.incomplete : EXIT.ok;
}

function jsonOf(report: OrgBackupReport, scrub: (t: string) => string): Record<string, unknown> {
  const code = exitCodeOf(report);
  const base = {
    alias: report.alias ?? null,
    authState: report.outcome?.state ?? null,
    rotated: report.rotated,
    ...(report.lifecycle.status ? { status: report.lifecycle.status } : {}),
    ...(report.lifecycle.issue ? { issue: report.lifecycle.issue } : {}),
  };
  if (report.stage !== 'done' || !report.result) return { ...base, ...failureJson(report.error, scrub, code) };
  const { manifest: _m, rotatedRefreshToken: _r, ...rest } = report.result;
  return {
    ...rest,
    ...base,
    snapshot: report.result.published?.path ?? null,
    ...(report.error ? { authFailure: failureJson(report.error, scrub) } : {}),
  };
}

function printResult(report: OrgBackupReport, io: CliIo, keep: number | undefined): void {
  const result = report.result;
  if (!result) return;
  const alias = report.alias ?? result.alias;
  io.out(`Backed up org ${result.orgId} (${alias}): ${result.mode} run (${result.modeReason}).`);
  io.out(`  objects     ${formatCount(result.objects)}`);
  io.out(`  rows        ${formatCount(result.rows)}`);
  io.out(`  bytes       ${formatBytes(result.bytes)}`);
  io.out(`  duration    ${formatDuration(result.durationMs)}`);
  io.out(`  API calls   ${formatCount(result.apiCalls)}${result.apiUsage ? ` (org: ${result.apiUsage.used} of ${result.apiUsage.max} today)` : ''}`);
  if (result.diff) {
    const t = result.diff.totals;
    io.out(`  changes     +${formatCount(t.added)} added, ~${formatCount(t.changed)} changed, -${formatCount(t.deleted)} deleted since the last snapshot`);
  } else if (result.previousLocation) io.out('  changes     not compared: the run failed, so it was not checked against the previous snapshot');
  else io.out('  changes     first snapshot');
  io.out(`  snapshot    ${result.published ? result.published.location : `NOT published${result.held ? ' (held)' : ''}: the previous snapshot is unchanged`}`);
  if (result.massDeletes.length) io.out(`  MASS DELETE ${formatMassDeletes(result.massDeletes)}`);
  if (result.droppedObjects.length)
    io.out(`  DROPPED     ${result.droppedObjects.map((d) => `${d.name} (${formatCount(d.rows)} rows, ${droppedReasonText(d.reason)})`).join('; ')}`);
  if (result.published?.pinned) io.out(`  kept        ${result.published.pinned.path} for good (KEPT.json): ${result.published.pinned.reason}`);
  for (const p of result.published?.pruned ?? []) io.out(`  removed     ${p} (older than the newest ${keep ?? 7})`);
  if (report.rotated) io.out(`  token       rotated by Salesforce; the new one is stored in ${report.refreshTokenSecret ?? 'its secret'}`);
  const status = report.lifecycle.status;
  if (status) io.out(`  status      ${status.published ? status.location : `NOT published: ${status.why}`}`);
  for (const f of result.failedObjects) io.err(`Failed: ${f.name}: ${f.error}`);
  if (result.held) io.err(`Held: ${result.held}. Nothing was published. If the change is intended, re-run with --allow-shrink.`);
  if (result.stopped) io.err(`Stopped: ${result.stopped}`);
}

async function runOne(request: OrgBackupRequest, io: CliIo, json: boolean, settings: Settings): Promise<number> {
  const report = await runOrgBackup(request, cliReporter(io));
  // A run that never finished fails like any command: the top-level handler prints it (and its --json).
  if (report.stage !== 'done') throw report.error;
  if (json) io.out(JSON.stringify(jsonOf(report, (t) => t)));
  else printResult(report, io, settings.keep);
  // The backup may have worked and the rotated token still not be stored: that is exit 8.
  if (report.error) throw report.error;
  return exitCodeOf(report);
}

/** Every org of the config; the exit code is the first failing org's (in config order), else 0. */
async function runAll(aliases: string[], requestFor: (alias: string) => OrgBackupRequest, io: CliIo, json: boolean, jobs: number): Promise<number> {
  const reports: OrgBackupReport[] = new Array(aliases.length);
  let next = 0;
  const worker = async () => {
    while (next < aliases.length) {
      const i = next++;
      const alias = aliases[i] as string;
      if (jobs === 1) io.err(`== ${alias}`);
      reports[i] = await runOrgBackup(requestFor(alias), cliReporter(io, jobs > 1 ? `[${alias}] ` : ''));
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, aliases.length) }, worker));
  const codes = reports.map(exitCodeOf);
  if (json) io.out(JSON.stringify({ orgs: reports.map((r) => jsonOf(r, (t) => t)) }));
  else {
    for (const r of reports) {
      if (r.stage === 'done') printResult(r, io, undefined);
    }
    io.out('');
    const width = Math.max(...aliases.map((a) => a.length));
    reports.forEach((r, i) => {
      const code = codes[i] as number;
      const state = code === EXIT.ok ? 'ok' : code === EXIT.held ? 'held' : code === EXIT.incomplete && !r.error ? 'incomplete' : classify(r.error).state;
      const what = code === EXIT.ok ? state : `${state} (exit ${code})`;
      io.out(`${(aliases[i] as string).padEnd(width)}  ${what}`);
    });
    for (const r of reports) {
      if (r.error) io.err(`sfbackup: ${r.alias ?? 'org'}: ${describeFailure(r.error)}`);
    }
  }
  return codes.find((c) => c !== EXIT.ok) ?? EXIT.ok;
}
