import { createRequire as __sfbackupCreateRequire } from 'node:module';
const require = __sfbackupCreateRequire(import.meta.url);
import {
  CampaignNotPublishedError,
  DEFAULT_CONFIG_FILE,
  RESTORE_MODES,
  RotateAppError,
  STORAGE_KINDS,
  SalesforceError,
  aliasSetting,
  backupFailed,
  backupRunFields,
  checkOrg,
  droppedReasonText,
  exportApiUrl,
  external_exports,
  flag,
  formatBytes,
  formatCount,
  formatDuration,
  formatMassDeletes,
  formatPlan,
  intIn,
  jobContext,
  lifecycleFields,
  loadConfig,
  optionalText,
  orgCredentialsSchema,
  orgTypeSettingSchema,
  parseSecretsMap,
  parseSettings,
  pickNewest,
  redact,
  repositoryRef,
  runOrgBackup,
  runRestore,
  runRotation,
  runWatchdog,
  scheduleFromCron,
  selectionFrom,
  workflowCronLines
} from "./chunk-CXETNADL.js";
import {
  createSecretWriter
} from "./chunk-ZIZ7JOQ6.js";
import "./chunk-XDA2MSO5.js";
import "./chunk-A57RZ4NC.js";
import {
  ProductError,
  describeFailure
} from "./chunk-UUIBS2XM.js";
import {
  createOctokit,
  httpStatus
} from "./chunk-CMDQAP4X.js";
import "./chunk-EP6SH3KK.js";
import {
  error,
  getInput,
  info,
  setFailed,
  setOutput,
  setSecret,
  summary,
  warning
} from "./chunk-WGHVZYCJ.js";
import "./chunk-EDL5KWHH.js";
import "./chunk-I2D4YPEE.js";

// src/action/backup.ts
import path from "node:path";

// src/backup/summary.ts
function escapeHtml(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
function changesText(r) {
  if (!r.diff) return r.previousLocation ? "not compared (the run failed)" : "first snapshot";
  const t = r.diff.totals;
  return `+${formatCount(t.added)} / ~${formatCount(t.changed)} / \u2212${formatCount(t.deleted)}`;
}
function outcome(r) {
  if (r.failedObjects.length > 0) return "failed";
  if (r.stopped) return "stopped";
  if (r.held) return "held";
  return r.published ? "ok" : "not published";
}
function addBackupSummary(summary2, r) {
  summary2.addHeading(`Salesforce backup of ${escapeHtml(r.alias)}: ${outcome(r)}`, 2);
  summary2.addTable([
    ["Org", "Mode", "Objects", "Rows", "Bytes", "Duration", "API calls", "Changes since last snapshot (added / changed / deleted)", "Where"].map((h) => ({
      data: h,
      header: true
    })),
    [
      escapeHtml(`${r.alias} (${r.orgId})`),
      r.mode,
      formatCount(r.objects),
      formatCount(r.rows),
      formatBytes(r.bytes),
      formatDuration(r.durationMs),
      r.apiUsage ? `${formatCount(r.apiCalls)} (org: ${formatCount(r.apiUsage.used)} of ${formatCount(r.apiUsage.max)} today)` : formatCount(r.apiCalls),
      changesText(r),
      escapeHtml(r.published?.location ?? "not published: the last good snapshot is unchanged")
    ]
  ]);
  if (r.failedObjects.length > 0) {
    summary2.addRaw(
      `<p><b>${r.failedObjects.length} object(s) failed</b>, so this snapshot was not published and the previous one stays:</p><ul>${r.failedObjects.map((f) => `<li><code>${escapeHtml(f.name)}</code>: ${escapeHtml(f.error)}</li>`).join("")}</ul>`,
      true
    );
  }
  if (r.stopped) summary2.addRaw(`<p><b>Stopped:</b> ${escapeHtml(r.stopped)}</p>`, true);
  if (r.massDeletes.length > 0) {
    summary2.addRaw(
      `<p><b>\u26A0\uFE0F Mass delete:</b></p><ul>${r.massDeletes.map((m) => `<li><code>${escapeHtml(m.object)}</code>: ${formatCount(m.before)} \u2192 ${formatCount(m.after)} live rows (\u2212${formatCount(m.dropped)})</li>`).join("")}</ul>`,
      true
    );
  }
  if (r.droppedObjects.length > 0) {
    summary2.addRaw(
      `<p><b>\u26A0\uFE0F ${r.droppedObjects.length} object(s) left the snapshot</b> (they were in the previous one):</p><ul>${r.droppedObjects.map(
        (d) => `<li><code>${escapeHtml(d.name)}</code>: ${formatCount(d.rows)} rows in the previous snapshot; ${escapeHtml(droppedReasonText(d.reason))}</li>`
      ).join("")}</ul>`,
      true
    );
  }
  if (r.held) {
    summary2.addRaw(
      `<p><b>Held, not published:</b> ${escapeHtml(r.held)}. The previous snapshot is unchanged. If the change is intended, re-run with <code>allow-shrink: true</code>.</p>`,
      true
    );
  }
  if (r.published?.pinned) {
    summary2.addRaw(`<p>Kept <code>${escapeHtml(r.published.pinned.path)}</code> for good (KEPT.json): ${escapeHtml(r.published.pinned.reason)}.</p>`, true);
  }
  const changed = r.diff?.objects.filter((o) => o.added + o.changed + o.deleted > 0 || o.presence !== "both") ?? [];
  if (changed.length > 0) {
    const rows = changed.map(
      (o) => `<tr><td>${escapeHtml(o.name)}${o.presence === "both" ? "" : ` (${o.presence})`}</td><td>${formatCount(o.newRows)}</td><td>+${formatCount(o.added)}</td><td>~${formatCount(o.changed)}</td><td>\u2212${formatCount(o.deleted)}</td></tr>`
    ).join("");
    summary2.addDetails(
      `Changes per object (${changed.length})`,
      `<table><tr><th>Object</th><th>Rows</th><th>Added</th><th>Changed</th><th>Deleted</th></tr>${rows}</table>`
    );
  }
  return summary2;
}

// src/action/inputs.ts
var COMMANDS = ["check", "backup", "rotate-app", "watchdog", "restore"];
var checkSchema = orgCredentialsSchema.extend({ command: external_exports.literal("check") });
var lifecycleInputs = {
  ...lifecycleFields,
  publishStatus: lifecycleFields.publishStatus.default(true),
  openIssues: lifecycleFields.openIssues.default(true),
  appPendingWindow: lifecycleFields.appPendingWindow.default(10)
};
var backupSchema = external_exports.object({
  ...lifecycleInputs,
  command: external_exports.literal("backup"),
  configFile: external_exports.string().trim().min(1).default(DEFAULT_CONFIG_FILE),
  org: optionalText,
  /** Raw JSON of `${{ toJSON(secrets) }}`: parsed (and its used values masked) by the backup command. */
  secrets: external_exports.string().default(""),
  loginUrl: optionalText,
  type: orgTypeSettingSchema.optional(),
  clientId: optionalText,
  clientSecret: optionalText,
  refreshToken: optionalText,
  alias: aliasSetting.optional(),
  storage: external_exports.enum(STORAGE_KINDS, { error: "must be local, artifact or branch" }).optional(),
  backupBranch: external_exports.string().trim().min(1).default("salesforce-backups"),
  backupRemote: optionalText,
  artifactName: optionalText,
  retentionDays: intIn(1, 90, "30").optional(),
  outputDir: optionalText,
  keep: backupRunFields.keep.optional(),
  allowShrink: backupRunFields.allowShrink.default(false),
  fullEvery: backupRunFields.fullEvery.default(7),
  apiBudgetShare: backupRunFields.apiBudgetShare.default(0.5),
  massDeleteThreshold: backupRunFields.massDeleteThreshold.default(0.1),
  massDeleteMinRows: backupRunFields.massDeleteMinRows.default(100),
  apiVersion: orgCredentialsSchema.shape.apiVersion,
  githubToken: optionalText
});
var rotateAppSchema = external_exports.object({
  ...lifecycleInputs,
  command: external_exports.literal("rotate-app"),
  configFile: external_exports.string().trim().min(1).default(DEFAULT_CONFIG_FILE),
  secrets: external_exports.string().default(""),
  newClientId: external_exports.string({ error: "is required: the new Connected App consumer key" }).trim().min(1, { error: "is required: the new Connected App consumer key" }),
  newClientSecret: external_exports.string({ error: "is required: the new Connected App consumer secret" }).trim().min(1, { error: "is required: the new Connected App consumer secret" }),
  githubToken: optionalText
});
var watchdogSchema = external_exports.object({
  command: external_exports.literal("watchdog"),
  workflow: external_exports.string().trim().regex(/^(\.?\/?\.github\/workflows\/)?[A-Za-z0-9._-]+\.ya?ml$/, { error: "must be the file name of the backup workflow, such as backup.yml" }).default("backup.yml"),
  dispatch: flag("dispatch").default(true),
  githubToken: optionalText,
  statusBranch: lifecycleFields.statusBranch,
  statusRemote: lifecycleFields.statusRemote,
  publishStatus: lifecycleInputs.publishStatus
});
var restoreSchema = external_exports.object({
  command: external_exports.literal("restore"),
  configFile: external_exports.string().trim().min(1).default(DEFAULT_CONFIG_FILE),
  /** The org whose backup is restored. */
  org: external_exports.string({ error: "is required: the alias of the org whose backup to restore" }).trim().min(1, { error: "is required: the org alias" }),
  /** The org written to; the same org by default. */
  targetOrg: optionalText,
  snapshot: external_exports.string().trim().min(1).default("latest"),
  mode: external_exports.enum(RESTORE_MODES, { error: "must be missing, overwrite or upsert \u2014 e.g. mode: missing" }).default("missing"),
  objects: optionalText,
  ids: optionalText,
  /** Which records: a SOQL WHERE condition over the snapshot's fields. */
  where: optionalText,
  fields: optionalText,
  externalIdField: optionalText,
  overwriteNewer: flag("overwrite-newer").default(false),
  /** Masking rules for seeding (`Object.Field=blank|fake|hash`, comma-separated). */
  mask: optionalText,
  /** The key of fake and hash masking (a secret). */
  maskKey: optionalText,
  /** Into another org: the suffix that turns the snapshot's usernames into the target's. */
  usernameSuffix: optionalText,
  /** Into another org: who records of unmatched users get. */
  fallbackUser: optionalText,
  dryRun: flag("dry-run").default(true),
  allowProduction: flag("allow-production").default(false),
  /** Continue from the results of an earlier run: its workflow run id, or `latest`. */
  resumeFrom: external_exports.string().trim().regex(/^(latest|\d+)$/, { error: "must be a workflow run id (the number in the run's URL) or latest" }).optional(),
  /** How long the report artifact is kept. */
  retentionDays: intIn(1, 90, "30").optional(),
  secrets: external_exports.string().default(""),
  storage: external_exports.enum(STORAGE_KINDS, { error: "must be local, artifact or branch" }).optional(),
  backupBranch: external_exports.string().trim().min(1).default("salesforce-backups"),
  backupRemote: optionalText,
  artifactName: optionalText,
  outputDir: optionalText,
  apiVersion: orgCredentialsSchema.shape.apiVersion,
  githubToken: optionalText,
  secretsToken: lifecycleFields.secretsToken,
  appPendingWindow: lifecycleInputs.appPendingWindow
});
var INPUT_NAMES = {
  command: "command",
  loginUrl: "login-url",
  clientId: "client-id",
  clientSecret: "client-secret",
  refreshToken: "refresh-token",
  apiVersion: "api-version",
  configFile: "config-file",
  org: "org",
  secrets: "secrets",
  type: "type",
  alias: "alias",
  storage: "storage",
  backupBranch: "backup-branch",
  backupRemote: "backup-remote",
  artifactName: "artifact-name",
  retentionDays: "retention-days",
  outputDir: "output-dir",
  keep: "keep",
  allowShrink: "allow-shrink",
  fullEvery: "full-every",
  apiBudgetShare: "api-budget-share",
  massDeleteThreshold: "mass-delete-threshold",
  massDeleteMinRows: "mass-delete-min-rows",
  githubToken: "github-token",
  secretsToken: "secrets-token",
  statusBranch: "status-branch",
  statusRemote: "status-remote",
  publishStatus: "publish-status",
  redactStatus: "redact-status",
  openIssues: "open-issues",
  appPendingWindow: "app-pending-window",
  refreshTokenMaxAgeDays: "refresh-token-max-age-days",
  newClientId: "new-client-id",
  newClientSecret: "new-client-secret",
  workflow: "workflow",
  dispatch: "dispatch",
  targetOrg: "target-org",
  snapshot: "snapshot",
  mode: "mode",
  objects: "objects",
  ids: "ids",
  where: "where",
  fields: "fields",
  externalIdField: "external-id-field",
  overwriteNewer: "overwrite-newer",
  mask: "mask",
  maskKey: "mask-key",
  usernameSuffix: "username-suffix",
  fallbackUser: "fallback-user",
  dryRun: "dry-run",
  allowProduction: "allow-production",
  resumeFrom: "resume-from"
};
var SECRET_INPUTS = /* @__PURE__ */ new Set(["clientId", "clientSecret", "refreshToken", "githubToken", "secretsToken", "newClientId", "newClientSecret", "maskKey"]);
function getInputs() {
  const raw = {};
  for (const [key, name] of Object.entries(INPUT_NAMES)) {
    const value = getInput(name);
    if (SECRET_INPUTS.has(key) && value) setSecret(value);
    raw[key] = value === "" ? void 0 : value;
  }
  raw.command ??= "check";
  if (raw.command === "backup") return parseSettings(backupSchema, raw, INPUT_NAMES);
  if (raw.command === "rotate-app") return parseSettings(rotateAppSchema, raw, INPUT_NAMES);
  if (raw.command === "watchdog") return parseSettings(watchdogSchema, raw, INPUT_NAMES);
  if (raw.command === "restore") return parseSettings(restoreSchema, raw, INPUT_NAMES);
  if (raw.command === "check") {
    const { command: _, ...creds } = raw;
    return { command: "check", ...parseSettings(orgCredentialsSchema, creds, INPUT_NAMES) };
  }
  parseSettings(external_exports.object({ command: external_exports.enum(COMMANDS, { error: `must be one of: ${COMMANDS.join(", ")}` }) }), raw, INPUT_NAMES);
  throw new Error(`unknown command ${raw.command}`);
}

// src/action/backup.ts
var actionReporter = {
  info: (m) => info(m),
  warning: (m, title) => warning(m, title ? { title } : {}),
  mask: (s) => {
    if (s) setSecret(s);
  }
};
function runnerLifecycle(inputs, job) {
  return {
    githubToken: inputs.githubToken,
    secretsToken: inputs.secretsToken,
    repository: job.repository,
    apiUrl: job.apiUrl,
    runUrl: job.runUrl,
    tempDir: job.tempDir
  };
}
async function runBackup(inputs) {
  const job = jobContext();
  const workspace = job.workspace ?? process.cwd();
  const report = await runOrgBackup(
    {
      source: inputs.refreshToken ? {
        kind: "inline",
        alias: inputs.alias ?? "org",
        type: inputs.type,
        credentials: {
          loginUrl: inputs.loginUrl,
          clientId: inputs.clientId,
          clientSecret: inputs.clientSecret,
          refreshToken: inputs.refreshToken,
          apiVersion: inputs.apiVersion
        },
        names: { ...INPUT_NAMES, ...inputs.type ? { loginUrl: "type" } : {} }
      } : {
        kind: "config",
        file: path.resolve(workspace, inputs.configFile),
        displayName: inputs.configFile,
        alias: inputs.org,
        // Parsed here, masked by the use case once it knows which values the org uses.
        secrets: parseSecretsMap(inputs.secrets),
        secretsSource: "action",
        apiVersion: inputs.apiVersion
      },
      storage: {
        kind: inputs.storage ?? "artifact",
        localDir: inputs.outputDir,
        keep: inputs.keep,
        artifactName: inputs.artifactName,
        retentionDays: inputs.retentionDays,
        branch: inputs.backupBranch,
        remote: inputs.backupRemote
      },
      baseDir: workspace,
      tempDir: job.tempDir,
      run: {
        fullEvery: inputs.fullEvery,
        apiBudgetShare: inputs.apiBudgetShare,
        massDeleteThreshold: inputs.massDeleteThreshold,
        massDeleteMinRows: inputs.massDeleteMinRows,
        allowShrink: inputs.allowShrink
      },
      lifecycle: {
        ...runnerLifecycle(inputs, job),
        statusBranch: inputs.statusBranch,
        statusRemote: inputs.statusRemote ?? inputs.backupRemote,
        publishStatus: inputs.publishStatus,
        redactStatus: inputs.redactStatus,
        openIssues: inputs.openIssues,
        appPendingWindow: inputs.appPendingWindow,
        refreshTokenMaxAgeDays: inputs.refreshTokenMaxAgeDays,
        loginSetting: "the login-url input (or the type input)",
        // Without a schedule in the org config: the cron lines of the workflow running this step.
        schedule: job.workflowFile ? scheduleFromCron(workflowCronLines(job.workflowFile)) : void 0
      },
      githubToken: inputs.githubToken,
      lock: { command: (alias) => `salesforce-backup-action backup (org ${alias}${job.runId ? `, workflow run ${job.runId}` : ""})` },
      diskRemedies: ({ tempDir, output }) => ({
        staging: `free space on the runner's disk that holds ${tempDir} (RUNNER_TEMP), or run the job on a runner with a bigger disk; staging needs room for about twice the org's data`,
        ...output ? {
          output: `free space on the disk that holds ${output} (an older snapshot there can go), or set output-dir (or the org's storage dir) to a folder on a bigger disk`
        } : {}
      })
    },
    actionReporter
  );
  await render(report);
}
function setAuthOutputs(outcome2) {
  setOutput("auth-state", outcome2.state);
  setOutput("auth-reason", outcome2.reason ?? "");
  setOutput("auth-remedy", outcome2.remedy ?? "");
}
function addAuthSummary(report, outcome2) {
  if (outcome2.state === "ok") {
    const rotated = report.rotated ? `; Salesforce rotated the refresh token and the new one is stored in ${report.refreshTokenSecret ?? "its secret"}` : "";
    summary.addRaw(`<p><b>Authorization:</b> <code>ok</code>${escapeHtml(rotated)}</p>`, true);
    return;
  }
  summary.addHeading(`Authorization of ${escapeHtml(report.alias ?? "the org")}: ${outcome2.state}`, 3).addRaw(`<p><b>State:</b> <code>${outcome2.state}</code>${outcome2.reason ? ` (<code>${outcome2.reason}</code>)` : ""}</p>`, true).addRaw(`<p>${escapeHtml(outcome2.message)}</p>`, true).addRaw(`<p><b>To fix:</b> ${escapeHtml(outcome2.remedy ?? "")}</p>`, true);
}
async function render(report) {
  const { outcome: outcome2 } = report;
  if (outcome2) setAuthOutputs(outcome2);
  else if (report.error instanceof SalesforceError) setOutput("auth-state", report.error.state);
  switch (report.stage) {
    case "resolve":
      if (outcome2) {
        addAuthSummary(report, outcome2);
        await summary.write();
      }
      throw report.error;
    case "lock":
      throw report.error;
    case "auth":
      if (outcome2) addAuthSummary(report, outcome2);
      await summary.addRaw("<p>Nothing was backed up: the last good snapshot stays as it was.</p>", true).write();
      throw report.error;
    case "backup":
      await summary.addHeading(`Salesforce backup of ${escapeHtml(report.alias ?? "the org")}: failed`, 2).addRaw(`<p>${escapeHtml(describeFailure(report.error)).replace(/\n/g, "<br>")}</p>`, true).addRaw("<p>Nothing was published: the last good snapshot stays as it was.</p>", true);
      if (outcome2) addAuthSummary(report, outcome2);
      await summary.write();
      throw report.error;
    case "done":
      break;
  }
  const result = report.result;
  if (!result) throw new Error("a finished backup has a result");
  const alias = report.alias ?? result.alias;
  setOutput("snapshot-location", result.published?.location ?? "");
  setOutput("commit", result.published?.commit ?? "");
  setOutput("artifact-id", result.published?.artifactId ?? "");
  setOutput("objects", result.objects);
  setOutput("rows", result.rows);
  setOutput("bytes", result.bytes);
  setOutput("mode", result.mode);
  setOutput("api-calls", result.apiCalls);
  setOutput("mass-delete", formatMassDeletes(result.massDeletes));
  setOutput("failed-objects", result.failedObjects.map((f) => f.name).join(","));
  setOutput("dropped-objects", result.droppedObjects.map((d) => d.name).join(","));
  for (const d of result.droppedObjects) {
    warning(`${d.name} had ${d.rows} rows in the previous snapshot and is not in this one: ${droppedReasonText(d.reason)}.`, {
      title: `Object left the backup of ${alias}: ${d.name}`
    });
  }
  for (const m of result.massDeletes) {
    warning(`${m.object} dropped from ${m.before} to ${m.after} live rows since the last snapshot (\u2212${m.dropped}). Check that this delete was intended.`, {
      title: `Mass delete in ${alias}: ${m.object}`
    });
  }
  addBackupSummary(summary, result);
  if (outcome2) addAuthSummary(report, outcome2);
  await summary.write();
  if (outcome2 && outcome2.state !== "ok") {
    setFailed(`${outcome2.message}
To fix: ${outcome2.remedy ?? ""}`);
  }
  if (backupFailed(result)) {
    const parts = [];
    if (result.failedObjects.length > 0)
      parts.push(`${result.failedObjects.length} object(s) failed: ${result.failedObjects.map((f) => `${f.name} (${f.error})`).join("; ")}`);
    if (result.stopped) parts.push(result.stopped);
    if (result.held) parts.push(`Held: ${result.held}. If the change is intended, re-run with \`allow-shrink: true\``);
    setFailed(`Backup of ${alias} not published. ${parts.join(". ")}
The last good snapshot stays as it was; re-run the backup once the cause is fixed.`);
  }
}

// src/action/check.ts
async function runCheck(inputs) {
  info(`Logging in to ${inputs.loginUrl} with the refresh token (API ${inputs.apiVersion}).`);
  try {
    const result = await checkOrg(inputs, (value) => setSecret(value));
    const usage = result.apiUsage;
    setOutput("auth-state", "ok");
    setOutput("auth-reason", "");
    setOutput("auth-remedy", "");
    setOutput("org-id", result.orgId);
    setOutput("instance-url", result.instanceUrl);
    setOutput("api-requests-used", usage.used);
    setOutput("api-requests-limit", usage.limit);
    info(`Logged in to org ${result.orgId} at ${result.instanceUrl}.`);
    info(`API requests in the last 24 hours: ${usage.used} of ${usage.limit} (${usage.remaining} left).`);
    if (result.refreshTokenRotated) {
      warning(
        "The org rotated the refresh token (Refresh Token Rotation is on): the token this check was given is now dead. `command: check` takes one token by inputs and has nowhere to store the new one; run `command: backup` with the org config and `secrets-token` (it writes rotated tokens back before anything else), and re-authorize this org with `sfbackup reauth`."
      );
    }
    await summary.addHeading("Salesforce org check: ok", 2).addTable([
      [
        { data: "Org ID", header: true },
        { data: "Instance", header: true },
        { data: "API version", header: true },
        { data: "API requests (24 h)", header: true }
      ],
      [result.orgId, result.instanceUrl, result.apiVersion, `${usage.used} of ${usage.limit} (${usage.remaining} left)`]
    ]).write();
  } catch (err) {
    if (err instanceof SalesforceError) {
      setOutput("auth-state", err.state);
      setOutput("auth-reason", err.reason);
      setOutput("auth-remedy", err.remedy);
      await summary.addHeading("Salesforce org check failed", 2).addRaw(`<p><b>State:</b> <code>${err.state}</code> (<code>${err.reason}</code>)</p>`, true).addRaw(`<p>${escapeHtml2(err.message)}</p>`, true).addRaw(`<p><b>To fix:</b> ${escapeHtml2(err.remedy)}</p>`, true).write();
    }
    throw err;
  }
}
function escapeHtml2(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

// src/action/restore.ts
import { existsSync as existsSync2, mkdirSync, readFileSync as readFileSync2, rmSync } from "node:fs";
import path3 from "node:path";

// src/action/restore-report.ts
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import path2 from "node:path";
var RUN_FILE = "restore-run.json";
var LEDGER = path2.join("results", "restore.sqlite");
var runSchema = external_exports.object({
  formatVersion: external_exports.literal(1),
  /** The org written to. */
  targetAlias: external_exports.string(),
  /** The org whose backup was read, and the snapshot as the run was given it and as it resolved. */
  snapshotOrg: external_exports.string(),
  snapshotRef: external_exports.string(),
  snapshotLocation: external_exports.string().optional(),
  runId: external_exports.string().optional(),
  /** The run whose results this one continued. */
  resumedFrom: external_exports.string().optional()
});
var planIdentitySchema = external_exports.object({
  snapshot: external_exports.object({ alias: external_exports.string(), orgId: external_exports.string(), finishedAt: external_exports.string() }),
  target: external_exports.object({ orgId: external_exports.string() })
});
var ResumeError = class extends ProductError {
  name = "ResumeError";
  state = "misconfigured";
};
function ledgerArtifactName(targetAlias) {
  return `salesforce-restore-${targetAlias}`;
}
function planArtifactName(targetAlias) {
  return `salesforce-restore-${targetAlias}.plan`;
}
function hasLedger(reportDir) {
  return existsSync(path2.join(reportDir, LEDGER));
}
function writeRunInfo(reportDir, info2) {
  writeFileSync(path2.join(reportDir, RUN_FILE), `${JSON.stringify(info2, null, 2)}
`);
}
function readJson(file, schema, what) {
  try {
    return schema.parse(JSON.parse(readFileSync(file, "utf8")));
  } catch (err) {
    throw new ResumeError({
      reason: "unreadable",
      message: `${what} (${path2.basename(file)}) cannot be read: ${err.message}`,
      remedy: "Resume from another run, or start the restore afresh without resume-from after checking its results for what it created.",
      cause: err
    });
  }
}
function readRunInfo(reportDir) {
  return readJson(path2.join(reportDir, RUN_FILE), runSchema, "The earlier run\u2019s report");
}
function readPlanIdentity(reportDir) {
  return readJson(path2.join(reportDir, "plan", "plan.json"), planIdentitySchema, "The earlier run\u2019s plan");
}
function pinnedSnapshotRef(location) {
  if (!location) return void 0;
  const commit = /^branch \S+@([0-9a-f]{7,40})$/.exec(location);
  if (commit) return commit[1];
  const artifact = /^artifact \S+ \(id (\d+)/.exec(location);
  if (artifact) return artifact[1];
  const folder = path2.basename(location);
  return /^\d{4}-\d\d-\d\d/.test(folder) ? folder : void 0;
}
var RestoreReportArtifacts = class {
  ctx;
  constructor(ctx) {
    this.ctx = ctx;
  }
  /** Whether this job can upload artifacts (the runner gives these only to a workflow job). */
  static canUpload() {
    return Boolean(process.env.ACTIONS_RUNTIME_TOKEN && process.env.ACTIONS_RESULTS_URL);
  }
  /** Every unexpired artifact named `name` across the repository's runs. */
  async list(name) {
    const { token, repository } = this.ctx;
    if (!token || !repository) {
      throw new ResumeError({
        reason: "not_in_actions",
        message: `Finding the artifact ${name} of an earlier run needs ${token ? "the repository (GITHUB_REPOSITORY)" : "a token"}.`,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a workflow expression users copy, not a template
        remedy: "Run inside a workflow with `github-token: ${{ github.token }}` (the default) and `permissions: actions: read`."
      });
    }
    try {
      const octokit = await createOctokit(token, this.ctx.apiUrl);
      const all = await octokit.paginate(octokit.rest.actions.listArtifactsForRepo, { owner: repository.owner, repo: repository.repo, name, per_page: 100 });
      return all.filter((a) => a.name === name && !a.expired).map((a) => ({ id: a.id, name: a.name, createdAt: a.created_at ?? "", runId: a.workflow_run?.id, digest: a.digest ?? void 0 }));
    } catch (err) {
      const status = httpStatus(err);
      throw new ResumeError({
        reason: "unreadable",
        message: `Listing the artifacts named ${name} failed: ${err.message}`,
        remedy: status === 403 ? "Give the workflow `permissions: actions: read` so it can read the results of earlier runs." : "Try again later; nothing was written to the org.",
        cause: err
      });
    }
  }
  /**
   * The report to continue from: this run's own (an earlier attempt of a re-run job) first, as it
   * holds everything; else the one `ref` names (`latest`, or a workflow run id). Undefined when
   * neither exists and nothing was asked for.
   */
  async find(name, ref) {
    const all = await this.list(name);
    const runOf = (a) => String(a.runId ?? "");
    const own = this.ctx.runId ? pickNewest(
      name,
      all.filter((a) => runOf(a) === this.ctx.runId).map((a) => ({ ...a, expired: false }))
    ) : void 0;
    if (own) return { artifact: own, runId: runOf(own) };
    if (!ref) return void 0;
    const candidates = ref === "latest" ? all : all.filter((a) => runOf(a) === ref);
    const pick = pickNewest(
      name,
      candidates.map((a) => ({ ...a, expired: false }))
    );
    return pick ? { artifact: pick, runId: runOf(pick) } : void 0;
  }
  /** Downloads one report artifact into a new folder under `workDir`. */
  async download(found, workDir) {
    const { token, repository } = this.ctx;
    const { artifact } = found;
    const dir = await mkdtemp(path2.join(workDir, "resume-"));
    try {
      if (!token || !repository) throw new Error("no token or repository");
      const conflict = exportApiUrl(this.ctx.apiUrl);
      if (conflict) this.ctx.log.warning(conflict);
      const { DefaultArtifactClient } = await import("./artifact-D2ACYTAA.js");
      const res = await new DefaultArtifactClient().downloadArtifact(artifact.id, {
        path: dir,
        ...artifact.digest ? { expectedHash: artifact.digest } : {},
        findBy: { token, workflowRunId: artifact.runId ?? 0, repositoryOwner: repository.owner, repositoryName: repository.repo }
      });
      if (res.digestMismatch) throw new Error("the download does not match the digest GitHub recorded for it");
    } catch (err) {
      throw new ResumeError({
        reason: "unreadable",
        message: `Downloading artifact ${artifact.name} (id ${artifact.id}, run ${found.runId}) failed: ${err.message}`,
        remedy: "Try again later; nothing was written to the org.",
        cause: err
      });
    }
    return { artifact, runId: found.runId, dir };
  }
  /**
   * Uploads the report folder. A job re-run in the same workflow run finds the artifact of its earlier
   * attempt under the same name (names are unique per run, across attempts): it continued from that
   * artifact, so it replaces it.
   */
  async upload(name, reportDir, retentionDays) {
    const files = readdirSync(reportDir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => path2.join(d.parentPath, d.name));
    if (files.length === 0) return void 0;
    const { DefaultArtifactClient } = await import("./artifact-D2ACYTAA.js");
    const client = new DefaultArtifactClient();
    const options = retentionDays ? { retentionDays } : {};
    try {
      return (await client.uploadArtifact(name, files, reportDir, options)).id;
    } catch (err) {
      if (!/already exists/i.test(err.message)) throw err;
      await client.deleteArtifact(name);
      return (await client.uploadArtifact(name, files, reportDir, options)).id;
    }
  }
};
function adoptResults(found, reportDir) {
  cpSync(path2.join(found.dir, "results"), path2.join(reportDir, "results"), { recursive: true });
}

// src/action/restore.ts
function appliedTotals(objects) {
  const sum = { undeleted: 0, created: 0, updated: 0, skipped: 0, failed: 0 };
  for (const o of objects) for (const k of Object.keys(sum)) sum[k] += o.counts[k] ?? 0;
  return sum;
}
function earlierTotals(found) {
  try {
    const result = JSON.parse(readFileSync2(path3.join(found.dir, "results", "result.json"), "utf8"));
    return Array.isArray(result.objects) ? appliedTotals(result.objects) : void 0;
  } catch {
    return void 0;
  }
}
var sameOrg = (a, b) => a.slice(0, 15) === b.slice(0, 15);
function checkSameRestore(found, earlier, plan, ref) {
  const run2 = `Run ${found.runId}`;
  const startAfresh = "or leave resume-from empty to start afresh (what that run created would then be created again).";
  if (!sameOrg(earlier.plan.target.orgId, plan.target.orgId)) {
    throw new ResumeError({
      reason: "other_target",
      message: `${run2} restored into org ${earlier.plan.target.orgId}, but ${earlier.info.targetAlias} is now org ${plan.target.orgId}: its Id map names records of the other org.`,
      remedy: `Resume from a run that restored into this org, ${startAfresh}`
    });
  }
  const before = earlier.plan.snapshot;
  if (!sameOrg(before.orgId, plan.snapshot.orgId) || before.finishedAt !== plan.snapshot.finishedAt) {
    const pinned = pinnedSnapshotRef(earlier.info.snapshotLocation);
    const use = pinned ?? (earlier.info.snapshotRef !== "latest" ? earlier.info.snapshotRef : void 0);
    throw new ResumeError({
      reason: "other_snapshot",
      message: `${run2} restored from the snapshot taken ${before.finishedAt}${earlier.info.snapshotLocation ? ` (${earlier.info.snapshotLocation})` : ""}, but snapshot "${ref}" is the one taken ${plan.snapshot.finishedAt}.`,
      remedy: use ? `Run again with snapshot: ${use} and resume-from: ${found.runId}, ${startAfresh}` : `Run again with the snapshot run ${found.runId} used and resume-from: ${found.runId}, ${startAfresh}`
    });
  }
}
async function runRestoreCommand(inputs) {
  const job = jobContext();
  const workspace = job.workspace ?? process.cwd();
  const target = inputs.targetOrg ?? inputs.org;
  const reportDir = path3.join(job.tempDir, `salesforce-restore-${target}-${job.runId ?? process.pid}`);
  setOutput("report-dir", reportDir);
  mkdirSync(reportDir, { recursive: true });
  const artifacts = new RestoreReportArtifacts({
    token: inputs.githubToken ?? job.token,
    repository: repositoryRef(job.repository),
    apiUrl: job.apiUrl,
    runId: job.runId,
    log: actionReporter
  });
  const inActions = RestoreReportArtifacts.canUpload();
  const selection = selectionFrom(inputs);
  const request = {
    target: {
      kind: "config",
      file: path3.resolve(workspace, inputs.configFile),
      displayName: inputs.configFile,
      alias: target,
      secrets: parseSecretsMap(inputs.secrets),
      secretsSource: "action",
      apiVersion: inputs.apiVersion
    },
    snapshot: { kind: "target", alias: inputs.org, ref: inputs.snapshot },
    config: { file: path3.resolve(workspace, inputs.configFile), displayName: inputs.configFile },
    storage: {
      kind: inputs.storage ?? "artifact",
      localDir: inputs.outputDir,
      artifactName: inputs.artifactName,
      branch: inputs.backupBranch,
      remote: inputs.backupRemote
    },
    mode: inputs.mode,
    selection,
    maskKey: inputs.maskKey,
    apply: !inputs.dryRun,
    allowProduction: inputs.allowProduction,
    reportDir,
    baseDir: workspace,
    tempDir: job.tempDir,
    lifecycle: {
      ...runnerLifecycle(inputs, job),
      statusBranch: "salesforce-backup-status",
      publishStatus: false,
      redactStatus: false,
      openIssues: false,
      appPendingWindow: inputs.appPendingWindow
    },
    githubToken: inputs.githubToken
  };
  let resumed;
  let report;
  let failure;
  try {
    const wanted = inputs.resumeFrom ?? (inputs.dryRun || !inActions ? void 0 : "");
    if (wanted !== void 0) {
      const name = ledgerArtifactName(target);
      const found = await artifacts.find(name, wanted || void 0);
      if (!found && wanted) throw await missingReport(artifacts, target, wanted);
      if (found) resumed = await artifacts.download(found, job.tempDir);
    }
    let earlier;
    if (resumed) {
      const prior = readRunInfo(resumed.dir);
      if (!hasLedger(resumed.dir)) {
        throw new ResumeError({
          reason: "no_results",
          message: `Run ${resumed.runId}'s artifact ${resumed.artifact.name} holds no results to continue from.`,
          remedy: "Leave resume-from empty: nothing of that run needs continuing."
        });
      }
      if (prior.targetAlias.toLowerCase() !== target.toLowerCase() || prior.snapshotOrg.toLowerCase() !== inputs.org.toLowerCase()) {
        throw new ResumeError({
          reason: prior.targetAlias.toLowerCase() !== target.toLowerCase() ? "other_target" : "other_snapshot",
          message: `Run ${resumed.runId} restored the backup of ${prior.snapshotOrg} into ${prior.targetAlias}; this run restores the backup of ${inputs.org} into ${target}.`,
          remedy: `Run again with org: ${prior.snapshotOrg} and target-org: ${prior.targetAlias}, or resume from a run of this restore.`
        });
      }
      if (!inputs.dryRun) {
        adoptResults(resumed, reportDir);
        info(
          `Continuing from the results of run ${resumed.runId} (artifact ${resumed.artifact.name}, id ${resumed.artifact.id}): records it restored are not sent again.`
        );
      }
      setOutput("resumed-from", resumed.runId);
      earlier = { found: resumed, info: prior, plan: readPlanIdentity(resumed.dir) };
    }
    report = await runRestore(
      { ...request, ...earlier ? { beforeApply: (plan) => checkSameRestore(earlier.found, earlier, plan, inputs.snapshot) } : {} },
      actionReporter
    );
    if (earlier && inputs.dryRun) checkSameRestore(earlier.found, earlier, report.plan, inputs.snapshot);
  } catch (err) {
    failure = err;
    if (err instanceof ResumeError && resumed && !inputs.dryRun) rmSync(path3.join(reportDir, "results"), { recursive: true, force: true });
  }
  const uploaded = await publishReport(artifacts, inActions, reportDir, inputs, {
    formatVersion: 1,
    targetAlias: target,
    snapshotOrg: inputs.org,
    snapshotRef: inputs.snapshot,
    ...report ? { snapshotLocation: report.snapshotLocation } : {},
    ...job.runId ? { runId: job.runId } : {},
    ...resumed ? { resumedFrom: resumed.runId } : {}
  });
  const pinned = pinnedSnapshotRef(report?.snapshotLocation);
  const sameSnapshot = pinned && pinned !== inputs.snapshot ? ` and snapshot: ${pinned}` : "";
  const retry = uploaded?.ledger && job.runId ? `run the workflow again with the same inputs${sameSnapshot} and resume-from: ${job.runId} (or re-run the failed job): it continues from this run's results and creates nothing twice.` : "download the report artifact and run `sfbackup restore SNAPSHOT_DIR --report <the artifact folder> --apply` with the same selection: it reuses the Id mapping in results/.";
  if (failure !== void 0) {
    if (!(failure instanceof ResumeError) && hasLedger(reportDir)) error(`The restore stopped part way. To finish it, ${retry}`);
    throw failure;
  }
  if (!report) return;
  const totals = { undelete: 0, create: 0, update: 0, upsert: 0, skip: 0 };
  for (const o of report.plan.objects) for (const k of Object.keys(totals)) totals[k] += o.counts[k];
  setOutput("planned", JSON.stringify(totals));
  const applied = report.result ? appliedTotals(report.result.objects) : void 0;
  if (applied) setOutput("applied", JSON.stringify(applied));
  summary.addHeading(`Salesforce restore into ${escapeHtml(report.target.alias)}: ${report.result ? "applied" : "plan (dry run)"}`, 2).addRaw(`<p>Snapshot: <code>${escapeHtml(report.snapshotLocation)}</code>; target org <code>${escapeHtml(report.target.orgId)}</code>.</p>`, true).addCodeBlock(formatPlan(report.plan));
  if (!report.result) {
    summary.addRaw("<p>Nothing was written to the org. Run the workflow again with dry-run unchecked to apply this plan.</p>", true);
    if (resumed) summary.addRaw(`<p>Applied with resume-from: ${escapeHtml(resumed.runId)}, it would continue from the results of that run.</p>`, true);
  } else if (applied) {
    const before = resumed ? earlierTotals(resumed) : void 0;
    if (resumed) {
      const done = before ? before.undeleted + before.created + before.updated : void 0;
      summary.addRaw(
        `<p>Continued from run ${escapeHtml(resumed.runId)}: ${done === void 0 ? "the records it restored" : `${done} record(s) it had restored (${before?.undeleted} undeleted, ${before?.created} created, ${before?.updated} updated)`} were not sent again; the totals below include them.</p>`,
        true
      );
    }
    summary.addRaw(
      `<p>Applied: ${applied.undeleted} undeleted, ${applied.created} created, ${applied.updated} updated, ${applied.skipped} skipped, ${applied.failed} failed. Every record's result (old Id, new Id, outcome, error) is in the artifact ${escapeHtml(uploaded?.name ?? "of this run")}.</p>`,
      true
    );
  }
  await summary.write();
  if (applied && applied.failed > 0) {
    setFailed(
      `${applied.failed} record(s) failed to restore: see results/ in the artifact ${uploaded?.name ?? "of this run"} (the error of each). To retry only what is left, ${retry}`
    );
  }
}
async function missingReport(artifacts, target, ref) {
  const withResults = await artifacts.list(ledgerArtifactName(target));
  const planOnly = ref === "latest" ? [] : (await artifacts.list(planArtifactName(target))).filter((a) => String(a.runId) === ref);
  const runs = [...new Set(withResults.map((a) => String(a.runId ?? "?")))].slice(0, 10);
  return new ResumeError({
    reason: "report_missing",
    message: ref === "latest" ? `No earlier restore into ${target} left results to continue from (no unexpired artifact ${ledgerArtifactName(target)}).` : planOnly.length > 0 ? `Run ${ref} did not write to ${target} (a dry run, or it stopped before applying): it has no results to continue from.` : `Run ${ref} has no artifact ${ledgerArtifactName(target)}: it is not a restore into ${target} that applied a plan, or its artifact expired.`,
    remedy: runs.length ? `Give resume-from the id of a restore run into ${target} (or latest): ${runs.join(", ")}; or leave it empty to start afresh.` : "Leave resume-from empty to start afresh; report artifacts expire after their retention days."
  });
}
async function publishReport(artifacts, inActions, reportDir, inputs, info2) {
  const ledger = hasLedger(reportDir);
  const name = ledger ? ledgerArtifactName(info2.targetAlias) : planArtifactName(info2.targetAlias);
  try {
    writeRunInfo(reportDir, info2);
    if (!inActions || !existsSync2(path3.join(reportDir, "plan"))) return void 0;
    const id = await artifacts.upload(name, reportDir, inputs.retentionDays);
    if (id === void 0) return void 0;
    info(`Uploaded the report as artifact ${name} (id ${id}).`);
    setOutput("report-artifact", name);
    return { name, ledger };
  } catch (err) {
    warning(
      `Uploading the report as artifact ${name} failed: ${describeFailure(err)}${ledger ? "\nA later run cannot continue from this one: keep the folder of the report-dir output if you can." : ""}`
    );
    return void 0;
  }
}

// src/action/rotate-app.ts
import path4 from "node:path";
function mask(value) {
  if (!value) return;
  setSecret(value);
  for (const line of value.split(/\r?\n/)) if (line && line !== value) setSecret(line);
}
function escapeHtml3(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
async function runRotateApp(inputs) {
  mask(inputs.newClientId);
  mask(inputs.newClientSecret);
  try {
    return await rotate(inputs);
  } catch (err) {
    const clean = (t) => redact(t, [inputs.newClientId, inputs.newClientSecret, inputs.secretsToken ?? "", inputs.githubToken ?? ""]);
    await summary.addHeading("Connected App rotation failed", 2).addRaw(`<p>${escapeHtml3(clean(describeFailure(err))).replace(/\n/g, "<br>")}</p>`, true).write();
    throw err;
  }
}
async function rotate(inputs) {
  const secrets = parseSecretsMap(inputs.secrets);
  const job = jobContext();
  const repository = job.repository ?? "";
  const workspace = job.workspace ?? process.cwd();
  const config = loadConfig(path4.resolve(workspace, inputs.configFile), inputs.configFile);
  const context = {
    ...inputs.githubToken ? { token: inputs.githubToken } : {},
    log: { info, warning },
    mask: setSecret
  };
  const [owner, repo] = repository.split("/");
  const result = await runRotation(
    {
      config,
      repository,
      newClientId: inputs.newClientId,
      newClientSecret: inputs.newClientSecret,
      secrets,
      ...inputs.publishStatus ? { status: { branch: inputs.statusBranch, context, redact: inputs.redactStatus } } : {},
      runUrl: job.runUrl,
      secretValues: [...inputs.secretsToken ? [inputs.secretsToken] : [], ...inputs.githubToken ? [inputs.githubToken] : []]
    },
    {
      log: { info, warning },
      mask,
      onPlan: (plan2) => {
        if (!inputs.secretsToken) {
          throw new RotateAppError({
            reason: "missing_secret",
            message: `rotate-app needs the secrets-token input to store the new consumer key and secret (app ${plan2.newFingerprint}); nothing was written.`,
            remedy: 'Pass `secrets-token:` a GitHub App installation token with `secrets: write` (actions/create-github-app-token) or a fine-grained token with "Secrets: Read and write" on this repository; the workflow GITHUB_TOKEN cannot write secrets. docs/github-token.md shows both, least privilege first.'
          });
        }
        info(
          `Rotating the Connected App: app ${plan2.previousFingerprint} \u2192 app ${plan2.newFingerprint}. Orgs to re-authorize afterwards: ${plan2.orgs.map((o) => o.alias).join(", ")}.`
        );
        for (const u of plan2.untouched) info(`Org ${u.alias} is left as it is: ${u.why}.`);
      },
      writer: async () => createSecretWriter(await createOctokit(inputs.secretsToken ?? "", job.apiUrl), {
        onRetry: (info2) => info(`Writing the ${info2.target.name} secret: attempt ${info2.attempt} failed (${info2.status ?? "network"}); retrying.`)
      }),
      issues: async () => inputs.openIssues && inputs.githubToken ? { octokit: await createOctokit(inputs.githubToken, job.apiUrl), repo: { owner, repo } } : void 0
    }
  );
  const { plan } = result;
  setOutput("campaign-id", result.campaign.id);
  setOutput("campaign-orgs", plan.orgs.map((o) => o.alias).join(","));
  setOutput("app-fingerprint", plan.newFingerprint);
  setOutput("previous-app-fingerprint", plan.previousFingerprint);
  await writeSummary(result);
  if (result.statusError) {
    const remedy = result.statusError instanceof ProductError ? `${result.statusError.remedy} ` : "";
    throw new CampaignNotPublishedError(
      `The new credentials are stored, but the re-authorization campaign could not be published to the status branch ${inputs.statusBranch}: ${result.statusError.message}`,
      `${remedy}Then publish the campaign from a computer with \`sfbackup rotate-app --old-client-id <the old consumer key>\` and the same new key and secret (writing them again is harmless), or simply run \`sfbackup reauth --org <alias>\` for ${result.plan.orgs.map((o) => o.alias).join(", ")}.`
    );
  }
  return result;
}
async function writeSummary(r) {
  const { plan, progress } = r;
  const issueOf = new Map(r.issues.map((i) => [i.alias, i]));
  const rows = plan.orgs.map((o) => {
    const issue = issueOf.get(o.alias);
    return [
      escapeHtml3(o.alias),
      escapeHtml3(o.loginHost),
      `<code>${escapeHtml3(o.reauthCommand)}</code>`,
      issue?.url ? `<a href="${escapeHtml3(issue.url)}">${issue.action}</a>` : issue?.action ?? "\u2014"
    ];
  });
  const s = summary.addHeading(`Connected App rotated: app ${plan.previousFingerprint} \u2192 app ${plan.newFingerprint}`, 2).addRaw(
    `<p><b>Re-authorization campaign</b> <code>${r.campaign.id}</code>: ${progress.done} of ${progress.total} orgs re-authorized. New or changed credentials take up to 10 minutes to become active; then run the command for each org below.</p>`,
    true
  ).addTable([
    [
      { data: "Org", header: true },
      { data: "Login host", header: true },
      { data: "Re-authorize with", header: true },
      { data: "Issue", header: true }
    ],
    ...rows
  ]).addRaw(`<p><b>Secrets written:</b> ${r.written.map((t) => `<code>${escapeHtml3(t.name)}</code>`).join(", ") || "none"}</p>`, true);
  if (plan.untouched.length) {
    s.addRaw(`<p><b>Left as they are:</b> ${plan.untouched.map((u) => `${escapeHtml3(u.alias)} (${escapeHtml3(u.why)})`).join("; ")}</p>`, true);
  }
  if (r.status) s.addRaw(`<p>Status branch <code>${escapeHtml3(r.status.branch)}</code> at <code>${r.status.commit.slice(0, 12)}</code>.</p>`, true);
  await s.write();
}

// src/action/watchdog.ts
var WatchdogSetupError = class extends ProductError {
  name = "WatchdogSetupError";
  state = "misconfigured";
};
function escapeHtml4(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
async function runWatchdogCommand(inputs) {
  const job = jobContext({ token: inputs.githubToken, mask: setSecret });
  const repo = repositoryRef(job.repository);
  if (!repo) {
    throw new WatchdogSetupError({
      reason: "bad_config",
      message: "The watchdog needs the repository of the backup workflow: GITHUB_REPOSITORY is not set.",
      remedy: "Run it as a step of a GitHub Actions job."
    });
  }
  const token = job.token;
  if (!token) {
    throw new WatchdogSetupError({
      reason: "bad_config",
      message: "The watchdog needs a token to read the workflow: github-token is empty.",
      remedy: "Leave github-token at its default (github.token) and give the job `permissions: actions: write, contents: write`."
    });
  }
  const context = { token, log: { info, warning }, mask: setSecret };
  const result = await runWatchdog(
    {
      repo,
      workflow: inputs.workflow,
      dispatch: inputs.dispatch,
      ...inputs.publishStatus ? { status: { branch: inputs.statusBranch, ...inputs.statusRemote ? { remoteUrl: inputs.statusRemote } : {}, context } } : {},
      runUrl: job.runUrl,
      secretValues: [token]
    },
    {
      reporter: { info, warning: (m, title) => warning(m, title ? { title } : {}), mask: setSecret },
      octokit: () => createOctokit(token, job.apiUrl)
    }
  );
  setOutput("workflow-state", result.state ?? "unknown");
  setOutput("watchdog-action", result.action);
  await writeSummary2(result);
  if (result.failure) throw result.failure;
  if (result.statusError) throw result.statusError;
  return result;
}
async function writeSummary2(r) {
  const heading = r.action === "re-enabled" ? `Backup workflow ${r.workflow} enabled again` : r.state === "active" ? `Backup workflow ${r.workflow} is active` : `Backup workflow ${r.workflow}: ${r.state ?? "state unknown"}`;
  const s = summary.addHeading(heading, 2).addRaw(`<p>${escapeHtml4(r.message)}</p>`, true);
  if (r.remedy) s.addRaw(`<p><b>To fix:</b> ${escapeHtml4(r.remedy)}</p>`, true);
  if (r.status)
    s.addRaw(`<p>Recorded on the status branch <code>${escapeHtml4(r.status.branch)}</code> at <code>${r.status.commit.slice(0, 12)}</code>.</p>`, true);
  if (r.statusError) s.addRaw(`<p>Not recorded on the status branch: ${escapeHtml4(describeFailure(r.statusError))}</p>`, true);
  await s.write();
}

// src/action/run.ts
async function run() {
  const inputs = getInputs();
  switch (inputs.command) {
    case "check":
      await runCheck(inputs);
      return;
    case "backup":
      await runBackup(inputs);
      return;
    case "rotate-app":
      await runRotateApp(inputs);
      return;
    case "watchdog":
      await runWatchdogCommand(inputs);
      return;
    case "restore":
      await runRestoreCommand(inputs);
      return;
  }
}
export {
  run
};
