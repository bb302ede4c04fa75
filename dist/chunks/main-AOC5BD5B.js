import { createRequire as __sfbackupCreateRequire } from 'node:module';
const require = __sfbackupCreateRequire(import.meta.url);
import {
  ConfigError,
  DEFAULT_ACTIVATION_WINDOW_MS,
  DEFAULT_API_VERSION,
  DEFAULT_BACKUP_BRANCH,
  DEFAULT_CLIENT_ID_SECRET,
  DEFAULT_CLIENT_SECRET_SECRET,
  DEFAULT_CONFIG_FILE,
  DEFAULT_GITHUB_API_URL,
  DEFAULT_STATUS_BRANCH,
  MisconfiguredError,
  RESTORE_MODES,
  SnapshotCorruptError,
  TOOL_VERSION,
  aliasSetting,
  appFingerprint,
  backupFailed,
  backupRunFields,
  checkOrg,
  classifyAuthError,
  classifyDiskFull,
  commaList,
  configuredAliases,
  connect,
  diffSnapshots,
  droppedReasonText,
  external_exports,
  flag,
  formatBytes,
  formatCount,
  formatDuration,
  formatMassDeletes,
  formatPlan,
  intIn,
  jobContext,
  leftoversAround,
  lifecycleFields,
  loadConfig,
  loginUrlForType,
  optionalText,
  orgCredentialsSchema,
  orgTypeSettingSchema,
  parseSettings,
  readOrgFiles,
  realActivationWindow,
  reauthCommandWithoutConfig,
  repositoryRef,
  require_jsforce,
  resolveSecretTargets,
  runOrgBackup,
  runRestore,
  runRotation,
  runWatchdog,
  selectOrg,
  selectionFrom,
  snapshotStamp,
  verifySnapshot,
  withinActivationWindow
} from "./chunk-CXETNADL.js";
import {
  describeSecretTarget
} from "./chunk-ZIZ7JOQ6.js";
import "./chunk-XDA2MSO5.js";
import "./chunk-A57RZ4NC.js";
import {
  ProductError,
  describeFailure,
  failureState
} from "./chunk-UUIBS2XM.js";
import "./chunk-CMDQAP4X.js";
import "./chunk-EP6SH3KK.js";
import {
  __toESM
} from "./chunk-I2D4YPEE.js";

// src/cli/command.ts
import { parseArgs } from "node:util";
function defineCommand(command) {
  return command;
}
var UsageError = class extends ProductError {
  name = "UsageError";
  state = "misconfigured";
  constructor(message, command) {
    super({ reason: "usage", message, remedy: `run "sfbackup ${command ? `${command} ` : ""}--help" for usage` });
  }
};
function envNames(spec) {
  return spec.env === void 0 ? [] : typeof spec.env === "string" ? [spec.env] : spec.env;
}
function flagLabel(name, spec) {
  const env = envNames(spec);
  return env.length ? `--${name} (or ${env.join(", ")})` : `--${name}`;
}
function parseCommandLine(command, argv, env, io2) {
  const options = { help: { type: "boolean", short: "h" } };
  for (const [name, spec] of Object.entries(command.flags)) options[name] = { type: spec.kind, ...spec.short ? { short: spec.short } : {} };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(e.message, command.name);
  }
  const values = {};
  for (const [name, spec] of Object.entries(command.flags)) {
    const given = parsed.values[name];
    if (spec.kind === "boolean") {
      values[name] = given === true;
      continue;
    }
    let value = typeof given === "string" ? given : void 0;
    for (const e of envNames(spec)) value ||= env[e] || void 0;
    if (spec.secret && value) io2.secret(value);
    values[name] = value;
  }
  const help = parsed.values.help === true;
  const names = command.positionals?.names ?? [];
  if (!help) {
    if (parsed.positionals.length > names.length) throw new UsageError(`unexpected argument "${parsed.positionals[names.length]}"`, command.name);
    if (parsed.positionals.length < names.length) throw new UsageError(command.positionals?.missing ?? "missing arguments", command.name);
  }
  return { flags: values, args: parsed.positionals, help };
}
function validateFlags(schema, specs, values, keys) {
  const raw = {};
  const names = {};
  for (const [key, flag2] of Object.entries(keys)) {
    const spec = specs[flag2];
    const v = values[flag2];
    raw[key] = typeof v === "boolean" ? v ? "true" : void 0 : v;
    names[key] = flagLabel(flag2, spec);
  }
  return parseSettings(schema, raw, names);
}
function flagTable(flags, only) {
  const rows = Object.entries(flags).filter(([name, spec]) => !spec.hidden && (!only || only.includes(name))).map(([name, spec]) => ({ left: `--${name}${spec.value ? ` ${spec.value}` : ""}`, env: envNames(spec).join(", "), help: spec.help.split("\n") }));
  const leftWidth = Math.max(...rows.map((r) => r.left.length)) + 1;
  const envWidth = Math.max(0, ...rows.map((r) => r.env.length));
  const lines = [];
  for (const r of rows) {
    const pad = " ".repeat(2 + leftWidth + (envWidth ? envWidth + 1 : 0));
    lines.push(`  ${r.left.padEnd(leftWidth)}${envWidth ? `${r.env.padEnd(envWidth)} ` : ""}${r.help[0] ?? ""}`.trimEnd());
    for (const more of r.help.slice(1)) lines.push(`${pad}${more}`);
  }
  return lines;
}
function commandHelp(command, version) {
  const lines = [`sfbackup ${version} ${command.name}: ${command.summary.replace(/\n\s*/g, " ")}`, "", "Usage:"];
  for (const u of command.usage) lines.push(`  ${u}`);
  if (Object.keys(command.flags).length) lines.push("", "Options (each also read from the environment variable named):", ...flagTable(command.flags));
  for (const n of command.notes ?? []) lines.push("", n);
  return `${lines.join("\n")}
`;
}

// src/cli/commands/backup.ts
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

// src/cli/exit.ts
var EXIT = {
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
  aborted: 130
};
var EXIT_HELP = `Exit codes: 0 ok, 1 unexpected failure, 2 usage or configuration error, 3 re-authorization required,
4 Connected App not active yet (retry within 10 minutes), 5 temporary failure (retry later),
6 backup incomplete (objects failed or the API budget ran out; nothing was replaced),
7 the snapshot failed verification, 8 the org rotated its refresh token and the new one could not be
stored, 9 the disk is full (or not writable) where the snapshot is staged or published,
10 another run is backing up the same org into the same place, 11 held: the run would drop objects or
mass-delete rows from the only copy (check, then re-run with --allow-shrink).`;
function classify(e) {
  const state = failureState(e);
  if (e instanceof ProductError && state !== "failed") return { exitCode: EXIT[state], state, reason: e.reason || "unexpected", remedy: e.remedy };
  return {
    exitCode: EXIT.failed,
    state: "failed",
    reason: "unexpected",
    remedy: e instanceof ProductError && e.remedy || "run the command again; if it fails the same way, report it with this message"
  };
}
function failureJson(e, scrub, exitCode) {
  const c = classify(e);
  const message = e instanceof Error ? e.message : String(e);
  return { ok: false, state: c.state, reason: c.reason, message: scrub(message), remedy: scrub(c.remedy), exitCode: exitCode ?? c.exitCode };
}

// src/cli/commands/github-flags.ts
var GITHUB_FLAGS = {
  repo: { kind: "string", value: "OWNER/NAME", env: "GITHUB_REPOSITORY", help: "the repository holding the org's secrets" },
  // GH_TOKEN (the gh CLI's) comes before the job's GITHUB_TOKEN on a laptop.
  "github-token": {
    kind: "string",
    value: "TOKEN",
    env: ["GH_TOKEN", "GITHUB_TOKEN"],
    help: "a token allowed to write its secrets (and to push over https, open issues)",
    secret: true
  },
  "github-api-url": { kind: "string", value: "URL", env: "GITHUB_API_URL", help: `GitHub API (default ${DEFAULT_GITHUB_API_URL})` }
};

// src/cli/commands/login-flags.ts
var LOGIN_FLAGS = {
  "login-url": {
    kind: "string",
    value: "URL",
    env: "SF_LOGIN_URL",
    help: "https://login.salesforce.com (default), https://test.salesforce.com\nfor sandboxes, or the org's My Domain URL"
  },
  "client-id": { kind: "string", value: "KEY", env: "SF_CLIENT_ID", help: "Consumer Key of the Connected App", secret: true },
  "client-secret": { kind: "string", value: "SECRET", env: "SF_CLIENT_SECRET", help: "Consumer Secret of the Connected App", secret: true },
  "refresh-token": { kind: "string", value: "TOKEN", env: "SF_REFRESH_TOKEN", help: "the org's refresh token", secret: true },
  "api-version": { kind: "string", value: "V", env: "SF_API_VERSION", help: "Salesforce API version (default 62.0)" }
};
var LOGIN_KEYS = {
  loginUrl: "login-url",
  clientId: "client-id",
  clientSecret: "client-secret",
  refreshToken: "refresh-token",
  apiVersion: "api-version"
};
var SECRETS_NOTE = "Prefer the environment variables for secrets: command lines are visible to other processes.";
function loginCredentials(flags) {
  return validateFlags(orgCredentialsSchema, LOGIN_FLAGS, flags, LOGIN_KEYS);
}

// src/cli/commands/backup.ts
var FLAGS = {
  ...LOGIN_FLAGS,
  out: { kind: "string", value: "DIR", env: "SF_BACKUP_DIR", help: "back up into the folder DIR (a local target), whatever the config says" },
  alias: { kind: "string", value: "NAME", help: "without a config: the org's folder name (default: org)" },
  secret: {
    kind: "string",
    value: "NAME",
    help: "without a config: the GitHub secret holding the refresh token, so a rotated\none is written back (with --repo and GH_TOKEN)"
  },
  config: { kind: "string", value: "FILE", help: `the org config (default ${DEFAULT_CONFIG_FILE} when --org or --all is given)` },
  org: { kind: "string", value: "ALIAS", help: "the org of the config to back up" },
  all: { kind: "boolean", help: "every org of the config, one after the other (or --jobs at once)" },
  jobs: { kind: "string", value: "N", help: "with --all: orgs backed up at the same time (default 1)" },
  remote: {
    kind: "string",
    value: "URL",
    help: "git URL of the repository a branch target (and the status) goes to\n(default: the origin of the git checkout in the current folder)"
  },
  ...GITHUB_FLAGS,
  repo: {
    ...GITHUB_FLAGS.repo,
    help: "the GitHub repository whose secrets hold the org's tokens: a rotated\nrefresh token is written back there (needs GH_TOKEN)"
  },
  "publish-status": { kind: "boolean", help: "publish the org's status to the status branch of the remote" },
  "status-branch": { kind: "string", value: "NAME", help: `the status branch (default ${DEFAULT_STATUS_BRANCH})` },
  "redact-status": { kind: "boolean", help: "leave usernames and instance hosts out of the status" },
  "open-issues": { kind: "boolean", help: "open (and later close) an issue per org that needs a person (needs --repo)" },
  "app-pending-window": {
    kind: "string",
    value: "MIN",
    help: "wait up to MIN minutes for a Connected App Salesforce does not know yet\n(default 0: exit 4 at once)"
  },
  incremental: { kind: "boolean", help: "fetch only what changed since the last snapshot (plus deletions);\na full export every 7th run" },
  "full-every": { kind: "string", value: "N", help: "like --incremental, with a full export every N runs" },
  full: { kind: "boolean", help: "a full export now, whatever the schedule" },
  include: { kind: "string", value: "A,B", help: "without a config: objects (or patterns like *__c) to back up;\ndefault: every exportable object" },
  exclude: { kind: "string", value: "A,B", help: "without a config: objects (or patterns) to leave out" },
  "exclude-fields": { kind: "string", value: "O.F", help: "without a config: fields to leave out, Object.Field or *.Field" },
  "api-budget-share": { kind: "string", value: "P", help: "stop before the org's daily API usage passes P (default 50%)" },
  "mass-delete-threshold": {
    kind: "string",
    value: "P",
    help: "flag objects that lost more than P of their rows (default 10%, and\nat least --mass-delete-min-rows, default 100)"
  },
  "mass-delete-min-rows": { kind: "string", value: "N", help: "see --mass-delete-threshold" },
  concurrency: { kind: "string", value: "N", help: "objects exported at the same time (default 6)" },
  keep: {
    kind: "string",
    value: "N",
    help: "local folder: dated snapshots kept per org (default 7); a snapshot that was\nthe newest before a run that dropped objects or mass-deleted rows is kept\nfor good (KEPT.json in it) whatever N is"
  },
  "allow-shrink": {
    kind: "boolean",
    help: "publish a run that drops objects or mass-deletes rows into a target that\nkeeps no other copy (a folder and a branch keep one: they always publish)"
  },
  "wait-lock": {
    kind: "string",
    value: "SECONDS",
    help: "when another run is backing up the same org into the same place, wait up\nto SECONDS for it instead of stopping at once (exit 10)"
  },
  json: { kind: "boolean", help: "print the result as JSON on stdout" }
};
var settingsSchema = external_exports.object({
  fullEvery: backupRunFields.fullEvery.optional(),
  apiBudgetShare: backupRunFields.apiBudgetShare.default(0.5),
  massDeleteThreshold: backupRunFields.massDeleteThreshold.default(0.1),
  massDeleteMinRows: backupRunFields.massDeleteMinRows.default(100),
  allowShrink: backupRunFields.allowShrink.default(false),
  keep: backupRunFields.keep.optional(),
  concurrency: intIn(1, 64, "6").optional(),
  waitLock: external_exports.coerce.number({ error: "must be a number of seconds \u2014 e.g. 600" }).min(0).default(0),
  jobs: intIn(1, 16, "2").default(1),
  alias: aliasSetting.optional(),
  org: optionalText,
  repo: external_exports.string().trim().regex(/^[^/\s]+\/[^/\s]+$/, { error: "must be OWNER/NAME \u2014 e.g. acme/salesforce-backups" }).optional(),
  statusBranch: lifecycleFields.statusBranch,
  publishStatus: lifecycleFields.publishStatus.default(false),
  redactStatus: lifecycleFields.redactStatus,
  openIssues: lifecycleFields.openIssues.default(false),
  appPendingWindow: lifecycleFields.appPendingWindow.default(0)
});
var SETTING_KEYS = {
  fullEvery: "full-every",
  apiBudgetShare: "api-budget-share",
  massDeleteThreshold: "mass-delete-threshold",
  massDeleteMinRows: "mass-delete-min-rows",
  allowShrink: "allow-shrink",
  keep: "keep",
  concurrency: "concurrency",
  waitLock: "wait-lock",
  jobs: "jobs",
  alias: "alias",
  org: "org",
  repo: "repo",
  statusBranch: "status-branch",
  publishStatus: "publish-status",
  redactStatus: "redact-status",
  openIssues: "open-issues",
  appPendingWindow: "app-pending-window"
};
var backupCommand = defineCommand({
  name: "backup",
  synopsis: "backup --out DIR",
  summary: `Back up one org into DIR/<alias>/<UTC time>/ (a snapshot: manifest.json, schema/,
data/); DIR/<alias>/latest points at the newest. A snapshot is published only
when every object made it; the newest --keep of them are kept. Or, from the org
config: "backup --config FILE --org ALIAS" (or --all) into each org's storage target.`,
  usage: [
    "sfbackup backup --out DIR [--alias NAME] [options]       (login from SF_CLIENT_ID, SF_CLIENT_SECRET, SF_REFRESH_TOKEN)",
    "sfbackup backup --config FILE --org ALIAS [options]      (secrets from the variables the config names)",
    "sfbackup backup --config FILE --all [--jobs N] [options]"
  ],
  notes: [
    SECRETS_NOTE,
    [
      "From the org config, each secret is read from the environment variable of the same name as the",
      "config names it: SF_REFRESH_TOKEN_PROD=\u2026 SF_CLIENT_ID=\u2026 SF_CLIENT_SECRET=\u2026 sfbackup backup --org prod.",
      "A `storage: {kind: branch}` org is pushed to --remote (default: origin of the current checkout), with",
      "the same commit and push-race rules as the action; `kind: local` goes to its dir (relative to the",
      "current folder); a workflow artifact can only be written by the action: use --out DIR instead.",
      "With --repo OWNER/NAME and GH_TOKEN a refresh token rotated by Salesforce is stored in the org's",
      "secret before anything else; without them a rotation stops the run with exit 8 (the old token is dead)."
    ].join("\n")
  ],
  flags: FLAGS,
  async run({ flags, env, io: io2 }) {
    const settings = validateFlags(settingsSchema, FLAGS, flags, SETTING_KEYS);
    const fromConfig = Boolean(flags.config || settings.org || flags.all);
    if (!fromConfig && !flags.out) {
      throw new UsageError(
        "backup needs --out DIR (or SF_BACKUP_DIR): the folder the snapshot goes to; or --config FILE --org ALIAS for an org of the config",
        "backup"
      );
    }
    if (fromConfig) {
      for (const f of ["include", "exclude", "exclude-fields", "alias"]) {
        if (flags[f]) throw new UsageError(`--${f} is for a backup without a config; the org config says this for each org`, "backup");
      }
      if (settings.org && flags.all) throw new UsageError("give --org ALIAS or --all, not both", "backup");
    }
    if (flags.all && !fromConfig) throw new UsageError("--all needs the org config (--config FILE)", "backup");
    const context = commandContext(flags, settings, env);
    if (!fromConfig) return runOne(inlineRequest(flags, settings, context), io2, flags.json, settings);
    const configFile = flags.config ?? DEFAULT_CONFIG_FILE;
    const file = path.resolve(configFile);
    const aliases = flags.all ? configuredAliases(file, configFile) : [settings.org];
    const requestFor = (alias) => configRequest(flags, settings, env, context, { file, configFile, alias });
    if (aliases.length === 1) return runOne(requestFor(aliases[0]), io2, flags.json, settings);
    return runAll(aliases, requestFor, io2, flags.json, settings.jobs);
  }
});
function commandContext(flags, settings, env) {
  const job = jobContext({ token: flags["github-token"], repository: settings.repo, apiUrl: flags["github-api-url"] }, env);
  return { token: job.token, repository: settings.repo, apiUrl: job.apiUrl, remote: flags.remote, tempDir: tmpdir() };
}
function originRemote(cwd) {
  let url;
  try {
    url = execFileSync("git", ["remote", "get-url", "origin"], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return void 0;
  }
  if (!url) return void 0;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return url;
  const scp = /^([^@/:]+@)?([^/:]+):(.+)$/.exec(url);
  if (scp && !/^[A-Za-z]:[\\/]/.test(url)) return `ssh://${scp[1] ?? ""}${scp[2]}/${scp[3]}`;
  return pathToFileURL(path.resolve(cwd, url)).href;
}
function baseRequest(flags, settings, context, source, reauthCommand2) {
  const remote = context.remote;
  const writeBack = Boolean(settings.repo && context.token);
  return {
    source,
    storage: {
      ...flags.out ? { override: { kind: "local", dir: path.resolve(flags.out) } } : {},
      // An org of the config without a storage setting: the action's default (an artifact) is not
      // available here, and the message says so.
      kind: "artifact",
      keep: settings.keep ?? 7,
      branch: DEFAULT_BACKUP_BRANCH,
      remote,
      artifactUnavailable: `Give --out DIR to back up into a folder, or set \`storage: {kind: branch}\` (or local) for the org in the config.`
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
      ...settings.concurrency ? { exportTuning: { concurrency: settings.concurrency } } : {}
    },
    lifecycle: {
      githubToken: context.token,
      // One token on a laptop: GH_TOKEN writes the secret too, when the repository is named.
      secretsToken: writeBack ? context.token : void 0,
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
      secretWriteSetting: "--repo OWNER/NAME with a GH_TOKEN that can write its secrets",
      loginSetting: "--login-url (or SF_LOGIN_URL)",
      ...reauthCommand2 ? { reauthCommand: reauthCommand2 } : {}
    },
    githubToken: context.token,
    lock: {
      command: (alias) => source.kind === "inline" ? `sfbackup backup --out ${path.resolve(flags.out ?? ".")} --alias ${alias}` : `sfbackup backup --config ${source.displayName} --org ${alias}${flags.out ? ` --out ${path.resolve(flags.out)}` : ""}`,
      waitSeconds: settings.waitLock,
      waitHint: "--wait-lock SECONDS"
    }
  };
}
function inlineRequest(flags, settings, context) {
  const credentials = {};
  const names = {};
  for (const [key, flag2] of Object.entries(LOGIN_KEYS)) {
    credentials[key] = flags[flag2];
    names[key] = `--${flag2} (or ${LOGIN_FLAGS[flag2].env})`;
  }
  const include = commaList(flags.include);
  const exclude = commaList(flags.exclude);
  const excludeFields = commaList(flags["exclude-fields"]);
  const loginUrl = (flags["login-url"] ?? "https://login.salesforce.com").replace(/\/+$/, "");
  const kind = loginUrl === "https://login.salesforce.com" ? "production" : loginUrl === "https://test.salesforce.com" ? "sandbox" : void 0;
  const reauth2 = reauthCommandWithoutConfig({
    loginUrl,
    ...kind ? { type: kind } : {},
    ...flags.secret ? { secret: flags.secret } : {},
    ...settings.repo ? { repo: settings.repo } : {}
  });
  return baseRequest(
    flags,
    settings,
    context,
    {
      kind: "inline",
      alias: settings.alias ?? "org",
      credentials,
      names,
      ...include ? { include } : {},
      ...exclude ? { exclude } : {},
      ...excludeFields ? { excludeFields } : {},
      ...flags.secret ? { refreshTokenSecret: flags.secret } : {}
    },
    reauth2
  );
}
function configRequest(flags, settings, env, context, c) {
  const remote = context.remote ?? originRemote(process.cwd());
  const secrets = {};
  for (const [k, v] of Object.entries(env)) if (v && /^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) secrets[k] = v;
  return baseRequest(
    flags,
    settings,
    { ...context, remote },
    {
      kind: "config",
      file: c.file,
      displayName: c.configFile,
      alias: c.alias,
      secrets,
      secretsSource: "environment",
      apiVersion: flags["api-version"] ?? "62.0"
    }
  );
}
function cliReporter(io2, prefix = "") {
  return {
    // Progress and notes go to stderr so stdout stays the result (and --json stays parseable).
    info: (m) => io2.err(`${prefix}${m}`),
    warning: (m) => io2.err(`${prefix}Warning: ${m}`),
    mask: (s) => io2.secret(s)
  };
}
function exitCodeOf(report) {
  if (report.stage !== "done") return classify(report.error).exitCode;
  if (report.error) return classify(report.error).exitCode;
  const result = report.result;
  if (result?.held) return EXIT.held;
  return result && backupFailed(result) ? EXIT.incomplete : EXIT.ok;
}
function jsonOf(report, scrub) {
  const code = exitCodeOf(report);
  const base = {
    alias: report.alias ?? null,
    authState: report.outcome?.state ?? null,
    rotated: report.rotated,
    ...report.lifecycle.status ? { status: report.lifecycle.status } : {},
    ...report.lifecycle.issue ? { issue: report.lifecycle.issue } : {}
  };
  if (report.stage !== "done" || !report.result) return { ...base, ...failureJson(report.error, scrub, code) };
  const { manifest: _m, rotatedRefreshToken: _r, ...rest } = report.result;
  return {
    ...rest,
    ...base,
    snapshot: report.result.published?.path ?? null,
    ...report.error ? { authFailure: failureJson(report.error, scrub) } : {}
  };
}
function printResult(report, io2, keep) {
  const result = report.result;
  if (!result) return;
  const alias = report.alias ?? result.alias;
  io2.out(`Backed up org ${result.orgId} (${alias}): ${result.mode} run (${result.modeReason}).`);
  io2.out(`  objects     ${formatCount(result.objects)}`);
  io2.out(`  rows        ${formatCount(result.rows)}`);
  io2.out(`  bytes       ${formatBytes(result.bytes)}`);
  io2.out(`  duration    ${formatDuration(result.durationMs)}`);
  io2.out(`  API calls   ${formatCount(result.apiCalls)}${result.apiUsage ? ` (org: ${result.apiUsage.used} of ${result.apiUsage.max} today)` : ""}`);
  if (result.diff) {
    const t = result.diff.totals;
    io2.out(`  changes     +${formatCount(t.added)} added, ~${formatCount(t.changed)} changed, -${formatCount(t.deleted)} deleted since the last snapshot`);
  } else if (result.previousLocation) io2.out("  changes     not compared: the run failed, so it was not checked against the previous snapshot");
  else io2.out("  changes     first snapshot");
  io2.out(`  snapshot    ${result.published ? result.published.location : `NOT published${result.held ? " (held)" : ""}: the previous snapshot is unchanged`}`);
  if (result.massDeletes.length) io2.out(`  MASS DELETE ${formatMassDeletes(result.massDeletes)}`);
  if (result.droppedObjects.length)
    io2.out(`  DROPPED     ${result.droppedObjects.map((d) => `${d.name} (${formatCount(d.rows)} rows, ${droppedReasonText(d.reason)})`).join("; ")}`);
  if (result.published?.pinned) io2.out(`  kept        ${result.published.pinned.path} for good (KEPT.json): ${result.published.pinned.reason}`);
  for (const p of result.published?.pruned ?? []) io2.out(`  removed     ${p} (older than the newest ${keep ?? 7})`);
  if (report.rotated) io2.out(`  token       rotated by Salesforce; the new one is stored in ${report.refreshTokenSecret ?? "its secret"}`);
  const status = report.lifecycle.status;
  if (status) io2.out(`  status      ${status.published ? status.location : `NOT published: ${status.why}`}`);
  for (const f of result.failedObjects) io2.err(`Failed: ${f.name}: ${f.error}`);
  if (result.held) io2.err(`Held: ${result.held}. Nothing was published. If the change is intended, re-run with --allow-shrink.`);
  if (result.stopped) io2.err(`Stopped: ${result.stopped}`);
}
async function runOne(request, io2, json, settings) {
  const report = await runOrgBackup(request, cliReporter(io2));
  if (report.stage !== "done") throw report.error;
  if (json) io2.out(JSON.stringify(jsonOf(report, (t) => t)));
  else printResult(report, io2, settings.keep);
  if (report.error) throw report.error;
  return exitCodeOf(report);
}
async function runAll(aliases, requestFor, io2, json, jobs) {
  const reports = new Array(aliases.length);
  let next = 0;
  const worker = async () => {
    while (next < aliases.length) {
      const i = next++;
      const alias = aliases[i];
      if (jobs === 1) io2.err(`== ${alias}`);
      reports[i] = await runOrgBackup(requestFor(alias), cliReporter(io2, jobs > 1 ? `[${alias}] ` : ""));
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, aliases.length) }, worker));
  const codes = reports.map(exitCodeOf);
  if (json) io2.out(JSON.stringify({ orgs: reports.map((r) => jsonOf(r, (t) => t)) }));
  else {
    for (const r of reports) {
      if (r.stage === "done") printResult(r, io2, void 0);
    }
    io2.out("");
    const width = Math.max(...aliases.map((a) => a.length));
    reports.forEach((r, i) => {
      const code = codes[i];
      const state = code === EXIT.ok ? "ok" : code === EXIT.held ? "held" : code === EXIT.incomplete && !r.error ? "incomplete" : classify(r.error).state;
      const what = code === EXIT.ok ? state : `${state} (exit ${code})`;
      io2.out(`${aliases[i].padEnd(width)}  ${what}`);
    });
    for (const r of reports) {
      if (r.error) io2.err(`sfbackup: ${r.alias ?? "org"}: ${describeFailure(r.error)}`);
    }
  }
  return codes.find((c) => c !== EXIT.ok) ?? EXIT.ok;
}

// src/cli/commands/check.ts
var checkCommand = defineCommand({
  name: "check",
  synopsis: "check",
  summary: "Log in to one org with a refresh token; print the org id, instance and API usage.",
  usage: ["sfbackup check [--login-url URL] [--json]   (secrets from SF_CLIENT_ID, SF_CLIENT_SECRET, SF_REFRESH_TOKEN)"],
  notes: [SECRETS_NOTE],
  flags: { ...LOGIN_FLAGS, json: { kind: "boolean", help: "print the result as JSON on stdout" } },
  async run({ flags, io: io2 }) {
    const creds = loginCredentials(flags);
    const result = await checkOrg(creds, io2.secret);
    if (flags.json) {
      io2.out(JSON.stringify({ authState: "ok", ...result }));
    } else {
      const u = result.apiUsage;
      io2.out(`Logged in to org ${result.orgId} as user ${result.userId}.`);
      io2.out(`Instance:     ${result.instanceUrl}`);
      io2.out(`API version:  ${result.apiVersion}`);
      io2.out(`API requests: ${u.used} of ${u.limit} in the last 24 hours (${u.remaining} left)`);
    }
    if (result.refreshTokenRotated) {
      io2.err("Warning: the org rotated the refresh token; the one you passed no longer works. Re-authorize, or turn rotation off for the app.");
    }
    return EXIT.ok;
  }
});

// src/cli/commands/diff.ts
import path2 from "node:path";
var diffCommand = defineCommand({
  name: "diff",
  synopsis: "diff OLD NEW",
  summary: "Rows added, changed and deleted per object between two snapshots of one org.",
  usage: ["sfbackup diff OLD NEW [--json]"],
  positionals: { names: ["OLD", "NEW"], missing: "diff needs two snapshot folders: sfbackup diff OLD NEW" },
  flags: { json: { kind: "boolean", help: "print the differences as JSON on stdout (with up to 100 Ids per object and kind)" } },
  async run({ flags, args, io: io2 }) {
    const diff = await diffSnapshots(path2.resolve(args[0]), path2.resolve(args[1]), { idLimit: flags.json ? 100 : 0 });
    if (flags.json) {
      io2.out(JSON.stringify(diff));
      return EXIT.ok;
    }
    const width = Math.max(6, ...diff.objects.map((o) => o.name.length));
    io2.out(`${"object".padEnd(width)}  ${"rows".padStart(10)}  ${"added".padStart(8)}  ${"changed".padStart(8)}  ${"deleted".padStart(8)}`);
    for (const o of diff.objects) {
      if (o.presence === "both" && o.added + o.changed + o.deleted === 0) continue;
      const note = o.presence === "both" ? o.fieldsChanged ? "  (fields changed)" : "" : `  (${o.presence})`;
      io2.out(
        `${o.name.padEnd(width)}  ${formatCount(o.newRows).padStart(10)}  ${`+${formatCount(o.added)}`.padStart(8)}  ${`~${formatCount(o.changed)}`.padStart(8)}  ${`-${formatCount(o.deleted)}`.padStart(8)}${note}`
      );
    }
    const t = diff.totals;
    io2.out(
      `${"total".padEnd(width)}  ${formatCount(t.newRows).padStart(10)}  ${`+${formatCount(t.added)}`.padStart(8)}  ${`~${formatCount(t.changed)}`.padStart(8)}  ${`-${formatCount(t.deleted)}`.padStart(8)}`
    );
    return EXIT.ok;
  }
});

// src/cli/commands/reauth.ts
import { existsSync as existsSync2 } from "node:fs";
import { createInterface } from "node:readline/promises";

// src/app/reauth.ts
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import path3 from "node:path";

// src/salesforce/auth/approvals.ts
var MAX_APPROVALS = 5;
var DEAD_REASONS = /* @__PURE__ */ new Set(["token_expired_or_revoked", "token_revoked_or_expired", "app_changed"]);
function holdsLiveApproval(r) {
  return !(r.auth.state === "reauth_required" && r.auth.reason !== null && DEAD_REASONS.has(r.auth.reason));
}
function time(r) {
  const t = r.authorizedAt ? Date.parse(r.authorizedAt) : Number.NaN;
  return Number.isFinite(t) ? t : Number.NEGATIVE_INFINITY;
}
function checkApprovals(q) {
  const max = q.maxApprovals ?? MAX_APPROVALS;
  const configured = new Set(q.configuredAliases.map((a) => a.toLowerCase()));
  const self = q.statuses.find((s) => s.alias.toLowerCase() === q.alias.toLowerCase());
  const userId = self?.userId;
  if (!userId) return { known: false, live: [], exceeds: false, undated: [] };
  const live = q.statuses.filter((s) => configured.has(s.alias.toLowerCase())).filter((s) => s.userId === userId && s.appFingerprint === q.appFingerprint && holdsLiveApproval(s)).sort((a, b) => time(a) - time(b) || a.alias.localeCompare(b.alias));
  const undated = live.filter((s) => !s.authorizedAt).map((s) => s.alias);
  const exceeds = live.length + 1 > max;
  const oldest = live[0];
  const evicts = exceeds && oldest && oldest.alias.toLowerCase() !== q.alias.toLowerCase() ? oldest : void 0;
  return { known: true, live, exceeds, ...evicts ? { evicts } : {}, undated };
}
function approvalWarning(q, c) {
  if (!c.exceeds || !c.evicts) return void 0;
  const max = q.maxApprovals ?? MAX_APPROVALS;
  const list = c.live.map((s) => `${s.alias} (${s.authorizedAt ?? "date unknown"})`).join(", ");
  return [
    `This login would be approval ${c.live.length + 1} for the same Salesforce user and Connected App (app ${q.appFingerprint}); Salesforce keeps ${max}.`,
    `It would revoke the oldest one: org "${c.evicts.alias}", authorized ${c.evicts.authorizedAt ?? "at an unknown time"}, whose backups would then fail until it is re-authorized.`,
    `Live approvals, oldest first: ${list}.`,
    `To avoid it, authorize "${q.alias}" as another (integration) user, or revoke an unused approval first (Setup \u2192 Connected Apps OAuth Usage).`
  ].join("\n");
}

// src/salesforce/auth/verify-token.ts
function expectedKind(type) {
  if (type === "production" || type === "sandbox") return type;
  let host;
  try {
    host = new URL(type).hostname.toLowerCase();
  } catch {
    return void 0;
  }
  if (host.endsWith(".sandbox.my.salesforce.com")) return "sandbox";
  if (host.endsWith(".my.salesforce.com")) return "production";
  return void 0;
}
function sameId(a, b) {
  return a.slice(0, 15) === b.slice(0, 15);
}
async function readOrg(session, loginUrl) {
  try {
    const identity = await session.conn.identity();
    const result = await session.conn.query("SELECT Id, IsSandbox FROM Organization");
    const raw = result.records[0]?.IsSandbox;
    return { username: identity.username, isSandbox: raw === true || raw === "true" || raw === 1 };
  } catch (err) {
    throw classifyAuthError(err, loginUrl);
  }
}
async function verifyRefreshToken(creds, expect, o) {
  const session = await withinActivationWindow(() => connect(creds, o.onSecret ? { onSecret: o.onSecret } : {}), o.window);
  const { username, isSandbox } = await readOrg(session, creds.loginUrl);
  const kind = isSandbox ? "sandbox" : "production";
  const want = expectedKind(expect.type);
  if (want && want !== kind) {
    const fix = isSandbox ? "sandbox" : "production";
    throw new MisconfiguredError({
      reason: "wrong_org_type",
      message: `Org "${expect.alias}" is configured as ${want === "sandbox" ? "a sandbox" : "production"} (type: ${expect.type}), but the org just authorized (${session.orgId}, user ${username}) is ${isSandbox ? "a sandbox" : "a production org"}. Nothing was stored.`,
      remedy: `If this is the right org, set \`type: ${fix}\` (or its My Domain URL) for alias ${expect.alias} in the org config and run the command again; otherwise log in to the org the alias means.`,
      context: { otherLoginUrl: fix === "sandbox" ? "https://test.salesforce.com" : "https://login.salesforce.com", otherLoginUrlConfirmed: true }
    });
  }
  if (expect.orgId && !sameId(expect.orgId, session.orgId)) {
    throw new MisconfiguredError({
      reason: "bad_input",
      message: `Org "${expect.alias}" was org ${expect.orgId} until now, but the login was to org ${session.orgId} (user ${username}). Nothing was stored.`,
      remedy: `Run the command again and log in as a user of org ${expect.orgId} (the page asks for a login each time; log out of other orgs in that browser if it offers a saved one). If the alias really moved to another org, delete its status (orgs/${expect.alias}/ on the status branch) first.`
    });
  }
  return {
    refreshToken: session.rotatedRefreshToken ?? creds.refreshToken,
    rotated: session.rotatedRefreshToken !== void 0,
    orgId: session.orgId,
    userId: session.userId,
    username,
    instanceUrl: session.instanceUrl,
    isSandbox
  };
}

// src/salesforce/auth/web-login.ts
var import_jsforce = __toESM(require_jsforce(), 1);
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
var DEFAULT_CALLBACK_PORT = 1717;
var DEFAULT_CALLBACK_PATH = "/OauthRedirect";
var DEFAULT_SCOPE = "api refresh_token";
var DEFAULT_CALLBACK_TIMEOUT_MS = 5 * 6e4;
var WebLoginError = class extends ProductError {
  name = "WebLoginError";
  state;
  /** The OAuth `error` Salesforce redirected with, when it did. */
  oauthError;
  constructor(d) {
    super(d);
    this.state = d.state;
    this.oauthError = d.oauthError;
  }
};
function createPkce() {
  const verifier = randomBytes(64).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}
function buildAuthorizeUrl(p) {
  const url = new URL("/services/oauth2/authorize", `${p.loginUrl.replace(/\/+$/, "")}/`);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", p.clientId);
  url.searchParams.set("redirect_uri", p.redirectUri);
  url.searchParams.set("scope", p.scope);
  url.searchParams.set("code_challenge", p.codeChallenge);
  url.searchParams.set("code_challenge_method", "S256");
  url.searchParams.set("state", p.state);
  url.searchParams.set("prompt", "login");
  if (p.loginHint) url.searchParams.set("login_hint", p.loginHint);
  return url.href;
}
function redirectUriFor(port, path6) {
  return `http://localhost:${port}${path6.startsWith("/") ? path6 : `/${path6}`}`;
}
function escapeHtml(s) {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
function page(res, status, title, text) {
  const body = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body style="font-family:sans-serif;max-width:40em;margin:3em auto"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></body></html>`;
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", connection: "close" });
  res.end(body);
}
function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    const onError = (e) => {
      server.off("listening", onListening);
      reject(e);
    };
    const onListening = () => {
      server.off("error", onError);
      resolve();
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(port, host);
  });
}
function oauthErrorRemedy(error, orgLabel) {
  switch (error) {
    case "access_denied":
      return { state: "reauth_required", remedy: `Run the command again and choose Allow on the Salesforce page for ${orgLabel}.` };
    case "invalid_scope":
      return {
        state: "misconfigured",
        remedy: 'Add the scopes "Manage user data via APIs (api)" and "Perform requests at any time (refresh_token, offline_access)" to the Connected App, or pass --scope with scopes it allows.'
      };
    case "inactive_user":
      return { state: "reauth_required", remedy: "Log in as an active user, or reactivate (unfreeze) the user in Setup \u2192 Users." };
    case "inactive_org":
      return { state: "misconfigured", remedy: "The org is locked or inactive; check it in Salesforce, and remove it from the config if it is gone." };
    case "rate_limit_exceeded":
      return { state: "transient", remedy: "Salesforce is limiting logins for now; wait a few minutes and run the command again." };
    default:
      return {
        state: "misconfigured",
        remedy: "Check the Connected App settings (OAuth enabled, scopes api and refresh_token, the callback URL), then run the command again."
      };
  }
}
async function startCallbackServer(o) {
  let settle;
  const result = new Promise((resolve, reject) => {
    settle = { resolve, reject };
  });
  result.catch(() => {
  });
  let done = false;
  const finish = (outcome) => {
    if (done) return;
    done = true;
    if (outcome instanceof WebLoginError) settle.reject(outcome);
    else settle.resolve(outcome);
  };
  const handler = (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method !== "GET" || url.pathname !== o.path) {
      page(res, 404, "Not found", "This address only receives the login redirect from Salesforce.");
      return;
    }
    if (done) {
      page(res, 409, "Already handled", "This login was already completed or cancelled; return to the terminal.");
      return;
    }
    const q = url.searchParams;
    if (q.get("state") !== o.state) {
      page(res, 400, "Login refused", "The answer did not belong to the login started in the terminal (state mismatch). Nothing was stored.");
      finish(
        new WebLoginError({
          state: "transient",
          reason: "state_mismatch",
          message: "The browser came back with a login that was not the one this command started (the state parameter did not match). Nothing was stored.",
          remedy: "Run the command again and use the URL it prints; close older Salesforce login tabs first."
        })
      );
      return;
    }
    const error = q.get("error");
    if (error) {
      const description = q.get("error_description") ?? "";
      const { state, remedy } = oauthErrorRemedy(error, o.orgLabel);
      page(res, 400, "Login not completed", `Salesforce answered ${error}${description ? `: ${description}` : ""}. Nothing was stored; see the terminal.`);
      finish(
        new WebLoginError({
          state,
          reason: error === "access_denied" ? "access_denied" : "authorize_error",
          oauthError: error,
          message: `Salesforce did not authorize ${o.orgLabel}: ${error}${description ? ` (${description})` : ""}. Nothing was stored.`,
          remedy
        })
      );
      return;
    }
    const code = q.get("code");
    if (!code) {
      page(res, 400, "Login not completed", "Salesforce sent neither a code nor an error. Nothing was stored; see the terminal.");
      finish(
        new WebLoginError({
          state: "misconfigured",
          reason: "no_code",
          message: "Salesforce redirected back without an authorization code. Nothing was stored.",
          remedy: "Run the command again; if it repeats, check that the Connected App uses the web-server flow (OAuth settings enabled)."
        })
      );
      return;
    }
    page(res, 200, "Salesforce login received", "You can close this tab and return to the terminal, which verifies the login and stores it.");
    finish({ code });
  };
  const servers = [http.createServer(handler)];
  const first = servers[0];
  try {
    await listen(first, o.port, "127.0.0.1");
  } catch (e) {
    const code = e.code;
    throw new WebLoginError({
      state: "misconfigured",
      reason: "port_in_use",
      message: `Cannot receive the login redirect on port ${o.port} of this machine (${code ?? e.message}).`,
      remedy: `Stop what is using port ${o.port} (another sfbackup reauth or sf org login?), or pass --port with a port whose http://localhost:PORT${o.path} is listed among the Connected App's callback URLs.`
    });
  }
  const port = first.address().port;
  const v6 = http.createServer(handler);
  try {
    await listen(v6, port, "::1");
    servers.push(v6);
  } catch {
  }
  const timer = setTimeout(
    () => finish(
      new WebLoginError({
        state: "transient",
        reason: "timeout",
        message: `No login came back within ${Math.round(o.timeoutMs / 1e3)} seconds. Nothing was stored.`,
        remedy: 'Run the command again and finish the login in the browser. If the browser showed "OAuth Error" with redirect_uri_mismatch, add the callback URL to the Connected App; with invalid_client_id, the app is new or changed: wait up to 10 minutes.'
      })
    ),
    o.timeoutMs
  );
  timer.unref();
  const onAbort = () => finish(
    new WebLoginError({
      state: "aborted",
      reason: "aborted",
      message: "Cancelled before the login completed. Nothing was stored.",
      remedy: "Run the command again when you are ready to log in."
    })
  );
  if (o.signal?.aborted) onAbort();
  o.signal?.addEventListener("abort", onAbort, { once: true });
  const close = async () => {
    clearTimeout(timer);
    o.signal?.removeEventListener("abort", onAbort);
    await Promise.all(
      servers.map(
        (s) => new Promise((resolve) => {
          s.close(() => resolve());
          s.closeIdleConnections();
          setTimeout(() => s.closeAllConnections(), 1e3).unref();
        })
      )
    );
  };
  return { port, redirectUri: redirectUriFor(port, o.path), result, close };
}
function openBrowser(url) {
  const [cmd, args] = process.platform === "darwin" ? ["open", [url]] : process.platform === "win32" ? ["rundll32", ["url.dll,FileProtocolHandler", url]] : ["xdg-open", [url]];
  try {
    const child = spawn(cmd, args, { stdio: "ignore", detached: true });
    child.on("error", () => {
    });
    child.unref();
  } catch {
  }
}
async function exchangeCode(p) {
  const oauth2 = new import_jsforce.OAuth2({
    loginUrl: p.loginUrl,
    clientId: p.clientId,
    redirectUri: p.redirectUri,
    ...p.clientSecret ? { clientSecret: p.clientSecret } : {}
  });
  let res;
  try {
    res = await oauth2.requestToken(p.code, { code_verifier: p.verifier });
  } catch (err) {
    throw classifyAuthError(err, p.loginUrl);
  }
  const ids = typeof res?.id === "string" ? new URL(res.id).pathname.split("/").filter(Boolean).slice(-2) : [];
  if (typeof res?.access_token !== "string" || typeof res.instance_url !== "string" || !ids[0]?.startsWith("00D") || !ids[1]?.startsWith("005")) {
    throw new WebLoginError({
      state: "misconfigured",
      reason: "bad_response",
      message: `${p.loginUrl} did not answer the code exchange like a Salesforce login server.`,
      remedy: "Check the login URL: https://login.salesforce.com, https://test.salesforce.com, or the org\u2019s My Domain URL."
    });
  }
  if (typeof res.refresh_token !== "string" || res.refresh_token === "") {
    throw new WebLoginError({
      state: "misconfigured",
      reason: "no_refresh_token",
      message: "Salesforce completed the login but issued no refresh token. Nothing was stored.",
      remedy: 'Add "Perform requests at any time (refresh_token, offline_access)" to the Connected App\u2019s selected OAuth scopes, and keep refresh_token in --scope.'
    });
  }
  return {
    refreshToken: res.refresh_token,
    accessToken: res.access_token,
    instanceUrl: res.instance_url,
    orgId: ids[0],
    userId: ids[1],
    scope: typeof res.scope === "string" ? res.scope : void 0
  };
}
async function revokeRefreshToken(loginUrl, refreshToken) {
  try {
    await new import_jsforce.OAuth2({ loginUrl }).revokeToken(refreshToken);
    return true;
  } catch {
    return false;
  }
}
async function preflightClient(p) {
  const oauth2 = new import_jsforce.OAuth2({
    loginUrl: p.loginUrl,
    clientId: p.clientId,
    redirectUri: p.redirectUri,
    ...p.clientSecret ? { clientSecret: p.clientSecret } : {}
  });
  try {
    await oauth2.requestToken(`sfbackup-preflight-${randomBytes(8).toString("hex")}`, { code_verifier: createPkce().verifier });
  } catch (err) {
    if (err instanceof Error && err.name === "invalid_grant") return { callbackListed: void 0 };
    if (err instanceof Error && err.name === "redirect_uri_mismatch") return { callbackListed: false };
    throw classifyAuthError(err, p.loginUrl);
  }
  throw new WebLoginError({
    state: "misconfigured",
    reason: "bad_response",
    message: `${p.loginUrl} accepted a made-up authorization code: it does not behave like a Salesforce login server.`,
    remedy: "Check the login URL: https://login.salesforce.com, https://test.salesforce.com, or the org\u2019s My Domain URL."
  });
}
async function authorizeInBrowser(o) {
  const pkce = createPkce();
  const state = randomBytes(24).toString("base64url");
  const path6 = o.callbackPath ?? DEFAULT_CALLBACK_PATH;
  const server = await startCallbackServer({
    port: o.port ?? DEFAULT_CALLBACK_PORT,
    path: path6.startsWith("/") ? path6 : `/${path6}`,
    state,
    timeoutMs: o.timeoutMs ?? DEFAULT_CALLBACK_TIMEOUT_MS,
    orgLabel: o.orgLabel,
    ...o.signal ? { signal: o.signal } : {}
  });
  let shown = Promise.resolve();
  try {
    const url = buildAuthorizeUrl({
      loginUrl: o.loginUrl,
      clientId: o.clientId,
      redirectUri: server.redirectUri,
      scope: o.scope ?? DEFAULT_SCOPE,
      codeChallenge: pkce.challenge,
      state,
      ...o.loginHint ? { loginHint: o.loginHint } : {}
    });
    shown = Promise.resolve().then(() => o.onAuthorizeUrl(url, server.redirectUri));
    const { code } = await Promise.race([server.result, shown.then(() => server.result)]);
    return { code, verifier: pkce.verifier, redirectUri: server.redirectUri };
  } finally {
    await shown.catch(() => {
    });
    await server.close();
  }
}
async function webLogin(o) {
  const auth = await authorizeInBrowser(o);
  const exchange = () => exchangeCode({
    loginUrl: o.loginUrl,
    clientId: o.clientId,
    redirectUri: auth.redirectUri,
    code: auth.code,
    verifier: auth.verifier,
    ...o.clientSecret ? { clientSecret: o.clientSecret } : {}
  });
  return o.retry ? o.retry(exchange) : exchange();
}

// src/app/reauth.ts
var ReauthUsageError = class extends MisconfiguredError {
  constructor(message) {
    super({ reason: "bad_input", message, remedy: 'Run "sfbackup reauth --help" for the options.' });
  }
};
var ReauthDeclinedError = class extends MisconfiguredError {
  constructor(message, remedy) {
    super({ reason: "bad_input", message, remedy });
  }
};
async function readKnownStatuses(dir, aliases, warn) {
  if (!existsSync(dir)) {
    throw new ReauthUsageError(`--status-dir ${dir} does not exist: check out the status branch there (or leave the option out to skip the approval check)`);
  }
  const out = [];
  for (const alias of aliases) {
    try {
      const { status } = await readOrgFiles(dir, alias);
      if (status) out.push(status);
    } catch (e) {
      warn(`Warning: ignoring the status of org "${alias}": ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return out;
}
async function statusAliases(dir) {
  const orgs = path3.join(dir, "orgs");
  if (!existsSync(orgs)) return [];
  return (await readdir(orgs, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
}
var REPOSITORY = /^([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)\/([A-Za-z0-9._-]+)$/;
function resolveOrg(s) {
  if (s.org.from === "config") {
    const { configFile, secret: secret2 } = s.org;
    const config = loadConfig(configFile);
    const org = selectOrg(config, s.org.alias, configFile);
    const configured = resolveSecretTargets(config, org, s.repo).refreshToken;
    const loginUrl2 = (s.loginUrl ?? loginUrlForType(org.type)).replace(/\/+$/, "");
    return {
      alias: org.alias,
      label: `org "${org.alias}" (${loginUrl2})`,
      type: org.type,
      loginUrl: loginUrl2,
      target: secret2 ? { ...configured, name: secret2 } : configured,
      aliases: async () => config.orgs.map((o) => o.alias)
    };
  }
  const { type, secret, alias } = s.org;
  const m = REPOSITORY.exec(s.repo.trim());
  if (!m?.[1] || !m[2]) throw new ReauthUsageError(`--repo must be owner/name (the repository whose secret ${secret} receives the token), not "${s.repo}"`);
  const loginUrl = (s.loginUrl ?? loginUrlForType(type)).replace(/\/+$/, "");
  return {
    alias,
    label: alias ? `org "${alias}" (${loginUrl})` : `the org at ${loginUrl}`,
    type,
    loginUrl,
    target: { scope: "repository", owner: m[1], repo: m[2], name: secret },
    aliases: async (dir) => [.../* @__PURE__ */ new Set([...await statusAliases(dir), ...alias ? [alias] : []])]
  };
}
function kindText(kind) {
  return kind === "sandbox" ? "a sandbox" : "a production org";
}
function flagsWording(e, org) {
  if (!(e instanceof MisconfiguredError) || e.reason !== "wrong_org_type") return e;
  const want = expectedKind(org.type);
  if (!want) return e;
  const actual = want === "sandbox" ? "production" : "sandbox";
  const said = org.type === want ? `--type ${want}` : `--login-url ${org.type}`;
  return new MisconfiguredError({
    reason: "wrong_org_type",
    message: `${said} says ${kindText(want)}, but the org just authorized is ${kindText(actual)}. Nothing was stored.`,
    remedy: `If this is the right org, run the command again with --type ${actual} (or its My Domain URL as --login-url), and have the backups log in the same way; otherwise log in to ${kindText(want)}.`,
    ...e.context ? { context: e.context } : {},
    cause: e
  });
}
async function reauth(s, io2) {
  if (!io2.writer && !s.dryRun) throw new ReauthUsageError("reauth needs a GitHub token that can write secrets (--github-token, GH_TOKEN or GITHUB_TOKEN)");
  const org = resolveOrg(s);
  const { loginUrl, label, target } = org;
  const name = org.alias;
  const fingerprint = appFingerprint(s.clientId);
  let own;
  if (s.statusDir && name) {
    const aliases = await org.aliases(s.statusDir);
    const statuses = await readKnownStatuses(s.statusDir, aliases, io2.err);
    own = statuses.find((x) => x.alias.toLowerCase() === name.toLowerCase());
    const query = { alias: name, appFingerprint: fingerprint, statuses, configuredAliases: aliases };
    const approvals = checkApprovals(query);
    const warning = approvalWarning(query, approvals);
    if (warning) {
      io2.err(`Warning: ${warning}`);
      if (!s.yes) {
        if (!io2.confirm) {
          throw new ReauthDeclinedError(
            `Not authorizing org "${name}": it would revoke the token of org "${approvals.evicts?.alias}", and there is no terminal to confirm that.`,
            "Run the command in a terminal to answer the question, authorize as another user, or pass --yes to accept that the other org must be re-authorized afterwards."
          );
        }
        if (!await io2.confirm(`Authorize "${name}" anyway and let Salesforce revoke "${approvals.evicts?.alias}"?`)) {
          throw new ReauthDeclinedError(
            `Not authorizing org "${name}": declined. Nothing was changed.`,
            "Authorize as another user, or revoke an unused approval first."
          );
        }
      }
    } else if (!approvals.known) {
      io2.err(`Note: the status data knows no user for org "${name}" yet, so the approval limit (5 per user and app) could not be checked.`);
    }
  } else if (s.statusDir) {
    io2.err("Note: --status-dir is read by alias; without --alias the approval limit (5 per user and app) was not checked.");
  }
  io2.err(`Checking the Connected App (app ${fingerprint}) at ${loginUrl} ...`);
  const redirectUri = redirectUriFor(s.port, s.callbackPath);
  const preflight = await withinActivationWindow(
    () => preflightClient({ loginUrl, clientId: s.clientId, clientSecret: s.clientSecret, redirectUri }),
    io2.window
  );
  if (preflight.callbackListed === false && s.port !== 0) {
    io2.err(
      `Note: ${loginUrl} says ${redirectUri} is not among the Connected App's callback URLs. If the browser shows redirect_uri_mismatch, add it (Setup \u2192 App Manager \u2192 the app \u2192 Edit \u2192 Callback URL) or pass --port/--callback-path to match one it lists.`
    );
  }
  const grant = await webLogin({
    loginUrl,
    clientId: s.clientId,
    clientSecret: s.clientSecret,
    port: s.port,
    callbackPath: s.callbackPath,
    scope: s.scope,
    timeoutMs: s.callbackTimeoutMs,
    orgLabel: label,
    ...s.loginHint ? { loginHint: s.loginHint } : {},
    ...io2.signal ? { signal: io2.signal } : {},
    onAuthorizeUrl: io2.showAuthorizeUrl,
    retry: (fn) => withinActivationWindow(fn, io2.window)
  });
  const authorizedAt = new Date(io2.window.now()).toISOString();
  io2.err(`Login received for org ${grant.orgId}; verifying the new refresh token ...`);
  let verified;
  try {
    verified = await verifyRefreshToken(
      { loginUrl, clientId: s.clientId, clientSecret: s.clientSecret, refreshToken: grant.refreshToken, apiVersion: s.apiVersion },
      { alias: name ?? target.name, type: org.type, orgId: own?.orgId ?? null },
      { window: io2.window }
    );
  } catch (e) {
    await revokeRefreshToken(loginUrl, grant.refreshToken);
    throw s.org.from === "flags" ? flagsWording(e, org) : e;
  }
  if (s.dryRun || !io2.writer) {
    await revokeRefreshToken(loginUrl, verified.refreshToken);
  } else {
    try {
      await io2.writer.write(target, verified.refreshToken);
    } catch (e) {
      io2.err(
        `The login to org ${verified.orgId} was verified, but its token could not be stored in the ${describeSecretTarget(target)}; nothing was stored. Fix the cause below and run the command again.`
      );
      await revokeRefreshToken(loginUrl, verified.refreshToken);
      throw e;
    }
  }
  return {
    alias: name,
    orgId: verified.orgId,
    userId: verified.userId,
    username: verified.username,
    instanceUrl: verified.instanceUrl,
    target,
    stored: Boolean(io2.writer && !s.dryRun),
    rotated: verified.rotated,
    appFingerprint: fingerprint,
    authorizedAt
  };
}

// src/cli/commands/reauth.ts
var FLAGS2 = {
  org: { kind: "string", value: "ALIAS", help: "an org of the org config (its login host and secret\ncome from there)" },
  config: { kind: "string", value: "FILE", help: `the org config; only with --org
(default ${DEFAULT_CONFIG_FILE})` },
  type: {
    kind: "string",
    value: "KIND",
    help: [
      "production (login.salesforce.com) or sandbox",
      "(test.salesforce.com): where to log in and what",
      "the org must be; with --org: log in on that host",
      "this once (the config's type still decides what",
      "the org must be)"
    ].join("\n")
  },
  "login-url": {
    kind: "string",
    value: "URL",
    help: [
      "log in on this host, e.g. the My Domain",
      "https://acme.my.salesforce.com (with --type too:",
      "the host, while --type says what the org must be);",
      "with --org: this once instead of the host the config's",
      "type names"
    ].join("\n")
  },
  secret: {
    kind: "string",
    value: "NAME",
    help: [
      "the GitHub secret that receives the refresh token;",
      "without --org a repository secret (required); with",
      "--org it replaces the config's name for this run,",
      "in the config's secrets-scope"
    ].join("\n")
  },
  alias: { kind: "string", value: "NAME", help: "without --org: what to call the org in the texts\nand in --status-dir" },
  // No `env`: the variable comes after the one the org config names, which only the run knows.
  "client-id": {
    kind: "string",
    value: "KEY",
    help: "Consumer Key of the Connected App; else the variable\nthe config's client-id-secret names, else SF_CLIENT_ID",
    secret: true
  },
  "client-secret": {
    kind: "string",
    value: "SECRET",
    help: "Consumer Secret of the Connected App; else the\nvariable the config's client-secret-secret names,\nelse SF_CLIENT_SECRET",
    secret: true
  },
  ...GITHUB_FLAGS,
  port: { kind: "string", value: "N", help: `callback port (default ${DEFAULT_CALLBACK_PORT}; 0: any free port)` },
  "callback-path": {
    kind: "string",
    value: "PATH",
    help: `callback path (default ${DEFAULT_CALLBACK_PATH}); the
Connected App must list http://localhost:PORT/PATH
among its callback URLs`
  },
  scope: { kind: "string", value: "SCOPES", help: `OAuth scopes (default "${DEFAULT_SCOPE}")` },
  "login-hint": { kind: "string", value: "USERNAME", help: "prefill the username on the login page" },
  "no-browser": { kind: "boolean", help: "only print the URL to open" },
  "status-dir": {
    kind: "string",
    value: "DIR",
    help: "a checkout of the status branch: enables the\napproval-limit warning and the check that the\nlogin is to the same org as before"
  },
  yes: { kind: "boolean", short: "y", help: "go on past the approval-limit warning without\nasking (also -y)" },
  "dry-run": { kind: "boolean", help: "log in and verify, but store nothing" },
  "activation-window": {
    kind: "string",
    value: "SEC",
    help: `how long to wait for a new Connected App to become
active (default ${DEFAULT_ACTIVATION_WINDOW_MS / 1e3})`
  },
  timeout: { kind: "string", value: "SEC", help: `how long to wait for the browser login
(default ${DEFAULT_CALLBACK_TIMEOUT_MS / 1e3})` },
  "api-version": { kind: "string", value: "V", help: `Salesforce API version of the verification (default ${DEFAULT_API_VERSION})`, hidden: true }
};
var secretName = external_exports.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
  error: "must be the name of a GitHub secret (letters, digits, _) \u2014 e.g. --secret SF_REFRESH_TOKEN_PROD"
});
var settingsSchema2 = external_exports.object({
  type: external_exports.enum(["production", "sandbox"], { error: "must be production or sandbox; for a My Domain give --login-url https://acme.my.salesforce.com instead" }).optional(),
  loginUrl: external_exports.string().refine((v) => URL.canParse(v), { error: "must be a URL \u2014 e.g. --login-url https://acme.my.salesforce.com" }).pipe(orgTypeSettingSchema.transform((v) => v.replace(/\/+$/, ""))).optional(),
  secret: secretName.optional(),
  alias: aliasSetting.optional(),
  port: intIn(0, 65535, String(DEFAULT_CALLBACK_PORT)).default(DEFAULT_CALLBACK_PORT),
  callbackPath: external_exports.string().regex(/^\/[A-Za-z0-9._~\-/]*$/, { error: `must be a URL path \u2014 e.g. ${DEFAULT_CALLBACK_PATH}` }).default(DEFAULT_CALLBACK_PATH),
  activationWindow: intIn(0, 3600, String(DEFAULT_ACTIVATION_WINDOW_MS / 1e3)).optional(),
  timeout: intIn(1, 3600, String(DEFAULT_CALLBACK_TIMEOUT_MS / 1e3)).optional()
});
var SETTING_KEYS2 = {
  type: "type",
  loginUrl: "login-url",
  secret: "secret",
  alias: "alias",
  port: "port",
  callbackPath: "callback-path",
  activationWindow: "activation-window",
  timeout: "timeout"
};
var usage = (message) => new UsageError(message, "reauth");
function clientSetting(flag2, env, configured, fallback) {
  return (flag2 || (configured ? env[configured] : void 0) || env[fallback] || "").trim() || void 0;
}
function tryConfigClientNames(file, alias) {
  if (!existsSync2(file)) {
    throw usage(
      `--org ${alias} is read from the org config ${file}, which does not exist: pass --config FILE, or for an org backed up without a config file give --secret NAME with --type production|sandbox or --login-url URL instead of --org`
    );
  }
  try {
    const config = loadConfig(file);
    const org = selectOrg(config, alias, file);
    return {
      id: org["client-id-secret"] ?? config.defaults?.["client-id-secret"],
      secret: org["client-secret-secret"] ?? config.defaults?.["client-secret-secret"]
    };
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    return {};
  }
}
var NO_ORG = "reauth needs the org: --org ALIAS (an org of the org config), or without a config file --secret NAME with --type production|sandbox or --login-url URL";
function orgFrom(flags, checked) {
  const { type, loginUrl: url, secret, alias } = checked;
  if (flags.org) {
    if (alias !== void 0) throw usage("--alias names an org given without a config file; with --org the alias is the config's: leave --alias out");
    return {
      org: { from: "config", configFile: flags.config ?? DEFAULT_CONFIG_FILE, alias: flags.org, ...secret ? { secret } : {} },
      // --login-url is the more specific host when both are given.
      loginUrl: url ?? (type ? loginUrlForType(type) : void 0)
    };
  }
  if (secret === void 0 && type === void 0 && url === void 0 && alias === void 0) throw usage(NO_ORG);
  if (flags.config !== void 0) throw usage(`--config ${flags.config} is read only with --org ALIAS: add --org, or leave --config out`);
  if (secret === void 0) {
    throw usage(
      "reauth without --org needs --secret NAME: the GitHub repository secret the backups read the refresh token from (e.g. --secret SF_REFRESH_TOKEN_PROD)"
    );
  }
  if (type === void 0 && url === void 0) {
    throw usage(`reauth --secret ${secret} needs the org's login host: --type production, --type sandbox, or --login-url URL (its My Domain)`);
  }
  return { org: { from: "flags", type: type ?? url, secret, ...alias ? { alias } : {} }, loginUrl: type ? url : void 0 };
}
function reauthInvocation(flags, env, registerSecret = () => {
}) {
  const checked = validateFlags(settingsSchema2, FLAGS2, flags, SETTING_KEYS2);
  const { org, loginUrl } = orgFrom(flags, checked);
  const names = org.from === "config" ? tryConfigClientNames(org.configFile, org.alias) : {};
  const clientId = clientSetting(flags["client-id"], env, names.id, DEFAULT_CLIENT_ID_SECRET);
  const clientSecret = clientSetting(flags["client-secret"], env, names.secret, DEFAULT_CLIENT_SECRET_SECRET);
  for (const v of [clientId, clientSecret]) if (v) registerSecret(v);
  if (!clientId || !clientSecret) {
    throw usage(
      `reauth needs the Connected App's consumer key and secret: --client-id/--client-secret, or the variables ${names.id ?? DEFAULT_CLIENT_ID_SECRET} and ${names.secret ?? DEFAULT_CLIENT_SECRET_SECRET} (the backups log in with both, so the new token is verified with both)`
    );
  }
  const dryRun = flags["dry-run"];
  const job = jobContext({ token: flags["github-token"], apiUrl: flags["github-api-url"], repository: flags.repo }, env);
  const repo = (job.repository ?? "").trim();
  if (!repo) {
    throw usage(
      `reauth needs the GitHub repository whose secret receives the token: --repo OWNER/NAME (or GITHUB_REPOSITORY)${dryRun ? "; --dry-run needs it too, to say where the token would go" : ""}`
    );
  }
  const token = (job.token ?? "").trim();
  if (!dryRun && !token) {
    throw usage(
      'reauth needs a GitHub token allowed to write the secret: --github-token or GH_TOKEN (e.g. GH_TOKEN=$(gh auth token)); a fine-grained token needs "Secrets: Read and write" on the repository'
    );
  }
  return {
    settings: {
      org,
      clientId,
      clientSecret,
      repo,
      loginUrl,
      port: checked.port,
      callbackPath: checked.callbackPath,
      scope: flags.scope ?? DEFAULT_SCOPE,
      loginHint: flags["login-hint"],
      statusDir: flags["status-dir"],
      dryRun,
      yes: flags.yes,
      activationWindowMs: checked.activationWindow === void 0 ? DEFAULT_ACTIVATION_WINDOW_MS : checked.activationWindow * 1e3,
      callbackTimeoutMs: checked.timeout === void 0 ? DEFAULT_CALLBACK_TIMEOUT_MS : checked.timeout * 1e3,
      apiVersion: flags["api-version"] ?? DEFAULT_API_VERSION
    },
    github: { token, apiUrl: job.apiUrl },
    browser: !flags["no-browser"]
  };
}
var EXIT_INTERRUPTED = 130;
var cancelled = () => new WebLoginError({
  state: "aborted",
  reason: "aborted",
  message: "Cancelled before the login completed. Nothing was stored.",
  remedy: "Run the command again when you are ready to log in."
});
function loginPrompt(org) {
  if (org.from === "config") return `org "${org.alias}"`;
  return org.alias ? `org "${org.alias}"` : `the org whose token goes to ${org.secret}`;
}
function render(r, out) {
  const where = describeSecretTarget(r.target);
  out(
    `Authorized org ${r.orgId}${r.alias ? ` ("${r.alias}")` : ""} as ${r.username} (user ${r.userId}); the refresh token was verified${r.rotated ? " (the org rotates tokens: the rotated one is kept)" : ""}.`
  );
  if (r.stored) {
    out(`Stored it in the ${where}.`);
    out("Next: run the backup workflow (gh workflow run backup.yml), or wait for its schedule; the status page shows the org as ok after that run.");
  } else out(`Dry run: nothing was stored (it would go to the ${where}).`);
}
async function octokitWriter(token, apiUrl) {
  const [{ createOctokit }, { createSecretWriter }] = await Promise.all([import("./octokit-5ERUCFOM.js"), import("./secrets-DVGEWMEJ.js")]);
  return createSecretWriter(await createOctokit(token, apiUrl));
}
async function runReauth(run, io2, createWriter = octokitWriter) {
  const { settings, github } = run;
  const writer = settings.dryRun ? void 0 : await createWriter(github.token, github.apiUrl);
  const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY);
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  const out = (line) => io2.out(line);
  const err = (line) => io2.err(line);
  const reauthIo = {
    out,
    err,
    confirm: interactive ? async (question) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
      } finally {
        rl.close();
      }
    } : void 0,
    showAuthorizeUrl: (url, redirectUri) => {
      err(`Log in to ${loginPrompt(settings.org)} in a browser. Waiting for Salesforce to redirect to ${redirectUri} (Ctrl-C cancels):`);
      out(url);
      if (run.browser) openBrowser(url);
    },
    writer,
    window: realActivationWindow(
      settings.activationWindowMs,
      ({ nextMs }) => err(
        `The Connected App is not active at the login host yet (new or changed apps take up to 10 minutes); trying again in ${Math.round(nextMs / 1e3)} s ...`
      ),
      { signal: controller.signal, error: cancelled }
    ),
    signal: controller.signal
  };
  try {
    render(await reauth(settings, reauthIo), out);
    return 0;
  } catch (e) {
    if (e instanceof WebLoginError && e.state === "aborted") {
      err(`sfbackup: ${e.message}`);
      return EXIT_INTERRUPTED;
    }
    throw e;
  } finally {
    process.off("SIGINT", onSigint);
  }
}
var reauthCommand = defineCommand({
  name: "reauth",
  synopsis: "reauth --org ALIAS",
  summary: "Log in to one org in the browser (OAuth with PKCE), verify the new refresh token\nand store it in the org's GitHub secret. Without a config: --type production|sandbox\nor --login-url URL, with --secret NAME and --repo OWNER/NAME.",
  usage: [
    "sfbackup reauth --org ALIAS [options]",
    "    an org of the org config: its login host, its secret and the secret's scope come from there",
    "sfbackup reauth --type production|sandbox --secret NAME --repo OWNER/NAME [options]",
    "sfbackup reauth --login-url URL --secret NAME --repo OWNER/NAME [options]",
    "    an org backed up without a config file: the token goes to the repository secret NAME"
  ],
  notes: ["Nothing is stored unless the login is verified against the org.", SECRETS_NOTE],
  flags: FLAGS2,
  run: ({ flags, env, io: io2 }) => runReauth(reauthInvocation(flags, env, io2.secret), io2)
});

// src/cli/commands/restore.ts
import { tmpdir as tmpdir2 } from "node:os";
import path4 from "node:path";
var FLAGS3 = {
  mode: {
    kind: "string",
    value: "MODE",
    help: "missing (put back deleted records), overwrite (set fields back on\nexisting records) or upsert (by --external-id)"
  },
  objects: { kind: "string", value: "A,B", help: "objects to restore (default: every object of the snapshot)" },
  ids: { kind: "string", value: "ID,\u2026", help: "record Ids to restore (default: every record of the objects)" },
  where: {
    kind: "string",
    value: "CONDITION",
    help: `which records: a SOQL WHERE condition over the snapshot's fields,
e.g. "Industry = 'Banking' AND CreatedDate >= 2026-01-01T00:00:00Z"`
  },
  fields: { kind: "string", value: "O.F,\u2026", help: "overwrite/upsert: the fields to write (default: every updateable one)" },
  "external-id": { kind: "string", value: "FIELD", help: "upsert: the external id field (Object.Field, or a field every object has)" },
  "overwrite-newer": { kind: "boolean", help: "overwrite: also records the org changed after the snapshot" },
  mask: {
    kind: "string",
    value: "O.F=RULE,\u2026",
    help: "mask fields on the way in (seeding a sandbox): blank, fake or hash,\ne.g. Contact.Email=fake,Contact.Phone=blank"
  },
  "mask-key": {
    kind: "string",
    value: "KEY",
    env: "SFBACKUP_MASK_KEY",
    help: "the key of fake and hash masking (default: derived from the org Ids)",
    secret: true
  },
  "username-suffix": {
    kind: "string",
    value: ".NAME",
    help: "into another org: appended to the snapshot's usernames to find the\nsame users there (a sandbox's .name); default: same, \xB11 .suffix"
  },
  "fallback-user": {
    kind: "string",
    value: "USERNAME",
    help: "into another org: who records of unmatched or inactive users get\n(default: the user restoring)"
  },
  apply: { kind: "boolean", help: "carry the plan out (without it: a dry run that writes nothing to the org)" },
  "allow-production": { kind: "boolean", help: "allow --apply to write to a production org" },
  report: { kind: "string", value: "DIR", help: "where the plan and the results go (default ./salesforce-restore-<alias>-<UTC time>)" },
  ...LOGIN_FLAGS,
  alias: { kind: "string", value: "NAME", help: "without a config: the snapshot org's folder name when SNAPSHOT_DIR holds several" },
  config: { kind: "string", value: "FILE", help: `the org config (default ${DEFAULT_CONFIG_FILE} when --org is given)` },
  org: { kind: "string", value: "ALIAS", help: "the org of the config to restore into (its secrets from the variables it names)" },
  ...GITHUB_FLAGS,
  json: { kind: "boolean", help: "print the plan (and the result) as JSON on stdout" }
};
var settingsSchema3 = external_exports.object({
  mode: external_exports.enum(RESTORE_MODES, { error: "must be missing, overwrite or upsert \u2014 e.g. --mode missing" }),
  alias: aliasSetting.optional(),
  apply: flag("apply").default(false),
  allowProduction: flag("allow-production").default(false),
  overwriteNewer: flag("overwrite-newer").default(false)
});
var restoreCommand = defineCommand({
  name: "restore",
  synopsis: "restore SNAPSHOT_DIR --mode M",
  summary: "Compare a snapshot with the live org and write a plan (a dry run: what would be\nundeleted, created, updated or skipped, and why); with --apply, carry it out.",
  usage: [
    "sfbackup restore SNAPSHOT_DIR --mode missing|overwrite|upsert [--objects A,B] [--ids ID,\u2026] [--fields \u2026] [--apply]",
    "sfbackup restore SNAPSHOT_DIR --mode missing --config FILE --org ALIAS [--apply]",
    "sfbackup restore SNAPSHOT_DIR --mode missing --login-url https://test.salesforce.com --mask Contact.Email=fake [--apply]"
  ],
  notes: [
    SECRETS_NOTE,
    "The target org logs in as for `backup`. A production org is written to only with --allow-production.\nThe plan and the results (old Id, new Id, outcome per record) go to --report DIR; a second --apply\nwith the same --report reuses the Id mapping and creates no duplicates. docs/restore.md has the details."
  ],
  positionals: { names: ["SNAPSHOT_DIR"], missing: "restore needs the snapshot folder: sfbackup restore SNAPSHOT_DIR --mode missing" },
  flags: FLAGS3,
  async run({ flags, args, env, io: io2 }) {
    if (!flags.mode) throw new UsageError("restore needs --mode missing, overwrite or upsert", "restore");
    const settings = validateFlags(settingsSchema3, FLAGS3, flags, {
      mode: "mode",
      alias: "alias",
      apply: "apply",
      allowProduction: "allow-production",
      overwriteNewer: "overwrite-newer"
    });
    if (settings.mode === "upsert" && !flags["external-id"]) throw new UsageError("--mode upsert needs --external-id FIELD", "restore");
    let selection;
    try {
      selection = selectionFrom({
        objects: flags.objects,
        ids: flags.ids,
        where: flags.where,
        fields: flags.fields,
        overwriteNewer: settings.overwriteNewer,
        externalIdField: flags["external-id"],
        mask: flags.mask,
        usernameSuffix: flags["username-suffix"],
        fallbackUser: flags["fallback-user"]
      });
    } catch (err) {
      throw new UsageError([err.message, err.remedy].filter(Boolean).join(" "), "restore");
    }
    const job = jobContext({ token: flags["github-token"], repository: flags.repo, apiUrl: flags["github-api-url"] }, env);
    const fromConfig = Boolean(flags.config || flags.org);
    let target;
    if (fromConfig) {
      const configFile = flags.config ?? DEFAULT_CONFIG_FILE;
      const secrets = {};
      for (const [k, v] of Object.entries(env)) if (v && /^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) secrets[k] = v;
      target = {
        kind: "config",
        file: path4.resolve(configFile),
        displayName: configFile,
        alias: flags.org,
        secrets,
        secretsSource: "environment",
        apiVersion: flags["api-version"] ?? "62.0"
      };
    } else {
      const credentials = {};
      const names = {};
      for (const [key, name] of Object.entries(LOGIN_KEYS)) {
        credentials[key] = flags[name];
        names[key] = `--${name} (or ${LOGIN_FLAGS[name].env})`;
      }
      target = { kind: "inline", alias: settings.alias ?? "org", credentials, names };
    }
    const reportDir = path4.resolve(flags.report ?? `salesforce-restore-${flags.org ?? settings.alias ?? "org"}-${snapshotStamp(/* @__PURE__ */ new Date())}`);
    const report = await runRestore(
      {
        target,
        snapshot: { kind: "folder", dir: args[0], alias: settings.alias },
        storage: { kind: "local", branch: DEFAULT_BACKUP_BRANCH },
        mode: settings.mode,
        selection,
        maskKey: flags["mask-key"],
        apply: settings.apply,
        allowProduction: settings.allowProduction,
        reportDir,
        baseDir: process.cwd(),
        tempDir: tmpdir2(),
        lifecycle: {
          githubToken: job.token,
          secretsToken: flags.repo && job.token ? job.token : void 0,
          repository: flags.repo,
          apiUrl: job.apiUrl,
          runUrl: null,
          statusBranch: "salesforce-backup-status",
          publishStatus: false,
          redactStatus: false,
          openIssues: false,
          appPendingWindow: 0,
          secretWriteSetting: "--repo OWNER/NAME with a GH_TOKEN that can write its secrets",
          loginSetting: "--login-url (or SF_LOGIN_URL)"
        },
        githubToken: job.token
      },
      {
        info: (m) => io2.err(m),
        warning: (m) => io2.err(`Warning: ${m}`),
        mask: (s) => io2.secret(s)
      }
    );
    print(report, io2, flags.json);
    const failed = report.result?.objects.reduce((n, o) => n + o.counts.failed, 0) ?? 0;
    return failed > 0 ? EXIT.incomplete : EXIT.ok;
  }
});
function print(report, io2, json) {
  if (json) {
    io2.out(
      JSON.stringify({
        snapshot: report.snapshotLocation,
        target: report.target,
        plan: report.plan,
        planDir: report.planDir,
        result: report.result ?? null,
        resultsDir: report.resultsDir ?? null
      })
    );
    return;
  }
  io2.out(`Restore ${report.result ? "" : "plan (dry run) "}from ${report.snapshotLocation} into org ${report.target.orgId} (${report.target.alias}).`);
  io2.out(formatPlan(report.plan).trimEnd());
  io2.out(`Plan: ${report.planDir}`);
  if (!report.result) {
    io2.out("Nothing was written to the org. Run again with --apply to carry this plan out.");
    return;
  }
  io2.out("");
  io2.out("Applied:");
  const width = Math.max(6, ...report.result.objects.map((o) => o.name.length));
  for (const o of report.result.objects) {
    const c = o.counts;
    io2.out(`  ${o.name.padEnd(width)}  ${c.undeleted} undeleted, ${c.created} created, ${c.updated} updated, ${c.skipped} skipped, ${c.failed} failed`);
  }
  io2.out(`Results (old Id, new Id, outcome, error per record): ${report.resultsDir ?? ""}`);
}

// src/cli/commands/rotate-app.ts
var RotateAppUsageError = class extends MisconfiguredError {
  constructor(message) {
    super({ reason: "bad_input", message, remedy: 'Run "sfbackup rotate-app --help" for the options.' });
  }
};
function printPlan(plan, out) {
  out(`App ${plan.previousFingerprint} \u2192 app ${plan.newFingerprint}.`);
  out(`Secrets: ${plan.writes.map((w) => describeSecretTarget(w.target)).join("; ")}.`);
  for (const u of plan.untouched) out(`Left as it is: ${u.alias} (${u.why}).`);
}
var rotateAppCommand = defineCommand({
  name: "rotate-app",
  synopsis: "rotate-app --client-id NEW --client-secret NEW",
  summary: "Store a new Connected App consumer key and secret in the org config's secrets and\nstart a re-authorization campaign for the orgs of the old app.",
  usage: ["sfbackup rotate-app --client-id NEW --client-secret NEW [options]"],
  notes: [
    'Prefer the environment variables for secrets: command lines are visible to other processes.\nNew or changed Connected App credentials take up to 10 minutes to become active; then run\n"sfbackup reauth --org ALIAS" for each org listed.'
  ],
  flags: {
    config: { kind: "string", value: "FILE", help: `the org config (default ${DEFAULT_CONFIG_FILE})` },
    "client-id": { kind: "string", value: "KEY", env: "SF_NEW_CLIENT_ID", help: "the new Consumer Key", secret: true },
    "client-secret": { kind: "string", value: "SECRET", env: "SF_NEW_CLIENT_SECRET", help: "the new Consumer Secret", secret: true },
    "old-client-id": {
      kind: "string",
      value: "KEY",
      env: "SF_CLIENT_ID",
      help: "the Consumer Key being replaced: identifies the orgs of the old app when\nthe status branch does not know them",
      secret: true
    },
    ...GITHUB_FLAGS,
    "status-branch": { kind: "string", value: "NAME", help: `the status branch (default ${DEFAULT_STATUS_BRANCH})` },
    "remote-url": { kind: "string", value: "URL", help: "git URL of the repository (default GITHUB_SERVER_URL/OWNER/NAME.git)" },
    "no-status": { kind: "boolean", help: "do not read or publish the status branch" },
    "no-issues": { kind: "boolean", help: "do not open an issue per org" },
    redact: { kind: "boolean", help: "leave usernames and My Domain hosts out of the status data" },
    "dry-run": { kind: "boolean", help: "show what would be written and who must re-authorize; write nothing" }
  },
  async run({ flags, env, io: io2 }) {
    const newClientId = (flags["client-id"] ?? "").trim();
    const newClientSecret = (flags["client-secret"] ?? "").trim();
    if (!newClientId || !newClientSecret) {
      throw new RotateAppUsageError(
        "rotate-app needs the new Consumer Key and Secret: --client-id and --client-secret (or SF_NEW_CLIENT_ID and SF_NEW_CLIENT_SECRET)"
      );
    }
    const oldClientId = (flags["old-client-id"] ?? "").trim() || void 0;
    const job = jobContext({ token: flags["github-token"], apiUrl: flags["github-api-url"], repository: flags.repo }, env);
    const repository = (job.repository ?? "").trim();
    if (!/^[^/\s]+\/[^/\s]+$/.test(repository)) {
      throw new RotateAppUsageError("rotate-app needs the repository that holds the secrets: --repo OWNER/NAME (or GITHUB_REPOSITORY)");
    }
    const [owner, repo] = repository.split("/");
    const token = (job.token ?? "").trim();
    const apiUrl = job.apiUrl;
    const dryRun = flags["dry-run"];
    const withStatus = !flags["no-status"];
    if (!token && !dryRun) {
      throw new RotateAppUsageError(
        'rotate-app needs a GitHub token allowed to write the secrets: --github-token or GH_TOKEN (e.g. GH_TOKEN=$(gh auth token)); a fine-grained token needs "Secrets: Read and write" on the repository (docs/github-token.md)'
      );
    }
    const configFile = flags.config ?? DEFAULT_CONFIG_FILE;
    const config = loadConfig(configFile);
    const branch = flags["status-branch"] ?? DEFAULT_STATUS_BRANCH;
    const remoteUrl = flags["remote-url"] ?? `${job.serverUrl}/${owner}/${repo}.git`;
    const log = { info: (m) => io2.err(m), warning: (m) => io2.err(`Warning: ${m}`) };
    const context = { ...token ? { token } : {}, repository, log, mask: (s) => io2.secret(s) };
    const result = await runRotation(
      {
        config,
        repository,
        newClientId,
        newClientSecret,
        ...oldClientId ? { oldClientId } : {},
        ...withStatus ? { status: { branch, remoteUrl, context, redact: flags.redact } } : {},
        dryRun,
        secretValues: [token, ...oldClientId ? [oldClientId] : []]
      },
      {
        log,
        onPlan: (plan2) => printPlan(plan2, io2.out),
        // Loaded only when something is written: a dry run needs no GitHub client.
        writer: async () => {
          const [{ createOctokit }, { createSecretWriter }] = await Promise.all([import("./octokit-5ERUCFOM.js"), import("./secrets-DVGEWMEJ.js")]);
          return createSecretWriter(await createOctokit(token, apiUrl));
        },
        issues: async () => {
          if (flags["no-issues"]) return void 0;
          const { createOctokit } = await import("./octokit-5ERUCFOM.js");
          return { octokit: await createOctokit(token, apiUrl), repo: { owner, repo } };
        }
      }
    );
    const { plan } = result;
    if (dryRun) io2.out(`Dry run: nothing was written. These orgs would need re-authorizing (${plan.orgs.length}):`);
    else {
      io2.out(`Stored the new consumer key and secret (app ${plan.newFingerprint}) in ${result.written.length} secret(s).`);
      io2.out(
        `Re-authorization campaign ${result.campaign.id}: ${result.progress.done} of ${result.progress.total} orgs re-authorized${result.status ? ` (status branch ${result.status.branch})` : ""}.`
      );
      io2.out("The new credentials take up to 10 minutes to become active; then re-authorize each org:");
    }
    const width = Math.max(...plan.orgs.map((o) => o.alias.length));
    const hostWidth = Math.max(...plan.orgs.map((o) => o.loginHost.length));
    for (const o of plan.orgs) io2.out(`  ${o.alias.padEnd(width)}  ${o.loginHost.padEnd(hostWidth)}  ${o.reauthCommand}`);
    if (result.statusError) {
      io2.err(`The campaign was not published: ${describeFailure(result.statusError)}`);
      return EXIT.failed;
    }
    return EXIT.ok;
  }
});

// src/cli/commands/verify.ts
import path5 from "node:path";
var verifyCommand = defineCommand({
  name: "verify",
  synopsis: "verify DIR",
  summary: "Check a snapshot (DIR, DIR/<alias>, DIR/<alias>/latest or a dated folder) against\nits manifest: every file's sha256, row counts, Id order and buckets; and list\nwhat killed runs left next to it.",
  usage: ["sfbackup verify DIR [--json]"],
  positionals: { names: ["DIR"], missing: "verify needs the snapshot folder: sfbackup verify DIR" },
  flags: { json: { kind: "boolean", help: "print the report as JSON on stdout" } },
  async run({ flags, args, io: io2 }) {
    const report = await verifySnapshot(path5.resolve(args[0]));
    const leftovers = leftoversAround(report.dir);
    for (const l of leftovers)
      io2.err(`Warning: leftover ${l.path}: ${l.what}${l.running ? ` (run ${l.pid} is still going)` : "; the next backup into this folder removes it"}.`);
    if (flags.json) io2.out(JSON.stringify({ ok: true, ...report, leftovers }));
    else {
      io2.out(`Snapshot ${report.dir} is intact: org ${report.orgId}, ${report.mode} run finished ${report.finishedAt}.`);
      io2.out(
        `  ${formatCount(report.objects.length)} objects, ${formatCount(report.rows)} rows, ${formatCount(report.files)} files, ${formatBytes(report.bytes)}; every checksum and count matches.`
      );
      const failed = report.objects.filter((o) => o.status === "failed");
      if (failed.length) io2.out(`  Objects marked failed in this snapshot: ${failed.map((o) => o.name).join(", ")}`);
    }
    return EXIT.ok;
  }
});
function corruptDetails(e) {
  return e instanceof SnapshotCorruptError ? { dir: e.dir, problems: e.problems } : void 0;
}

// src/cli/commands/watchdog.ts
var WatchdogUsageError = class extends MisconfiguredError {
  constructor(message) {
    super({ reason: "bad_input", message, remedy: 'Run "sfbackup watchdog --help" for the options.' });
  }
};
var watchdogCommand = defineCommand({
  name: "watchdog",
  synopsis: "watchdog --repo OWNER/NAME",
  summary: "Check that the backup workflow is still enabled; enable it again when GitHub\ndisabled it for inactivity, and record that on the status branch.",
  usage: ["sfbackup watchdog --repo OWNER/NAME [--workflow FILE] [options]"],
  notes: [
    "GitHub disables scheduled workflows after 60 days without repository activity. The token needs\nActions: Read and write on the repository (and Contents: Read and write for the status branch).\nExit 0 when the workflow is active, was enabled again, or was disabled by a person (reported,\nleft as it is); 2 when the token may not do it or the workflow does not exist; 5 when GitHub\ndid not answer."
  ],
  flags: {
    repo: GITHUB_FLAGS.repo,
    "github-token": { ...GITHUB_FLAGS["github-token"], help: "a token with Actions: Read and write (and Contents: write for the status)" },
    "github-api-url": GITHUB_FLAGS["github-api-url"],
    workflow: { kind: "string", value: "FILE", help: "the backup workflow under .github/workflows/ (default backup.yml)" },
    "no-dispatch": { kind: "boolean", help: "do not start a run after enabling the workflow again" },
    "status-branch": { kind: "string", value: "NAME", help: `the status branch (default ${DEFAULT_STATUS_BRANCH})` },
    remote: { kind: "string", value: "URL", help: "git URL of the repository holding the status branch\n(default GITHUB_SERVER_URL/OWNER/NAME.git)" },
    "no-status": { kind: "boolean", help: "do not record the check on the status branch" },
    json: { kind: "boolean", help: "print the result as one JSON object" }
  },
  async run({ flags, env, io: io2 }) {
    const job = jobContext({ token: flags["github-token"], apiUrl: flags["github-api-url"], repository: flags.repo }, env);
    const repo = repositoryRef(job.repository?.trim());
    if (!repo || job.repository?.split("/").length !== 2)
      throw new WatchdogUsageError("watchdog needs the repository of the backup workflow: --repo OWNER/NAME (or GITHUB_REPOSITORY)");
    const token = (job.token ?? "").trim();
    if (!token) {
      throw new WatchdogUsageError(
        "watchdog needs a GitHub token allowed to read and enable the workflow: --github-token or GH_TOKEN (e.g. GH_TOKEN=$(gh auth token))"
      );
    }
    const workflow = flags.workflow ?? "backup.yml";
    if (!/^(\.?\/?\.github\/workflows\/)?[A-Za-z0-9._-]+\.ya?ml$/.test(workflow.trim())) {
      throw new WatchdogUsageError(`--workflow ${workflow}: expected the file name of the backup workflow, such as backup.yml`);
    }
    const log = { info: (m) => io2.err(m), warning: (m) => io2.err(`Warning: ${m}`), mask: (s) => io2.secret(s) };
    const context = { token, repository: `${repo.owner}/${repo.repo}`, log, mask: (s) => io2.secret(s) };
    const result = await runWatchdog(
      {
        repo,
        workflow,
        dispatch: !flags["no-dispatch"],
        ...flags["no-status"] ? {} : {
          status: {
            branch: flags["status-branch"] ?? DEFAULT_STATUS_BRANCH,
            remoteUrl: flags.remote ?? `${job.serverUrl}/${repo.owner}/${repo.repo}.git`,
            context
          }
        },
        runUrl: job.runUrl,
        secretValues: [token]
      },
      { reporter: log, octokit: async () => (await import("./octokit-5ERUCFOM.js")).createOctokit(token, job.apiUrl) }
    );
    if (flags.json && !result.failure) {
      io2.out(
        JSON.stringify({
          ok: result.failure === null && result.statusError === null,
          workflow: result.workflow,
          state: result.state,
          action: result.action,
          reason: result.reason,
          message: result.message,
          remedy: result.remedy,
          dispatched: result.dispatched,
          dispatchRef: result.dispatchRef,
          status: result.status ? { branch: result.status.branch, commit: result.status.commit } : null
        })
      );
    } else if (!flags.json) {
      io2.out(`${result.workflow}: ${result.state ?? "state unknown"}; ${result.action}.`);
      io2.out(result.message);
      if (result.remedy) io2.out(`To fix: ${result.remedy}`);
      if (result.status) io2.out(`Recorded on the status branch ${result.status.branch} (${result.status.commit.slice(0, 12)}).`);
    }
    if (result.failure) throw result.failure;
    if (result.statusError) {
      io2.err(`The check was not recorded: ${describeFailure(result.statusError)}`);
      return EXIT.failed;
    }
    return EXIT.ok;
  }
});

// src/cli/io.ts
function terminalIo(stdout = process.stdout, stderr = process.stderr) {
  const closed = { stdout: false, stderr: false };
  for (const [name, stream] of [
    ["stdout", stdout],
    ["stderr", stderr]
  ]) {
    stream.on("error", (e) => {
      if (e.code !== "EPIPE") throw e;
      closed[name] = true;
    });
  }
  const secrets = [];
  const scrub = (text) => {
    let s = text;
    for (const v of [...secrets].sort((a, b) => b.length - a.length)) if (v.length >= 8) s = s.split(v).join("[redacted]");
    return s;
  };
  return {
    out: (line = "") => {
      if (!closed.stdout) stdout.write(`${line}
`);
    },
    err: (line = "") => {
      if (!closed.stderr) stderr.write(`${scrub(line)}
`);
    },
    secret: (value) => {
      if (value && !secrets.includes(value)) secrets.push(value);
    },
    scrub
  };
}

// src/cli/main.ts
var COMMANDS = [
  checkCommand,
  backupCommand,
  verifyCommand,
  diffCommand,
  reauthCommand,
  restoreCommand,
  rotateAppCommand,
  watchdogCommand
];
function globalHelp() {
  const lines = [
    `sfbackup ${TOOL_VERSION}: back up Salesforce orgs into your own GitHub repository.`,
    "",
    "Usage: sfbackup <command> [options]",
    "",
    "Commands:"
  ];
  const width = 18;
  for (const c of COMMANDS) {
    const [first = "", ...rest] = c.summary.split("\n");
    if (c.synopsis.length >= width) lines.push(`  ${c.synopsis}`, `  ${" ".repeat(width)}${first}`);
    else lines.push(`  ${c.synopsis.padEnd(width)}${first}`);
    for (const r of rest) lines.push(`  ${" ".repeat(width)}${r}`);
  }
  lines.push(
    "",
    "Login options for check and backup without a config (each also read from the environment variable named):",
    ...flagTable(LOGIN_FLAGS),
    "",
    `  ${SECRETS_NOTE}`,
    "",
    'Run "sfbackup <command> --help" for the options of a command.',
    "",
    "Other options:",
    "  --json                 print the result (check, backup, verify, diff) as JSON on stdout",
    "  -h, --help             this text",
    "  -v, --version          the version",
    "",
    EXIT_HELP
  );
  return `${lines.join("\n")}
`;
}
var io = terminalIo();
var jsonFailures = false;
async function main(argv, env) {
  const [name, ...rest] = argv;
  if (name === void 0 || name === "-h" || name === "--help") {
    if (name === void 0) throw new UsageError("no command given");
    process.stdout.write(globalHelp());
    return EXIT.ok;
  }
  if (name === "-v" || name === "--version") {
    io.out(TOOL_VERSION);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    jsonFailures = argv.includes("--json");
    throw new UsageError(name.startsWith("-") ? `unknown option "${name}" before the command` : `unknown command "${name}"`);
  }
  jsonFailures = "json" in command.flags && rest.includes("--json");
  const parsed = parseCommandLine(command, rest, env, io);
  if (parsed.help) {
    process.stdout.write(commandHelp(command, TOOL_VERSION));
    return EXIT.ok;
  }
  return command.run({ flags: parsed.flags, args: parsed.args, env, io });
}
main(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (caught) => {
    const e = classifyDiskFull(caught, {}) ?? caught;
    const c = classify(e);
    if (jsonFailures) io.out(JSON.stringify({ ...failureJson(e, io.scrub), ...corruptDetails(e) }));
    if (e instanceof UsageError) {
      const own = /^run "(sfbackup \S+ --help)"/.exec(e.remedy)?.[1];
      io.err(`sfbackup: ${io.scrub(e.message)}
Run ${own && own !== "sfbackup --help" ? `"${own}" (or "sfbackup --help")` : '"sfbackup --help"'} for usage.`);
    } else io.err(`sfbackup: ${io.scrub(describeFailure(e))}`);
    process.exitCode = c.exitCode;
  }
);
