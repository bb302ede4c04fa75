import { createRequire as __sfbackupCreateRequire } from 'node:module';
const require = __sfbackupCreateRequire(import.meta.url);
import {
  createSecretWriter
} from "./chunk-JY3AGTYS.js";
import {
  CampaignNotPublishedError,
  DEFAULT_ACTIVATION_WINDOW_MS,
  DEFAULT_API_VERSION,
  DEFAULT_ARTIFACT_PREFIX,
  DEFAULT_BACKUP_BRANCH,
  DEFAULT_CONFIG_FILE,
  MisconfiguredError,
  ReauthRequiredError,
  RotateAppError,
  RotationWriteFailedError,
  STORAGE_KINDS,
  SalesforceError,
  TOOL_VERSION,
  TransientError,
  acquireLock,
  appFingerprint,
  backupFailed,
  backupOrg,
  checkOrg,
  classifyAuthError,
  classifyDiskFull,
  connect,
  createStorageTarget,
  createWorkDir,
  droppedReasonText,
  errorForState,
  external_exports,
  failureOutcome,
  formatBytes,
  formatCount,
  formatDuration,
  formatMassDeletes,
  genericHostKind,
  hostLockFile,
  jobContext,
  knownLoginHosts,
  loadConfig,
  localLockFile,
  loginUrlForType,
  okOutcome,
  orgCredentialsSchema,
  orgTypeOf,
  orgTypeSettingSchema,
  otherLoginHost,
  outcomeError,
  parseSecretsMap,
  parseSettings,
  publishStatus,
  readPublishedStatus,
  redact,
  resolveOrg,
  runRotation,
  selectOrg,
  syncOrgIssue,
  withinActivationWindow
} from "./chunk-C2F2GH3L.js";
import {
  describeSecretTarget,
  doubling,
  retry
} from "./chunk-VDL7TKW2.js";
import "./chunk-XDA2MSO5.js";
import "./chunk-YB5IORQZ.js";
import {
  ProductError,
  describeFailure
} from "./chunk-UUIBS2XM.js";
import {
  createOctokit
} from "./chunk-CMDQAP4X.js";
import "./chunk-EP6SH3KK.js";
import {
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
import path2 from "node:path";

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

// src/storage/lock.ts
import path from "node:path";
function targetLock(storage, alias, env = process.env) {
  const job = jobContext({}, env);
  const repo = `${job.serverUrl}/${job.repository ?? ""}`;
  switch (storage.type) {
    case "local":
      return { file: localLockFile(storage.dir, alias), target: `the backup of ${alias} into ${path.resolve(storage.dir)}` };
    case "branch": {
      const branch = storage.branch ?? DEFAULT_BACKUP_BRANCH;
      return { file: hostLockFile(`branch\0${storage.remoteUrl ?? repo}\0${branch}`, alias), target: `the backup of ${alias} to branch ${branch}` };
    }
    case "artifact": {
      const name = storage.name ?? `${storage.prefix ?? DEFAULT_ARTIFACT_PREFIX}${alias}`;
      return { file: hostLockFile(`artifact\0${repo}\0${name}`, alias), target: `the backup of ${alias} to the artifact ${name}` };
    }
  }
}

// src/salesforce/auth-lifecycle.ts
var DEFAULT_APP_PENDING_WINDOW_MS = DEFAULT_ACTIVATION_WINDOW_MS;
var PENDING_DELAYS_MS = [5e3, 1e4, 2e4, 4e4, 8e4, 12e4];
var DAY_MS = 24 * 36e5;
function settingNames(target) {
  return {
    loginUrl: "the login URL",
    clientId: "the client id (Connected App consumer key)",
    clientSecret: "the client secret (Connected App consumer secret)",
    refreshToken: target ? `the refresh token (secret ${target.name})` : "the refresh token",
    apiVersion: "the API version"
  };
}
function defaultSleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
function withContext(e, context) {
  return errorForState(e.state, {
    reason: e.reason,
    message: e.message,
    remedy: e.remedy,
    context: { ...e.context, ...context },
    cause: e.cause,
    ...e.oauthError ? { oauthError: e.oauthError } : {}
  });
}
async function authenticate(org, options = {}) {
  const now = options.now ?? (() => /* @__PURE__ */ new Date());
  const sleep = options.sleep ?? defaultSleep;
  const hosts = options.loginHosts ?? knownLoginHosts();
  const window = options.appPendingWindowMs ?? DEFAULT_APP_PENDING_WINDOW_MS;
  const target = options.refreshTokenTarget;
  const ref = {
    alias: org.alias,
    type: org.type,
    loginUrl: org.credentials.loginUrl,
    ...target ? { refreshTokenSecret: target.name } : {}
  };
  const secrets = [org.credentials.clientId, org.credentials.clientSecret, org.credentials.refreshToken].filter(Boolean);
  const mask3 = (value) => {
    secrets.push(value);
    options.onSecret?.(value);
  };
  const fingerprint = appFingerprint(org.credentials.clientId ?? "");
  let authorizedAt = options.previous?.authorizedAt ?? null;
  let rotated = false;
  const failed = (err) => {
    const outcome3 = failureOutcome(err, ref, now(), secrets);
    return {
      session: null,
      outcome: outcome3,
      rotated,
      authorizedAt,
      appFingerprint: fingerprint,
      settle: async () => ({ outcome: outcome3, rotated, authorizedAt })
    };
  };
  let creds;
  try {
    creds = parseSettings(orgCredentialsSchema, org.credentials, settingNames(target));
  } catch (err) {
    return failed(err);
  }
  async function storeRotated(token) {
    if (!options.secretWriter || !target) {
      return new RotationWriteFailedError({
        reason: "no_secret_writer",
        message: "The org rotated its refresh token (Refresh Token Rotation is on) and no secrets-token input was given to store the new one: the stored token is dead.",
        remedy: "Add the secrets-token input and re-authorize.",
        ...target ? { context: { secretTarget: describeSecretTarget(target) } } : {}
      });
    }
    const writer = options.secretWriter;
    let last;
    try {
      await retry(() => writer.write(target, token), {
        retries: options.writeRetries ?? 2,
        retryable: (err) => !(typeof err === "object" && err !== null && "retryable" in err && err.retryable === false),
        delayMs: doubling(2e3),
        onRetry: (err, attempt, delayMs) => options.onRetry?.({ what: "secret_write", state: "rotation_write_failed", attempt, delayMs, message: errorText(err) }),
        sleep
      });
      return void 0;
    } catch (err) {
      last = err;
    }
    const writeRemedy = last instanceof ProductError ? last.remedy : void 0;
    return new RotationWriteFailedError({
      reason: "secret_write_failed",
      message: `The org rotated its refresh token and storing the new one failed: ${errorText(last)} The stored token is dead.`,
      remedy: "Fix the secrets-write permission of the secrets-token input and re-authorize.",
      context: { secretTarget: describeSecretTarget(target), ...writeRemedy ? { writeRemedy } : {} },
      cause: last
    });
  }
  async function loginWithRetries() {
    let attempt = 0;
    const transientRetries = options.transientRetries ?? 3;
    let retriesUsed = 0;
    const connectOnce = async () => {
      attempt++;
      try {
        return await connect(creds, { onSecret: mask3, loginHosts: hosts });
      } catch (err) {
        throw classifyAuthError(err, creds.loginUrl, hosts);
      }
    };
    const login = () => {
      const before = retriesUsed;
      return retry(connectOnce, {
        retries: transientRetries - before,
        retryable: (e) => e instanceof TransientError,
        delayMs: (n) => doubling(2e3)(before + n),
        onRetry: (e, _n, delayMs) => {
          retriesUsed++;
          const err = e;
          options.onRetry?.({ what: "login", state: err.state, attempt, delayMs, message: err.message });
        },
        sleep
      });
    };
    return withinActivationWindow(login, {
      windowMs: window,
      sleep,
      now: () => now().getTime(),
      delaysMs: PENDING_DELAYS_MS,
      onWait: ({ nextMs, error }) => options.onRetry?.({ what: "login", state: error.state, attempt, delayMs: nextMs, message: error.message }),
      giveUp: (e, waitedMs) => withContext(e, { appFingerprint: fingerprint, waitedMs })
    });
  }
  async function explainDeadToken(e) {
    const other = otherLoginHost(creds.loginUrl, hosts);
    if (other) {
      let probe;
      try {
        probe = await connect({ ...creds, loginUrl: other }, { onSecret: mask3, loginHosts: hosts });
      } catch {
      }
      if (probe) {
        if (probe.rotatedRefreshToken) {
          const writeFailure = await storeRotated(probe.rotatedRefreshToken);
          if (writeFailure) return writeFailure;
          rotated = true;
          authorizedAt = now().toISOString();
        }
        return new MisconfiguredError({
          reason: "wrong_org_type",
          message: `Salesforce refused the refresh token at ${creds.loginUrl} and accepted it at ${other}: the org is configured as the wrong kind.`,
          remedy: `Set the org's type to match the login host ${other}.`,
          context: {
            otherLoginUrl: other,
            otherLoginUrlConfirmed: true,
            actualKind: genericHostKind(other, hosts) === "sandbox" ? "sandbox" : "production"
          }
        });
      }
    }
    const prev = options.previous;
    if (prev?.state === "rotation_write_failed") {
      return new RotationWriteFailedError({
        reason: "secret_write_failed",
        message: "The refresh token in the secret is dead: an earlier run could not store the token the org rotated to.",
        remedy: "Fix the secrets-write permission of the secrets-token input and re-authorize.",
        ...target ? { context: { secretTarget: describeSecretTarget(target) } } : {},
        cause: e
      });
    }
    if (prev?.appFingerprint && prev.appFingerprint !== fingerprint) {
      return new ReauthRequiredError({
        reason: "app_changed",
        message: `The refresh token was issued through Connected App ${prev.appFingerprint}; the configured consumer key is app ${fingerprint}, which does not accept it. ${e.message}`,
        remedy: "Re-authorize the org with the new Connected App.",
        context: { appFingerprint: fingerprint, previousAppFingerprint: prev.appFingerprint },
        ...e.oauthError ? { oauthError: e.oauthError } : {},
        cause: e
      });
    }
    const maxAge = options.refreshTokenMaxAgeDays;
    if (maxAge !== void 0 && prev?.authorizedAt) {
      const age = now().getTime() - Date.parse(prev.authorizedAt);
      if (age > maxAge * DAY_MS) {
        return new ReauthRequiredError({
          reason: "policy_expired",
          message: `The refresh token was obtained ${prev.authorizedAt}, more than the ${maxAge} days the Connected App's refresh token policy allows. ${e.message}`,
          remedy: "Re-authorize the org.",
          context: { authorizedAt: prev.authorizedAt, maxAgeDays: maxAge },
          ...e.oauthError ? { oauthError: e.oauthError } : {},
          cause: e
        });
      }
    }
    return e;
  }
  let session;
  try {
    session = await loginWithRetries();
  } catch (err) {
    const e = classifyAuthError(err, creds.loginUrl, hosts);
    if (e instanceof ReauthRequiredError && e.reason === "token_expired_or_revoked") return failed(await explainDeadToken(e));
    return failed(e);
  }
  if (session.rotatedRefreshToken) {
    const writeFailure = await storeRotated(session.rotatedRefreshToken);
    if (writeFailure) return failed(writeFailure);
    rotated = true;
    authorizedAt = now().toISOString();
  }
  const message = `Logged in to org ${session.orgId}${rotated ? "; the rotated refresh token was stored" : ""}.`;
  const outcome2 = okOutcome(now(), message);
  let later = Promise.resolve(void 0);
  session.conn.on("refresh", (_accessToken, res) => {
    const token = res?.refresh_token;
    if (!token) return;
    later = later.then(async () => {
      const failure = await storeRotated(token);
      if (!failure) {
        rotated = true;
        authorizedAt = now().toISOString();
      }
      return failure;
    });
  });
  const settle = async () => {
    const failure = await later;
    return { outcome: failure ? failureOutcome(failure, ref, now(), secrets) : outcome2, rotated, authorizedAt };
  };
  return { session, outcome: outcome2, rotated, authorizedAt, appFingerprint: fingerprint, settle };
}
function errorText(err) {
  if (err instanceof Error) return err.message.split(" - https://")[0] ?? err.message;
  return String(err);
}

// src/action/lifecycle.ts
var NEEDS_ATTENTION = /* @__PURE__ */ new Set(["reauth_required", "rotation_write_failed", "misconfigured"]);
function repository() {
  const r = jobContext().repository;
  return r && /^[^/\s]+\/[^/\s]+$/.test(r) ? r : void 0;
}
function runUrl() {
  return jobContext().runUrl;
}
function apiUrl() {
  return jobContext().apiUrl;
}
function orgRef(org) {
  return {
    alias: org.alias,
    type: org.type,
    loginUrl: org.credentials.loginUrl,
    ...org.secretTargets ? { refreshTokenSecret: refreshTarget(org)?.name ?? "" } : {}
  };
}
function refreshTarget(org) {
  const repo = repository();
  return repo && org.secretTargets ? org.secretTargets(repo).refreshToken : void 0;
}
var OrgLifecycle = class _OrgLifecycle {
  org;
  inputs;
  context;
  previous;
  auth;
  constructor(org, inputs) {
    this.org = org;
    this.inputs = inputs;
    this.context = {
      ...inputs.githubToken ? { token: inputs.githubToken } : {},
      log: { info, warning },
      mask: setSecret
    };
  }
  /** Reads the org's last published status (for app_changed / policy_expired); never fails the run. */
  static async open(org, inputs) {
    const life = new _OrgLifecycle(org, inputs);
    if (inputs.publishStatus) {
      try {
        const published = await readPublishedStatus([org.alias], {
          branch: inputs.statusBranch,
          context: life.context,
          ...inputs.statusRemote ? { remoteUrl: inputs.statusRemote } : {}
        });
        life.previous = published.orgs.get(org.alias);
      } catch (err) {
        warning(`Could not read the last status of ${org.alias}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return life;
  }
  async secretWriter() {
    if (!this.inputs.secretsToken) return void 0;
    return createSecretWriter(await createOctokit(this.inputs.secretsToken, apiUrl()), {
      onRetry: (info2) => info(`Writing the rotated refresh token: attempt ${info2.attempt} failed (${info2.status ?? "network"}); retrying.`)
    });
  }
  /** Logs in. The session is null unless the outcome is ok; then nothing else may run for the org. */
  async authenticate() {
    const writer = await this.secretWriter();
    const target = refreshTarget(this.org);
    const previous = this.previous;
    const result = await authenticate(
      { alias: this.org.alias, type: this.org.type, credentials: this.org.credentials },
      {
        ...writer ? { secretWriter: writer } : {},
        ...target ? { refreshTokenTarget: target } : {},
        onSecret: setSecret,
        appPendingWindowMs: (this.inputs.appPendingWindow ?? 10) * 6e4,
        ...this.inputs.refreshTokenMaxAgeDays ? { refreshTokenMaxAgeDays: this.inputs.refreshTokenMaxAgeDays } : {},
        ...previous ? { previous: { appFingerprint: previous.appFingerprint, authorizedAt: previous.authorizedAt, state: previous.auth.state } } : {},
        onRetry: (info2) => info(
          `${info2.what === "login" ? "Login" : "Secret write"} attempt ${info2.attempt} failed (${info2.state}): ${info2.message}; retrying in ${Math.round(info2.delayMs / 1e3)} s.`
        )
      }
    );
    this.auth = result;
    if (result.rotated) info(`Salesforce rotated the refresh token; the new one is stored in ${target?.name ?? "its secret"}.`);
    return result;
  }
  get session() {
    return this.auth?.session ?? null;
  }
  /** Waits for the write-back of a token rotated during the work, and says where auth ended up. */
  async settle() {
    if (!this.auth) throw new Error("settle() before authenticate()");
    const settled = await this.auth.settle();
    return settled.outcome;
  }
  /** Outputs, summary, status branch and issue for this run's outcome. */
  async report(outcome2, backup) {
    setOutput("auth-state", outcome2.state);
    setOutput("auth-reason", outcome2.reason ?? "");
    setOutput("auth-remedy", outcome2.remedy ?? "");
    if (outcome2.state === "ok") {
      const rotated = this.auth?.rotated ? `; Salesforce rotated the refresh token and the new one is stored in ${refreshTarget(this.org)?.name ?? "its secret"}` : "";
      summary.addRaw(`<p><b>Authorization:</b> <code>ok</code>${escapeHtml2(rotated)}</p>`, true);
    } else {
      summary.addHeading(`Authorization of ${escapeHtml2(this.org.alias)}: ${outcome2.state}`, 3).addRaw(`<p><b>State:</b> <code>${outcome2.state}</code>${outcome2.reason ? ` (<code>${outcome2.reason}</code>)` : ""}</p>`, true).addRaw(`<p>${escapeHtml2(outcome2.message)}</p>`, true).addRaw(`<p><b>To fix:</b> ${escapeHtml2(outcome2.remedy ?? "")}</p>`, true);
    }
    await this.publish(outcome2, backup);
    await this.syncIssue(outcome2);
  }
  authorizedAt(outcome2) {
    if (this.auth?.authorizedAt) return this.auth.authorizedAt;
    const before = this.previous?.auth.state;
    if (outcome2.state === "ok" && (before === "reauth_required" || before === "rotation_write_failed")) return outcome2.at;
    return void 0;
  }
  async publish(outcome2, backup) {
    if (!this.inputs.publishStatus) return;
    const session = this.auth?.session;
    const authorizedAt = this.authorizedAt(outcome2);
    const fingerprint = outcome2.state !== "ok" ? void 0 : this.auth?.appFingerprint ?? (this.org.credentials.clientId ? appFingerprint(this.org.credentials.clientId) : void 0);
    try {
      await publishStatus(
        {
          runs: [
            {
              identity: {
                alias: this.org.alias,
                type: orgTypeOf(this.org.type),
                loginHost: this.org.credentials.loginUrl,
                ...session ? { orgId: session.orgId, userId: session.userId, instanceUrl: session.instanceUrl } : {},
                ...fingerprint ? { appFingerprint: fingerprint } : {},
                ...authorizedAt ? { authorizedAt } : {}
              },
              auth: outcome2,
              ...backup ? { backup } : {},
              runUrl: runUrl()
            }
          ]
        },
        {
          branch: this.inputs.statusBranch,
          ...this.inputs.statusRemote ? { remoteUrl: this.inputs.statusRemote } : {},
          context: this.context,
          redact: this.inputs.redactStatus,
          secretValues: [...this.org.secretValues, ...this.inputs.secretsToken ? [this.inputs.secretsToken] : []]
        }
      );
    } catch (err) {
      const remedy = err instanceof ProductError ? ` ${err.remedy}` : "";
      warning(`The status of ${this.org.alias} was not published: ${err instanceof Error ? err.message : String(err)}.${remedy}`);
    }
  }
  async syncIssue(outcome2) {
    const repo = repository();
    if (!this.inputs.openIssues || !this.inputs.githubToken || !repo) return;
    const [owner, name] = repo.split("/");
    const needsAttention = NEEDS_ATTENTION.has(outcome2.state);
    const title = outcome2.state === "misconfigured" ? `Salesforce backup of ${this.org.alias}: a setting needs fixing` : outcome2.state === "rotation_write_failed" ? `Salesforce org ${this.org.alias}: the rotated refresh token could not be stored` : `Salesforce org ${this.org.alias} needs re-authorization`;
    const url = runUrl();
    const body = [
      `**Org:** ${this.org.alias} (${this.org.type})`,
      `**State:** \`${outcome2.state}\`${outcome2.reason ? ` (\`${outcome2.reason}\`)` : ""} since ${outcome2.at}`,
      "",
      outcome2.message,
      "",
      `**To fix:** ${outcome2.remedy ?? ""}`,
      "",
      "Backups of this org fail until this is fixed. This issue closes itself after the next healthy run.",
      ...url ? ["", `Last run: ${url}`] : []
    ].join("\n");
    try {
      const octokit = await createOctokit(this.inputs.githubToken, apiUrl());
      const r = await syncOrgIssue(
        octokit,
        { owner, repo: name },
        { alias: this.org.alias, needsAttention, title, body, state: `${outcome2.state}/${outcome2.reason ?? ""}` }
      );
      if (r.action !== "none" && r.action !== "unchanged") info(`Issue for ${this.org.alias}: ${r.action}${r.url ? ` (${r.url})` : ""}.`);
    } catch (err) {
      const remedy = err instanceof ProductError ? ` ${err.remedy}` : "";
      warning(`The issue for ${this.org.alias} was not updated: ${err instanceof Error ? err.message : String(err)}.${remedy}`);
    }
  }
};
function escapeHtml2(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

// src/action/backup.ts
function mask(value) {
  if (!value) return;
  setSecret(value);
  for (const line of value.split(/\r?\n/)) if (line && line !== value) setSecret(line);
}
function workspace() {
  return jobContext().workspace ?? process.cwd();
}
function resolveTarget(inputs) {
  if (inputs.refreshToken) {
    const raw = {
      loginUrl: inputs.type ? loginUrlForType(inputs.type) : inputs.loginUrl,
      clientId: inputs.clientId,
      clientSecret: inputs.clientSecret,
      refreshToken: inputs.refreshToken,
      apiVersion: inputs.apiVersion
    };
    const credentials = parseSettings(orgCredentialsSchema, raw, {
      loginUrl: inputs.type ? "type" : "login-url",
      clientId: "client-id",
      clientSecret: "client-secret",
      refreshToken: "refresh-token",
      apiVersion: "api-version"
    });
    return {
      alias: inputs.alias ?? "org",
      type: inputs.type ?? credentials.loginUrl,
      credentials,
      secretValues: [credentials.clientId, credentials.clientSecret, credentials.refreshToken],
      objects: {},
      fieldsExclude: [],
      storage: void 0
    };
  }
  const secrets = parseSecretsMap(inputs.secrets);
  const config = loadConfig(path2.resolve(workspace(), inputs.configFile), inputs.configFile);
  const org = selectOrg(config, inputs.org, inputs.configFile);
  const resolved = resolveOrg(config, org, secrets, inputs.configFile, inputs.apiVersion);
  for (const v of resolved.secretValues) mask(v);
  return resolved;
}
function storageFor(org, inputs) {
  const s = org.storage ?? { kind: inputs.storage ?? "artifact" };
  switch (s.kind) {
    case "local":
      return { type: "local", dir: path2.resolve(workspace(), s.dir ?? inputs.outputDir ?? "salesforce-backups"), keep: s.keep ?? inputs.keep };
    case "artifact": {
      const name = s["artifact-name"] ?? inputs.artifactName;
      const retentionDays = s["retention-days"] ?? inputs.retentionDays;
      return { type: "artifact", ...name ? { name } : {}, ...retentionDays ? { retentionDays } : {} };
    }
    case "branch":
      return { type: "branch", branch: s.branch ?? inputs.backupBranch, ...inputs.backupRemote ? { remoteUrl: inputs.backupRemote } : {} };
  }
}
function lifecycleInputs(inputs) {
  return {
    githubToken: inputs.githubToken,
    secretsToken: inputs.secretsToken,
    statusBranch: inputs.statusBranch,
    statusRemote: inputs.statusRemote ?? inputs.backupRemote,
    // Single-org mode (inputs only, no config) has no secret names to write back or to report under.
    publishStatus: inputs.publishStatus,
    redactStatus: inputs.redactStatus,
    openIssues: inputs.openIssues,
    appPendingWindow: inputs.appPendingWindow,
    refreshTokenMaxAgeDays: inputs.refreshTokenMaxAgeDays
  };
}
function lastBackupOf(result, startedAt, failed) {
  const finishedAt = (/* @__PURE__ */ new Date()).toISOString();
  if (!result) {
    return {
      outcome: "failed",
      mode: null,
      startedAt,
      finishedAt,
      durationS: Math.max(0, (Date.parse(finishedAt) - Date.parse(startedAt)) / 1e3),
      objects: 0,
      rows: 0,
      bytes: 0,
      apiCallsUsed: 0,
      apiRemaining: null,
      apiLimit: null,
      changes: null,
      failedObjects: [],
      location: null
    };
  }
  const totals = result.diff?.totals;
  return {
    outcome: failed ? "failed" : "success",
    mode: result.mode,
    startedAt: result.startedAt,
    finishedAt: new Date(Date.parse(result.startedAt) + result.durationMs).toISOString(),
    durationS: Math.round(result.durationMs / 100) / 10,
    objects: result.objects,
    rows: result.rows,
    bytes: result.bytes,
    apiCallsUsed: result.apiCalls,
    apiRemaining: result.apiUsage ? Math.max(0, result.apiUsage.max - result.apiUsage.used) : null,
    apiLimit: result.apiUsage?.max ?? null,
    changes: totals ? { added: totals.added, changed: totals.changed, deleted: totals.deleted } : null,
    failedObjects: result.failedObjects.map((f) => f.name),
    location: result.published?.location ?? null,
    ...result.droppedObjects.length ? { droppedObjects: result.droppedObjects } : {},
    ...result.held ? { held: result.held } : {}
  };
}
async function reportUnresolved(inputs, err) {
  if (inputs.refreshToken) {
    if (err instanceof SalesforceError) setOutput("auth-state", err.state);
    return;
  }
  let alias;
  let type;
  try {
    const config = loadConfig(path2.resolve(workspace(), inputs.configFile), inputs.configFile);
    const orgConfig = selectOrg(config, inputs.org, inputs.configFile);
    alias = orgConfig.alias;
    type = orgConfig.type;
  } catch {
    if (err instanceof SalesforceError) setOutput("auth-state", err.state);
    return;
  }
  const loginUrl = loginUrlForType(type);
  const org = {
    alias,
    type,
    credentials: { loginUrl, clientId: "", clientSecret: "", refreshToken: "", apiVersion: inputs.apiVersion },
    secretValues: [],
    objects: {},
    fieldsExclude: [],
    storage: void 0
  };
  const outcome2 = failureOutcome(err, { alias, type, loginUrl }, /* @__PURE__ */ new Date());
  const life = await OrgLifecycle.open(org, { ...lifecycleInputs(inputs) });
  await life.report(outcome2);
  await summary.write();
}
async function runBackup(inputs) {
  let org;
  try {
    org = resolveTarget(inputs);
  } catch (err) {
    await reportUnresolved(inputs, err);
    throw err;
  }
  const storage = storageFor(org, inputs);
  info(`Backing up org "${org.alias}" (${org.type}) to the ${storage.type} target.`);
  const job = jobContext();
  const lock = await acquireLock({
    ...targetLock(storage, org.alias),
    command: `salesforce-backup-action backup (org ${org.alias}${job.runId ? `, workflow run ${job.runId}` : ""})`,
    log: { info, warning }
  });
  try {
    await backupLocked(inputs, org, storage);
  } finally {
    lock.release();
  }
}
function diskPlacesOf(workDir, tmpRoot, storage) {
  const output = storage.type === "local" ? storage.dir : void 0;
  return {
    staging: workDir,
    ...output ? { output } : {},
    remedies: {
      staging: `free space on the runner's disk that holds ${tmpRoot} (RUNNER_TEMP), or run the job on a runner with a bigger disk; staging needs room for about twice the org's data`,
      ...output ? {
        output: `free space on the disk that holds ${output} (an older snapshot there can go), or set output-dir (or the org's storage dir) to a folder on a bigger disk`
      } : {}
    }
  };
}
async function backupLocked(inputs, org, storage) {
  const life = await OrgLifecycle.open(org, lifecycleInputs(inputs));
  const auth = await life.authenticate();
  if (!auth.session) {
    await life.report(auth.outcome, lastBackupOf(void 0, auth.outcome.at, true));
    await summary.addRaw("<p>Nothing was backed up: the last good snapshot stays as it was.</p>", true).write();
    throw outcomeError(auth.outcome);
  }
  setSecret(auth.session.conn.accessToken ?? "");
  const target = createStorageTarget(storage, {
    ...inputs.githubToken ? { token: inputs.githubToken } : {},
    log: { info, warning },
    mask: setSecret
  });
  const tmpRoot = jobContext().tempDir;
  const work = createWorkDir(tmpRoot, org.alias, info);
  const workDir = work.dir;
  const startedAt = (/* @__PURE__ */ new Date()).toISOString();
  let result;
  try {
    result = await backupOrg({
      alias: org.alias,
      credentials: org.credentials,
      session: auth.session,
      target,
      workDir,
      fullEvery: inputs.fullEvery,
      apiBudgetShare: inputs.apiBudgetShare,
      massDelete: { share: inputs.massDeleteThreshold, minRows: inputs.massDeleteMinRows },
      allowShrink: inputs.allowShrink,
      ...org.objects.include ? { include: org.objects.include } : {},
      ...org.objects.exclude ? { exclude: org.objects.exclude } : {},
      ...org.fieldsExclude.length ? { excludeFields: org.fieldsExclude } : {},
      toolVersion: TOOL_VERSION,
      log: { info, warning },
      onSecret: mask
    });
  } catch (caught) {
    work.remove();
    const err = classifyDiskFull(caught, diskPlacesOf(workDir, tmpRoot, storage)) ?? caught;
    const settled = await life.settle();
    const outcome3 = settled.state !== "ok" ? settled : err instanceof SalesforceError ? failureOutcome(err, orgRef(org), /* @__PURE__ */ new Date(), org.secretValues) : settled;
    const failure = outcome3 !== settled ? outcomeError(outcome3, err) : err;
    await summary.addHeading(`Salesforce backup of ${escapeHtml(org.alias)}: failed`, 2).addRaw(`<p>${escapeHtml(describeFailure(failure)).replace(/\n/g, "<br>")}</p>`, true).addRaw("<p>Nothing was published: the last good snapshot stays as it was.</p>", true);
    await life.report(outcome3, lastBackupOf(void 0, startedAt, true));
    await summary.write();
    throw failure;
  }
  work.remove();
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
      title: `Object left the backup of ${org.alias}: ${d.name}`
    });
  }
  for (const m of result.massDeletes) {
    warning(`${m.object} dropped from ${m.before} to ${m.after} live rows since the last snapshot (\u2212${m.dropped}). Check that this delete was intended.`, {
      title: `Mass delete in ${org.alias}: ${m.object}`
    });
  }
  const failed = backupFailed(result);
  const outcome2 = await life.settle();
  addBackupSummary(summary, result);
  await life.report(outcome2, lastBackupOf(result, startedAt, failed));
  await summary.write();
  if (outcome2.state !== "ok") {
    setFailed(`${outcome2.message}
To fix: ${outcome2.remedy ?? ""}`);
  }
  if (failed) {
    const parts = [];
    if (result.failedObjects.length > 0)
      parts.push(`${result.failedObjects.length} object(s) failed: ${result.failedObjects.map((f) => `${f.name} (${f.error})`).join("; ")}`);
    if (result.stopped) parts.push(result.stopped);
    if (result.held) parts.push(`Held: ${result.held}. If the change is intended, re-run with \`allow-shrink: true\``);
    setFailed(
      `Backup of ${org.alias} not published. ${parts.join(". ")}
The last good snapshot stays as it was; re-run the backup once the cause is fixed.`
    );
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
      await summary.addHeading("Salesforce org check failed", 2).addRaw(`<p><b>State:</b> <code>${err.state}</code> (<code>${err.reason}</code>)</p>`, true).addRaw(`<p>${escapeHtml3(err.message)}</p>`, true).addRaw(`<p><b>To fix:</b> ${escapeHtml3(err.remedy)}</p>`, true).write();
    }
    throw err;
  }
}
function escapeHtml3(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

// src/action/inputs.ts
var COMMANDS = ["check", "backup", "rotate-app"];
var checkSchema = orgCredentialsSchema.extend({ command: external_exports.literal("check") });
var optionalText = external_exports.string().trim().min(1).optional();
var intIn = (min, max, example) => external_exports.coerce.number({ error: `must be a whole number from ${min} to ${max} \u2014 e.g. ${example}` }).int({ error: `must be a whole number \u2014 e.g. ${example}` }).min(min).max(max);
var share = (example) => external_exports.string().trim().transform((v, ctx) => {
  const pct = v.endsWith("%");
  const n = Number(pct ? v.slice(0, -1) : v);
  const value = pct || n > 1 ? n / 100 : n;
  if (!Number.isFinite(n) || value <= 0 || value > 1) {
    ctx.addIssue({ code: "custom", message: `must be a percentage above 0 and up to 100 \u2014 e.g. ${example}` });
    return external_exports.NEVER;
  }
  return value;
});
var flag = (name) => external_exports.enum(["true", "false"], { error: `must be true or false \u2014 e.g. ${name}: true` }).transform((v) => v === "true");
var lifecycleFields = {
  /** Writes rotated refresh tokens and rotate-app's credentials; GITHUB_TOKEN cannot (docs/github-token.md). */
  secretsToken: optionalText,
  statusBranch: external_exports.string().trim().regex(/^[A-Za-z0-9._/-]+$/, { error: "must be a branch name \u2014 e.g. salesforce-backup-status" }).default("salesforce-backup-status"),
  /** The status branch's git remote; the backup branch's remote, then this repository, by default. */
  statusRemote: optionalText,
  publishStatus: flag("publish-status").default(true),
  redactStatus: flag("redact-status").default(false),
  openIssues: flag("open-issues").default(true)
};
var backupSchema = external_exports.object({
  ...lifecycleFields,
  appPendingWindow: intIn(0, 60, "10").default(10),
  refreshTokenMaxAgeDays: intIn(1, 3650, "90").optional(),
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
  alias: external_exports.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, { error: "must be letters, digits, - or _ \u2014 e.g. prod" }).optional(),
  storage: external_exports.enum(STORAGE_KINDS, { error: "must be local, artifact or branch" }).optional(),
  backupBranch: external_exports.string().trim().min(1).default("salesforce-backups"),
  backupRemote: optionalText,
  artifactName: optionalText,
  retentionDays: intIn(1, 90, "30").optional(),
  outputDir: optionalText,
  keep: intIn(1, 1e4, "7").optional(),
  allowShrink: flag("allow-shrink").default(false),
  fullEvery: intIn(1, 1e3, "7").default(7),
  apiBudgetShare: share("50%").default(0.5),
  massDeleteThreshold: share("10%").default(0.1),
  massDeleteMinRows: intIn(0, 1e9, "100").default(100),
  apiVersion: external_exports.string().trim().regex(/^\d{2,3}\.0$/, { error: "must look like 62.0" }).default(DEFAULT_API_VERSION),
  githubToken: optionalText
});
var rotateAppSchema = external_exports.object({
  ...lifecycleFields,
  command: external_exports.literal("rotate-app"),
  configFile: external_exports.string().trim().min(1).default(DEFAULT_CONFIG_FILE),
  secrets: external_exports.string().default(""),
  newClientId: external_exports.string({ error: "is required: the new Connected App consumer key" }).trim().min(1, { error: "is required: the new Connected App consumer key" }),
  newClientSecret: external_exports.string({ error: "is required: the new Connected App consumer secret" }).trim().min(1, { error: "is required: the new Connected App consumer secret" }),
  githubToken: optionalText
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
  newClientSecret: "new-client-secret"
};
var SECRET_INPUTS = /* @__PURE__ */ new Set(["clientId", "clientSecret", "refreshToken", "githubToken", "secretsToken", "newClientId", "newClientSecret"]);
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
  if (raw.command === "check") {
    const { command: _, ...creds } = raw;
    return { command: "check", ...parseSettings(orgCredentialsSchema, creds, INPUT_NAMES) };
  }
  parseSettings(external_exports.object({ command: external_exports.enum(COMMANDS, { error: `must be one of: ${COMMANDS.join(", ")}` }) }), raw, INPUT_NAMES);
  throw new Error(`unknown command ${raw.command}`);
}

// src/action/rotate-app.ts
import path3 from "node:path";
function mask2(value) {
  if (!value) return;
  setSecret(value);
  for (const line of value.split(/\r?\n/)) if (line && line !== value) setSecret(line);
}
function escapeHtml4(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
async function runRotateApp(inputs) {
  mask2(inputs.newClientId);
  mask2(inputs.newClientSecret);
  try {
    return await rotate(inputs);
  } catch (err) {
    const clean = (t) => redact(t, [inputs.newClientId, inputs.newClientSecret, inputs.secretsToken ?? "", inputs.githubToken ?? ""]);
    await summary.addHeading("Connected App rotation failed", 2).addRaw(`<p>${escapeHtml4(clean(describeFailure(err))).replace(/\n/g, "<br>")}</p>`, true).write();
    throw err;
  }
}
async function rotate(inputs) {
  const secrets = parseSecretsMap(inputs.secrets);
  const job = jobContext();
  const repository2 = job.repository ?? "";
  const workspace2 = job.workspace ?? process.cwd();
  const config = loadConfig(path3.resolve(workspace2, inputs.configFile), inputs.configFile);
  const context = {
    ...inputs.githubToken ? { token: inputs.githubToken } : {},
    log: { info, warning },
    mask: setSecret
  };
  const [owner, repo] = repository2.split("/");
  const result = await runRotation(
    {
      config,
      repository: repository2,
      newClientId: inputs.newClientId,
      newClientSecret: inputs.newClientSecret,
      secrets,
      ...inputs.publishStatus ? { status: { branch: inputs.statusBranch, context, redact: inputs.redactStatus } } : {},
      runUrl: job.runUrl,
      secretValues: [...inputs.secretsToken ? [inputs.secretsToken] : [], ...inputs.githubToken ? [inputs.githubToken] : []]
    },
    {
      log: { info, warning },
      mask: mask2,
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
      escapeHtml4(o.alias),
      escapeHtml4(o.loginHost),
      `<code>${escapeHtml4(o.reauthCommand)}</code>`,
      issue?.url ? `<a href="${escapeHtml4(issue.url)}">${issue.action}</a>` : issue?.action ?? "\u2014"
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
  ]).addRaw(`<p><b>Secrets written:</b> ${r.written.map((t) => `<code>${escapeHtml4(t.name)}</code>`).join(", ") || "none"}</p>`, true);
  if (plan.untouched.length) {
    s.addRaw(`<p><b>Left as they are:</b> ${plan.untouched.map((u) => `${escapeHtml4(u.alias)} (${escapeHtml4(u.why)})`).join("; ")}</p>`, true);
  }
  if (r.status) s.addRaw(`<p>Status branch <code>${escapeHtml4(r.status.branch)}</code> at <code>${r.status.commit.slice(0, 12)}</code>.</p>`, true);
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
  }
}
export {
  run
};
