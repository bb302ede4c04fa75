import { createRequire as __sfbackupCreateRequire } from 'node:module';
const require = __sfbackupCreateRequire(import.meta.url);
import {
  ConfigError,
  DEFAULT_ACTIVATION_WINDOW_MS,
  DEFAULT_API_VERSION,
  DEFAULT_CLIENT_ID_SECRET,
  DEFAULT_CLIENT_SECRET_SECRET,
  DEFAULT_CONFIG_FILE,
  DEFAULT_GITHUB_API_URL,
  DEFAULT_STATUS_BRANCH,
  MisconfiguredError,
  SnapshotCorruptError,
  TOOL_VERSION,
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
  diffSnapshots,
  droppedReasonText,
  formatBytes,
  formatCount,
  formatDuration,
  formatMassDeletes,
  jobContext,
  leftoversAround,
  loadConfig,
  localLockFile,
  loginUrlForType,
  orgCredentialsSchema,
  parseSettings,
  readOrgFiles,
  realActivationWindow,
  require_jsforce,
  resolveSecretTargets,
  runRotation,
  selectOrg,
  verifySnapshot,
  withinActivationWindow
} from "./chunk-C2F2GH3L.js";
import {
  describeSecretTarget
} from "./chunk-VDL7TKW2.js";
import "./chunk-XDA2MSO5.js";
import "./chunk-YB5IORQZ.js";
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

// src/cli/main.ts
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs as parseArgs3 } from "node:util";

// src/cli/reauth.ts
import { existsSync } from "node:fs";
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";

// src/salesforce/approvals.ts
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
  const list2 = c.live.map((s) => `${s.alias} (${s.authorizedAt ?? "date unknown"})`).join(", ");
  return [
    `This login would be approval ${c.live.length + 1} for the same Salesforce user and Connected App (app ${q.appFingerprint}); Salesforce keeps ${max}.`,
    `It would revoke the oldest one: org "${c.evicts.alias}", authorized ${c.evicts.authorizedAt ?? "at an unknown time"}, whose backups would then fail until it is re-authorized.`,
    `Live approvals, oldest first: ${list2}.`,
    `To avoid it, authorize "${q.alias}" as another (integration) user, or revoke an unused approval first (Setup \u2192 Connected Apps OAuth Usage).`
  ].join("\n");
}

// src/salesforce/verify-token.ts
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
  } catch (err2) {
    throw classifyAuthError(err2, loginUrl);
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

// src/salesforce/web-login.ts
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
function redirectUriFor(port, path2) {
  return `http://localhost:${port}${path2.startsWith("/") ? path2 : `/${path2}`}`;
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
function oauthErrorRemedy(error, orgLabel2) {
  switch (error) {
    case "access_denied":
      return { state: "reauth_required", remedy: `Run the command again and choose Allow on the Salesforce page for ${orgLabel2}.` };
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
  } catch (err2) {
    throw classifyAuthError(err2, p.loginUrl);
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
  } catch (err2) {
    if (err2 instanceof Error && err2.name === "invalid_grant") return { callbackListed: void 0 };
    if (err2 instanceof Error && err2.name === "redirect_uri_mismatch") return { callbackListed: false };
    throw classifyAuthError(err2, p.loginUrl);
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
  const path2 = o.callbackPath ?? DEFAULT_CALLBACK_PATH;
  const server = await startCallbackServer({
    port: o.port ?? DEFAULT_CALLBACK_PORT,
    path: path2.startsWith("/") ? path2 : `/${path2}`,
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

// src/cli/reauth.ts
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
  const out2 = [];
  for (const alias of aliases) {
    try {
      const { status } = await readOrgFiles(dir, alias);
      if (status) out2.push(status);
    } catch (e) {
      warn(`Warning: ignoring the status of org "${alias}": ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return out2;
}
function orgLabel(alias, loginUrl) {
  return `org "${alias}" (${loginUrl})`;
}
async function reauth(s, io) {
  const config = loadConfig(s.configFile);
  const org = selectOrg(config, s.alias, s.configFile);
  if (!s.repo)
    throw new ReauthUsageError(
      "reauth needs the GitHub repository whose secret receives the token: --repo owner/name (or GITHUB_REPOSITORY); --dry-run needs it too, to say where the token would go"
    );
  if (!io.writer && !s.dryRun) throw new ReauthUsageError("reauth needs a GitHub token that can write secrets (--github-token, GH_TOKEN or GITHUB_TOKEN)");
  const target = resolveSecretTargets(config, org, s.repo).refreshToken;
  const loginUrl = (s.loginUrl ?? loginUrlForType(org.type)).replace(/\/+$/, "");
  const label = orgLabel(org.alias, loginUrl);
  const fingerprint = appFingerprint(s.clientId);
  const statuses = s.statusDir ? await readKnownStatuses(
    s.statusDir,
    config.orgs.map((o) => o.alias),
    io.err
  ) : [];
  const own = statuses.find((x) => x.alias.toLowerCase() === org.alias.toLowerCase());
  const query = { alias: org.alias, appFingerprint: fingerprint, statuses, configuredAliases: config.orgs.map((o) => o.alias) };
  const approvals = checkApprovals(query);
  const warning = approvalWarning(query, approvals);
  if (warning) {
    io.err(`Warning: ${warning}`);
    if (!s.yes) {
      if (!io.confirm) {
        throw new ReauthDeclinedError(
          `Not authorizing org "${org.alias}": it would revoke the token of org "${approvals.evicts?.alias}", and there is no terminal to confirm that.`,
          "Run the command in a terminal to answer the question, authorize as another user, or pass --yes to accept that the other org must be re-authorized afterwards."
        );
      }
      if (!await io.confirm(`Authorize "${org.alias}" anyway and let Salesforce revoke "${approvals.evicts?.alias}"?`)) {
        throw new ReauthDeclinedError(
          `Not authorizing org "${org.alias}": declined. Nothing was changed.`,
          "Authorize as another user, or revoke an unused approval first."
        );
      }
    }
  } else if (s.statusDir && !approvals.known) {
    io.err(`Note: the status data knows no user for org "${org.alias}" yet, so the approval limit (5 per user and app) could not be checked.`);
  }
  io.err(`Checking the Connected App (app ${fingerprint}) at ${loginUrl} ...`);
  const redirectUri = redirectUriFor(s.port, s.callbackPath);
  const preflight = await withinActivationWindow(
    () => preflightClient({ loginUrl, clientId: s.clientId, clientSecret: s.clientSecret, redirectUri }),
    io.window
  );
  if (preflight.callbackListed === false && s.port !== 0) {
    io.err(
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
    ...io.signal ? { signal: io.signal } : {},
    onAuthorizeUrl: io.showAuthorizeUrl,
    retry: (fn) => withinActivationWindow(fn, io.window)
  });
  const authorizedAt = new Date(io.window.now()).toISOString();
  io.err(`Login received for org ${grant.orgId}; verifying the new refresh token ...`);
  let verified;
  try {
    verified = await verifyRefreshToken(
      { loginUrl, clientId: s.clientId, clientSecret: s.clientSecret, refreshToken: grant.refreshToken, apiVersion: s.apiVersion },
      { alias: org.alias, type: org.type, orgId: own?.orgId ?? null },
      { window: io.window }
    );
  } catch (e) {
    await revokeRefreshToken(loginUrl, grant.refreshToken);
    throw e;
  }
  if (s.dryRun || !io.writer) {
    await revokeRefreshToken(loginUrl, verified.refreshToken);
  } else {
    try {
      await io.writer.write(target, verified.refreshToken);
    } catch (e) {
      io.err(
        `The login to org ${verified.orgId} was verified, but its token could not be stored in the ${describeSecretTarget(target)}; nothing was stored. Fix the cause below and run the command again.`
      );
      await revokeRefreshToken(loginUrl, verified.refreshToken);
      throw e;
    }
  }
  return {
    alias: org.alias,
    orgId: verified.orgId,
    userId: verified.userId,
    username: verified.username,
    instanceUrl: verified.instanceUrl,
    target,
    stored: Boolean(io.writer && !s.dryRun),
    rotated: verified.rotated,
    appFingerprint: fingerprint,
    authorizedAt
  };
}
var REAUTH_HELP = `sfbackup reauth --org ALIAS: log in to one org in the browser and store its new refresh token
in the org's GitHub secret (the one the org config names). Nothing is stored unless the login is
verified against the org.

Usage: sfbackup reauth --org ALIAS [options]

  --org ALIAS               the org's alias in the org config (required)
  --config FILE             the org config (default ${DEFAULT_CONFIG_FILE})
  --client-id KEY           Consumer Key of the Connected App     (SF_CLIENT_ID, or the variable the
  --client-secret SECRET    Consumer Secret of the Connected App   config's client-id-secret names)
  --repo OWNER/NAME         repository holding the secret         (GITHUB_REPOSITORY)
  --github-token TOKEN      token allowed to write its secrets    (GH_TOKEN, GITHUB_TOKEN)
  --github-api-url URL      GitHub API (default ${DEFAULT_GITHUB_API_URL})  (GITHUB_API_URL)
  --port N                  callback port (default ${DEFAULT_CALLBACK_PORT})
  --callback-path PATH      callback path (default ${DEFAULT_CALLBACK_PATH}); the Connected App must
                            list http://localhost:PORT/PATH among its callback URLs
  --scope SCOPES            OAuth scopes (default "${DEFAULT_SCOPE}")
  --login-url URL           log in on this host instead of the one the org's type names
  --login-hint USERNAME     prefill the username on the login page
  --no-browser              only print the URL to open
  --status-dir DIR          a checkout of the status branch: enables the approval-limit warning
                            and the check that the login is to the same org as before
  --yes                     go on past the approval-limit warning without asking
  --dry-run                 log in and verify, but store nothing
  --activation-window SEC   how long to wait for a new Connected App to become active (default 600)
  --timeout SEC             how long to wait for the browser login (default 300)

Prefer the environment variables for secrets: command lines are visible to other processes.
`;
function parseReauthArgs(argv) {
  return parseArgs({
    args: argv,
    allowPositionals: false,
    options: {
      org: { type: "string" },
      config: { type: "string" },
      "client-id": { type: "string" },
      "client-secret": { type: "string" },
      repo: { type: "string" },
      "github-token": { type: "string" },
      "github-api-url": { type: "string" },
      port: { type: "string" },
      "callback-path": { type: "string" },
      scope: { type: "string" },
      "login-url": { type: "string" },
      "login-hint": { type: "string" },
      "no-browser": { type: "boolean", default: false },
      "status-dir": { type: "string" },
      yes: { type: "boolean", short: "y", default: false },
      "dry-run": { type: "boolean", default: false },
      "activation-window": { type: "string" },
      timeout: { type: "string" },
      "api-version": { type: "string" },
      help: { type: "boolean", short: "h", default: false }
    }
  });
}
function seconds(v, flag, fallbackMs) {
  if (v === void 0) return fallbackMs;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new ReauthUsageError(`${flag} must be a number of seconds`);
  return n * 1e3;
}
function clientSetting(flag, env, configured, fallback) {
  return (flag || (configured ? env[configured] : void 0) || env[fallback] || "").trim() || void 0;
}
function tryConfigClientNames(file, alias) {
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
var EXIT_INTERRUPTED = 130;
var cancelled = () => new WebLoginError({
  state: "aborted",
  reason: "aborted",
  message: "Cancelled before the login completed. Nothing was stored.",
  remedy: "Run the command again when you are ready to log in."
});
async function runReauthCommand(argv, env, ctx) {
  let values;
  try {
    ({ values } = parseReauthArgs(argv));
  } catch (e) {
    throw new ReauthUsageError(e.message);
  }
  if (values.help) {
    ctx.out(REAUTH_HELP.trimEnd());
    return 0;
  }
  const alias = values.org;
  if (!alias) throw new ReauthUsageError("reauth needs --org ALIAS: the org to re-authorize, as the org config names it");
  const configFile = values.config ?? DEFAULT_CONFIG_FILE;
  const names = tryConfigClientNames(configFile, alias);
  const clientId = clientSetting(values["client-id"], env, names.id, DEFAULT_CLIENT_ID_SECRET);
  const clientSecret = clientSetting(values["client-secret"], env, names.secret, DEFAULT_CLIENT_SECRET_SECRET);
  if (!clientId || !clientSecret) {
    throw new ReauthUsageError(
      `reauth needs the Connected App's consumer key and secret: --client-id/--client-secret, or the variables ${names.id ?? DEFAULT_CLIENT_ID_SECRET} and ${names.secret ?? DEFAULT_CLIENT_SECRET_SECRET} (the backups log in with both, so the new token is verified with both)`
    );
  }
  const port = Number(values.port ?? DEFAULT_CALLBACK_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ReauthUsageError("--port must be a port number (the one in the Connected App callback URL)");
  const callbackPath = values["callback-path"] ?? DEFAULT_CALLBACK_PATH;
  if (!/^\/[A-Za-z0-9._~\-/]*$/.test(callbackPath)) throw new ReauthUsageError("--callback-path must be a URL path such as /OauthRedirect");
  const dryRun = values["dry-run"];
  const job = jobContext({ token: values["github-token"] || env.GH_TOKEN, apiUrl: values["github-api-url"], repository: values.repo }, env);
  const token = (job.token ?? "").trim();
  const apiUrl = job.apiUrl;
  if (!dryRun && !token)
    throw new ReauthUsageError(
      'reauth needs a GitHub token allowed to write the secret: --github-token or GH_TOKEN (e.g. GH_TOKEN=$(gh auth token)); a fine-grained token needs "Secrets: Read and write" on the repository'
    );
  let writer;
  if (!dryRun) {
    if (ctx.createWriter) writer = await ctx.createWriter(token, apiUrl);
    else {
      const { createOctokit } = await import("./octokit-5ERUCFOM.js");
      const { createSecretWriter } = await import("./secrets-PSVHPUB5.js");
      writer = createSecretWriter(await createOctokit(token, apiUrl));
    }
  }
  const browser = !values["no-browser"];
  const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY);
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  const settings = {
    alias,
    configFile,
    clientId,
    clientSecret,
    repo: job.repository,
    loginUrl: values["login-url"],
    port,
    callbackPath,
    scope: values.scope ?? DEFAULT_SCOPE,
    loginHint: values["login-hint"],
    statusDir: values["status-dir"],
    dryRun,
    yes: values.yes,
    activationWindowMs: seconds(values["activation-window"], "--activation-window", DEFAULT_ACTIVATION_WINDOW_MS),
    callbackTimeoutMs: seconds(values.timeout, "--timeout", DEFAULT_CALLBACK_TIMEOUT_MS),
    apiVersion: values["api-version"] ?? DEFAULT_API_VERSION
  };
  const io = {
    out: ctx.out,
    err: ctx.err,
    confirm: interactive ? async (question) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
      } finally {
        rl.close();
      }
    } : void 0,
    showAuthorizeUrl: (url, redirectUri) => {
      ctx.err(`Log in to org "${alias}" in a browser. Waiting for Salesforce to redirect to ${redirectUri} (Ctrl-C cancels):`);
      ctx.out(url);
      if (browser) openBrowser(url);
    },
    writer,
    window: realActivationWindow(
      settings.activationWindowMs,
      ({ nextMs }) => ctx.err(
        `The Connected App is not active at the login host yet (new or changed apps take up to 10 minutes); trying again in ${Math.round(nextMs / 1e3)} s ...`
      ),
      { signal: controller.signal, error: cancelled }
    ),
    signal: controller.signal
  };
  try {
    const r = await reauth(settings, io);
    const where = describeSecretTarget(r.target);
    ctx.out(
      `Authorized org ${r.orgId} ("${r.alias}") as ${r.username} (user ${r.userId}); the refresh token was verified${r.rotated ? " (the org rotates tokens: the rotated one is kept)" : ""}.`
    );
    if (r.stored) {
      ctx.out(`Stored it in the ${where}.`);
      ctx.out("Next: run the backup workflow (gh workflow run backup.yml), or wait for its schedule; the status page shows the org as ok after that run.");
    } else ctx.out(`Dry run: nothing was stored (it would go to the ${where}).`);
    return 0;
  } catch (e) {
    if (e instanceof WebLoginError && e.state === "aborted") {
      ctx.err(`sfbackup: ${e.message}`);
      return EXIT_INTERRUPTED;
    }
    throw e;
  } finally {
    process.off("SIGINT", onSigint);
  }
}

// src/cli/rotate-app.ts
import { parseArgs as parseArgs2 } from "node:util";
var RotateAppUsageError = class extends MisconfiguredError {
  constructor(message) {
    super({ reason: "bad_input", message, remedy: 'Run "sfbackup rotate-app --help" for the options.' });
  }
};
var ROTATE_APP_HELP = `sfbackup rotate-app: store a new Connected App consumer key and secret in the secrets the org config
names, and start a re-authorization campaign for every org that used the old app.

Usage: sfbackup rotate-app --client-id NEW --client-secret NEW [options]

  --config FILE             the org config (default ${DEFAULT_CONFIG_FILE})
  --client-id KEY           the new Consumer Key     (SF_NEW_CLIENT_ID)
  --client-secret SECRET    the new Consumer Secret  (SF_NEW_CLIENT_SECRET)
  --old-client-id KEY       the Consumer Key being replaced (SF_CLIENT_ID): identifies the orgs of
                            the old app when the status branch does not know them
  --repo OWNER/NAME         repository holding the secrets          (GITHUB_REPOSITORY)
  --github-token TOKEN      token allowed to write its secrets      (GH_TOKEN, GITHUB_TOKEN)
  --github-api-url URL      GitHub API (default ${DEFAULT_GITHUB_API_URL})  (GITHUB_API_URL)
  --status-branch NAME      the status branch (default ${DEFAULT_STATUS_BRANCH})
  --remote-url URL          git URL of the repository (default GITHUB_SERVER_URL/OWNER/NAME.git)
  --no-status               do not read or publish the status branch
  --no-issues               do not open an issue per org
  --redact                  leave usernames and My Domain hosts out of the status data
  --dry-run                 show what would be written and who must re-authorize; write nothing

Prefer the environment variables for secrets: command lines are visible to other processes.
New or changed Connected App credentials take up to 10 minutes to become active; then run
"sfbackup reauth --org ALIAS" for each org listed.
`;
function parse(argv) {
  return parseArgs2({
    args: argv,
    allowPositionals: false,
    options: {
      config: { type: "string" },
      "client-id": { type: "string" },
      "client-secret": { type: "string" },
      "old-client-id": { type: "string" },
      repo: { type: "string" },
      "github-token": { type: "string" },
      "github-api-url": { type: "string" },
      "status-branch": { type: "string" },
      "remote-url": { type: "string" },
      "no-status": { type: "boolean", default: false },
      "no-issues": { type: "boolean", default: false },
      redact: { type: "boolean", default: false },
      "dry-run": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false }
    }
  });
}
function printPlan(plan, out2) {
  out2(`App ${plan.previousFingerprint} \u2192 app ${plan.newFingerprint}.`);
  out2(`Secrets: ${plan.writes.map((w) => describeSecretTarget(w.target)).join("; ")}.`);
  for (const u of plan.untouched) out2(`Left as it is: ${u.alias} (${u.why}).`);
}
async function runRotateAppCommand(argv, env, ctx) {
  let values;
  try {
    ({ values } = parse(argv));
  } catch (e) {
    throw new RotateAppUsageError(e.message);
  }
  if (values.help) {
    ctx.out(ROTATE_APP_HELP.trimEnd());
    return 0;
  }
  const newClientId = (values["client-id"] || env.SF_NEW_CLIENT_ID || "").trim();
  const newClientSecret = (values["client-secret"] || env.SF_NEW_CLIENT_SECRET || "").trim();
  if (!newClientId || !newClientSecret) {
    throw new RotateAppUsageError(
      "rotate-app needs the new Consumer Key and Secret: --client-id and --client-secret (or SF_NEW_CLIENT_ID and SF_NEW_CLIENT_SECRET)"
    );
  }
  const oldClientId = (values["old-client-id"] || env.SF_CLIENT_ID || "").trim() || void 0;
  const job = jobContext({ token: values["github-token"] || env.GH_TOKEN, apiUrl: values["github-api-url"], repository: values.repo }, env);
  const repository = (job.repository ?? "").trim();
  if (!/^[^/\s]+\/[^/\s]+$/.test(repository)) {
    throw new RotateAppUsageError("rotate-app needs the repository that holds the secrets: --repo OWNER/NAME (or GITHUB_REPOSITORY)");
  }
  const [owner, repo] = repository.split("/");
  const token = (job.token ?? "").trim();
  const apiUrl = job.apiUrl;
  const dryRun = values["dry-run"];
  const withStatus = !values["no-status"];
  if (!token && !dryRun) {
    throw new RotateAppUsageError(
      'rotate-app needs a GitHub token allowed to write the secrets: --github-token or GH_TOKEN (e.g. GH_TOKEN=$(gh auth token)); a fine-grained token needs "Secrets: Read and write" on the repository (docs/github-token.md)'
    );
  }
  const configFile = values.config ?? DEFAULT_CONFIG_FILE;
  const config = loadConfig(configFile);
  const branch = values["status-branch"] ?? DEFAULT_STATUS_BRANCH;
  const remoteUrl = values["remote-url"] ?? `${job.serverUrl}/${owner}/${repo}.git`;
  const log = { info: ctx.err, warning: (m) => ctx.err(`Warning: ${m}`) };
  const context = { ...token ? { token } : {}, repository, log, mask: () => {
  } };
  const result = await runRotation(
    {
      config,
      repository,
      newClientId,
      newClientSecret,
      ...oldClientId ? { oldClientId } : {},
      ...withStatus ? { status: { branch, remoteUrl, context, redact: values.redact } } : {},
      dryRun,
      secretValues: [token, ...oldClientId ? [oldClientId] : []]
    },
    {
      log,
      onPlan: (plan2) => printPlan(plan2, ctx.out),
      // Loaded only when something is written: a dry run needs no GitHub client.
      writer: async () => {
        if (ctx.createWriter) return ctx.createWriter(token, apiUrl);
        const [{ createOctokit }, { createSecretWriter }] = await Promise.all([import("./octokit-5ERUCFOM.js"), import("./secrets-PSVHPUB5.js")]);
        return createSecretWriter(await createOctokit(token, apiUrl));
      },
      issues: async () => {
        if (values["no-issues"]) return void 0;
        const { createOctokit } = await import("./octokit-5ERUCFOM.js");
        return { octokit: await createOctokit(token, apiUrl), repo: { owner, repo } };
      }
    }
  );
  const { plan } = result;
  if (dryRun) ctx.out(`Dry run: nothing was written. These orgs would need re-authorizing (${plan.orgs.length}):`);
  else {
    ctx.out(`Stored the new consumer key and secret (app ${plan.newFingerprint}) in ${result.written.length} secret(s).`);
    ctx.out(
      `Re-authorization campaign ${result.campaign.id}: ${result.progress.done} of ${result.progress.total} orgs re-authorized${result.status ? ` (status branch ${result.status.branch})` : ""}.`
    );
    ctx.out("The new credentials take up to 10 minutes to become active; then re-authorize each org:");
  }
  const width = Math.max(...plan.orgs.map((o) => o.alias.length));
  const hostWidth = Math.max(...plan.orgs.map((o) => o.loginHost.length));
  for (const o of plan.orgs) ctx.out(`  ${o.alias.padEnd(width)}  ${o.loginHost.padEnd(hostWidth)}  ${o.reauthCommand}`);
  if (result.statusError) {
    ctx.err(`The campaign was not published: ${describeFailure(result.statusError)}`);
    return 1;
  }
  return 0;
}

// src/cli/main.ts
var VERSION = TOOL_VERSION;
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
var HELP = `sfbackup ${VERSION}: back up Salesforce orgs into your own GitHub repository.

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
var FLAG_ENV = {
  loginUrl: ["login-url", "SF_LOGIN_URL"],
  clientId: ["client-id", "SF_CLIENT_ID"],
  clientSecret: ["client-secret", "SF_CLIENT_SECRET"],
  refreshToken: ["refresh-token", "SF_REFRESH_TOKEN"],
  apiVersion: ["api-version", "SF_API_VERSION"]
};
var UsageError = class extends ProductError {
  name = "UsageError";
  state = "misconfigured";
  constructor(message) {
    super({ reason: "usage", message, remedy: 'run "sfbackup --help" for usage' });
  }
};
var closed = { stdout: false, stderr: false };
for (const [name, stream] of [
  ["stdout", process.stdout],
  ["stderr", process.stderr]
]) {
  stream.on("error", (e) => {
    if (e.code !== "EPIPE") throw e;
    closed[name] = true;
  });
}
var out = (line = "") => {
  if (!closed.stdout) process.stdout.write(`${line}
`);
};
var err = (line = "") => {
  if (!closed.stderr) process.stderr.write(`${line}
`);
};
var diskPlaces = {};
var jsonFailures = false;
var secretValues = [];
function credentials(values, env) {
  const raw = {};
  const names = {};
  for (const [key, [flag, envName]] of Object.entries(FLAG_ENV)) {
    raw[key] = values[flag] || env[envName] || void 0;
    names[key] = `--${flag} (or ${envName})`;
  }
  return parseSettings(orgCredentialsSchema, raw, names);
}
function list(v) {
  const items = v?.split(",").map((s) => s.trim()).filter(Boolean);
  return items?.length ? items : void 0;
}
function share(v, flag, fallback) {
  if (v === void 0) return fallback;
  const pct = v.endsWith("%");
  const n = Number(pct ? v.slice(0, -1) : v);
  const value = pct || n > 1 ? n / 100 : n;
  if (!Number.isFinite(n) || value <= 0 || value > 1) throw new UsageError(`${flag} must be a percentage above 0 and up to 100, e.g. 50%`);
  return value;
}
function positiveInt(v, flag) {
  if (v === void 0) return void 0;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a whole number of at least 1`);
  return n;
}
async function runCheck(values, env) {
  const creds = credentials(values, env);
  const result = await checkOrg(creds);
  if (values.json) {
    out(JSON.stringify({ authState: "ok", ...result }));
  } else {
    const u = result.apiUsage;
    out(`Logged in to org ${result.orgId} as user ${result.userId}.`);
    out(`Instance:     ${result.instanceUrl}`);
    out(`API version:  ${result.apiVersion}`);
    out(`API requests: ${u.used} of ${u.limit} in the last 24 hours (${u.remaining} left)`);
  }
  if (result.refreshTokenRotated) {
    err("Warning: the org rotated the refresh token; the one you passed no longer works. Re-authorize, or turn rotation off for the app.");
  }
  return EXIT.ok;
}
async function runBackup(values, env) {
  const outDir = values.out || env.SF_BACKUP_DIR;
  if (!outDir) throw new UsageError("backup needs --out DIR (or SF_BACKUP_DIR): the folder the snapshot goes to");
  const alias = values.alias ?? "org";
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(alias)) throw new UsageError("--alias must be letters, digits, - or _");
  const fullEveryFlag = positiveInt(values["full-every"], "--full-every");
  const fullEvery = fullEveryFlag ?? (values.incremental ? 7 : 1);
  const creds = credentials(values, env);
  const concurrency = positiveInt(values.concurrency, "--concurrency");
  const minRows = values["mass-delete-min-rows"] === void 0 ? 100 : Number(values["mass-delete-min-rows"]);
  if (!Number.isInteger(minRows) || minRows < 0) throw new UsageError("--mass-delete-min-rows must be a whole number");
  const waitLock = values["wait-lock"] === void 0 ? 0 : Number(values["wait-lock"]);
  if (!Number.isFinite(waitLock) || waitLock < 0) throw new UsageError("--wait-lock must be a number of seconds");
  const keep = positiveInt(values.keep, "--keep") ?? 7;
  const target = createStorageTarget(
    { type: "local", dir: path.resolve(outDir), keep },
    { log: { info: err, warning: (m) => err(`Warning: ${m}`) }, mask: () => {
    } }
  );
  diskPlaces.output = path.resolve(outDir);
  const lock = await acquireLock({
    file: localLockFile(outDir, alias),
    target: `the backup of ${alias} into ${path.resolve(outDir)}`,
    command: `sfbackup backup --out ${path.resolve(outDir)} --alias ${alias}`,
    waitSeconds: waitLock,
    waitHint: "--wait-lock SECONDS",
    log: { info: err, warning: (m) => err(`Warning: ${m}`) }
  });
  diskPlaces.staging = tmpdir();
  let work;
  let result;
  try {
    work = createWorkDir(tmpdir(), alias, err);
    const workDir = work.dir;
    diskPlaces.staging = workDir;
    const include = list(values.include);
    const exclude = list(values.exclude);
    const excludeFields = list(values["exclude-fields"]);
    result = await backupOrg({
      alias,
      credentials: creds,
      target,
      workDir,
      fullEvery,
      full: Boolean(values.full),
      apiBudgetShare: share(values["api-budget-share"], "--api-budget-share", 0.5),
      massDelete: { share: share(values["mass-delete-threshold"], "--mass-delete-threshold", 0.1), minRows },
      allowShrink: Boolean(values["allow-shrink"]),
      ...include ? { include } : {},
      ...exclude ? { exclude } : {},
      ...excludeFields ? { excludeFields } : {},
      toolVersion: VERSION,
      // Progress and notes go to stderr so stdout stays the result (and --json stays parseable).
      log: { info: err, warning: (m) => err(`Warning: ${m}`) },
      ...concurrency ? { exportTuning: { concurrency } } : {}
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
    out(`  API calls   ${formatCount(result.apiCalls)}${result.apiUsage ? ` (org: ${result.apiUsage.used} of ${result.apiUsage.max} today)` : ""}`);
    if (result.diff) {
      const t = result.diff.totals;
      out(`  changes     +${formatCount(t.added)} added, ~${formatCount(t.changed)} changed, -${formatCount(t.deleted)} deleted since the last snapshot`);
    } else if (result.previousLocation) out("  changes     not compared: the run failed, so it was not checked against the previous snapshot");
    else out("  changes     first snapshot");
    out(`  snapshot    ${result.published ? result.published.location : `NOT published${result.held ? " (held)" : ""}: the previous snapshot is unchanged`}`);
    if (result.massDeletes.length) out(`  MASS DELETE ${formatMassDeletes(result.massDeletes)}`);
    if (result.droppedObjects.length)
      out(`  DROPPED     ${result.droppedObjects.map((d) => `${d.name} (${formatCount(d.rows)} rows, ${droppedReasonText(d.reason)})`).join("; ")}`);
    if (result.published?.pinned) out(`  kept        ${result.published.pinned.path} for good (KEPT.json): ${result.published.pinned.reason}`);
    for (const p of result.published?.pruned ?? []) out(`  removed     ${p} (older than the newest ${keep})`);
  }
  for (const f of result.failedObjects) err(`Failed: ${f.name}: ${f.error}`);
  if (result.held) err(`Held: ${result.held}. Nothing was published. If the change is intended, re-run with --allow-shrink.`);
  if (result.stopped) err(`Stopped: ${result.stopped}`);
  if (result.rotatedRefreshToken)
    err("Warning: the org rotated the refresh token; the one you passed no longer works. Re-authorize, or turn rotation off for the app.");
  if (result.held) return EXIT.held;
  return failed ? EXIT.incomplete : EXIT.ok;
}
async function runVerify(dir, values) {
  try {
    const report = await verifySnapshot(path.resolve(dir));
    const leftovers = leftoversAround(report.dir);
    for (const l of leftovers)
      err(`Warning: leftover ${l.path}: ${l.what}${l.running ? ` (run ${l.pid} is still going)` : "; the next backup into this folder removes it"}.`);
    if (values.json) out(JSON.stringify({ ok: true, ...report, leftovers }));
    else {
      out(`Snapshot ${report.dir} is intact: org ${report.orgId}, ${report.mode} run finished ${report.finishedAt}.`);
      out(
        `  ${formatCount(report.objects.length)} objects, ${formatCount(report.rows)} rows, ${formatCount(report.files)} files, ${formatBytes(report.bytes)}; every checksum and count matches.`
      );
      const failed = report.objects.filter((o) => o.status === "failed");
      if (failed.length) out(`  Objects marked failed in this snapshot: ${failed.map((o) => o.name).join(", ")}`);
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
async function runDiff(oldDir, newDir, values) {
  const diff = await diffSnapshots(path.resolve(oldDir), path.resolve(newDir), { idLimit: values.json ? 100 : 0 });
  if (values.json) {
    out(JSON.stringify(diff));
    return EXIT.ok;
  }
  const width = Math.max(6, ...diff.objects.map((o) => o.name.length));
  out(`${"object".padEnd(width)}  ${"rows".padStart(10)}  ${"added".padStart(8)}  ${"changed".padStart(8)}  ${"deleted".padStart(8)}`);
  for (const o of diff.objects) {
    if (o.presence === "both" && o.added + o.changed + o.deleted === 0) continue;
    const note = o.presence === "both" ? o.fieldsChanged ? "  (fields changed)" : "" : `  (${o.presence})`;
    out(
      `${o.name.padEnd(width)}  ${formatCount(o.newRows).padStart(10)}  ${`+${formatCount(o.added)}`.padStart(8)}  ${`~${formatCount(o.changed)}`.padStart(8)}  ${`-${formatCount(o.deleted)}`.padStart(8)}${note}`
    );
  }
  const t = diff.totals;
  out(
    `${"total".padEnd(width)}  ${formatCount(t.newRows).padStart(10)}  ${`+${formatCount(t.added)}`.padStart(8)}  ${`~${formatCount(t.changed)}`.padStart(8)}  ${`-${formatCount(t.deleted)}`.padStart(8)}`
  );
  return EXIT.ok;
}
async function main(argv, env) {
  collectSecrets(argv, env);
  if (argv[0] === "reauth") return runReauthCommand(argv.slice(1), env, { out, err });
  if (argv[0] === "rotate-app") return runRotateAppCommand(argv.slice(1), env, { out, err });
  let parsed;
  jsonFailures = argv.includes("--json");
  try {
    parsed = parse2(argv);
  } catch (e) {
    throw new UsageError(e.message);
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
  if (!command) throw new UsageError("no command given");
  const arity = { check: 0, backup: 0, verify: 1, diff: 2 };
  const n = arity[command];
  if (n === void 0) throw new UsageError(`unknown command "${command}"`);
  if (rest.length > n) throw new UsageError(`unexpected argument "${rest[n]}"`);
  if (rest.length < n)
    throw new UsageError(
      command === "verify" ? "verify needs the snapshot folder: sfbackup verify DIR" : "diff needs two snapshot folders: sfbackup diff OLD NEW"
    );
  switch (command) {
    case "check":
      return runCheck(values, env);
    case "backup":
      return runBackup(values, env);
    case "verify":
      return runVerify(rest[0], values);
    default:
      return runDiff(rest[0], rest[1], values);
  }
}
function parse2(argv) {
  return parseArgs3({
    args: argv,
    allowPositionals: true,
    options: {
      "login-url": { type: "string" },
      "client-id": { type: "string" },
      "client-secret": { type: "string" },
      "refresh-token": { type: "string" },
      "api-version": { type: "string" },
      out: { type: "string" },
      alias: { type: "string" },
      incremental: { type: "boolean", default: false },
      "full-every": { type: "string" },
      full: { type: "boolean", default: false },
      include: { type: "string" },
      exclude: { type: "string" },
      "exclude-fields": { type: "string" },
      "api-budget-share": { type: "string" },
      "mass-delete-threshold": { type: "string" },
      "mass-delete-min-rows": { type: "string" },
      concurrency: { type: "string" },
      keep: { type: "string" },
      "allow-shrink": { type: "boolean", default: false },
      "wait-lock": { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
      version: { type: "boolean", short: "v", default: false }
    }
  });
}
function collectSecrets(argv, env) {
  for (const name of ["SF_REFRESH_TOKEN", "SF_CLIENT_SECRET"]) {
    const v = env[name];
    if (v) secretValues.push(v);
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    for (const flag of ["--refresh-token", "--client-secret"]) {
      if (a === flag && argv[i + 1]) secretValues.push(argv[i + 1]);
      else if (a.startsWith(`${flag}=`)) secretValues.push(a.slice(flag.length + 1));
    }
  }
}
function scrub(text) {
  let s = text;
  for (const v of [...secretValues].sort((a, b) => b.length - a.length)) if (v.length >= 8) s = s.split(v).join("[redacted]");
  return s;
}
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
function failureJson(e, exitCode) {
  const c = classify(e);
  const message = e instanceof Error ? e.message : String(e);
  return { ok: false, state: c.state, reason: c.reason, message: scrub(message), remedy: scrub(c.remedy), exitCode: exitCode ?? c.exitCode };
}
main(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (caught) => {
    const e = classifyDiskFull(caught, diskPlaces) ?? caught;
    const c = classify(e);
    if (jsonFailures) out(JSON.stringify(failureJson(e)));
    if (e instanceof UsageError) err(`sfbackup: ${scrub(e.message)}
Run "sfbackup --help" for usage.`);
    else err(`sfbackup: ${scrub(describeFailure(e))}`);
    process.exitCode = c.exitCode;
  }
);
export {
  EXIT
};
