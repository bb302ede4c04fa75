// Re-authorizing one org (`sfbackup reauth`): a person logs in in the browser, the new refresh token
// is verified the way the backups will use it, and then goes straight into the org's GitHub secret.
// The order is the point: nothing is written before the token has proved itself, and the token is
// never printed, only where it went and whose it is.
//
// The org comes from the org config (its alias) or, for backups run without a config file, from
// the command line alone: a login host and the name of the repository secret the backups read.
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../config/load.ts';
import { resolveSecretTargets, selectOrg } from '../config/resolve.ts';
import { loginUrlForType } from '../config/schema.ts';
import { describeSecretTarget, type SecretTarget, type SecretWriter } from '../github/contracts.ts';
import { MisconfiguredError } from '../runtime/auth-errors.ts';
import { type ActivationWindow, withinActivationWindow } from '../salesforce/auth/activation-window.ts';
import { appFingerprint } from '../salesforce/auth/app-fingerprint.ts';
import { type ApprovalRecord, approvalWarning, checkApprovals } from '../salesforce/auth/approvals.ts';
import { expectedKind, type VerifiedToken, verifyRefreshToken } from '../salesforce/auth/verify-token.ts';
import { preflightClient, redirectUriFor, revokeRefreshToken, webLogin } from '../salesforce/auth/web-login.ts';
import { readOrgFiles } from '../status/files.ts';

/** Usage problems: exit 2 like every other configuration error. */
export class ReauthUsageError extends MisconfiguredError {
  constructor(message: string) {
    super({ reason: 'bad_input', message, remedy: 'Run "sfbackup reauth --help" for the options.' });
  }
}

/** The person said no to the approval warning, or could not be asked. Nothing was written. */
export class ReauthDeclinedError extends MisconfiguredError {
  constructor(message: string, remedy: string) {
    super({ reason: 'bad_input', message, remedy });
  }
}

/**
 * Which org, and which secret receives its token. `config`: an org of the org config, its secret
 * and scope as the config names them (`secret` renames the secret for this run, in the same scope).
 * `flags`: an org the backups reach without a config file; its secret is a repository secret.
 */
export type ReauthOrg =
  | { from: 'config'; configFile: string; alias: string; secret?: string | undefined }
  | {
      from: 'flags';
      /** `production`, `sandbox` or a login URL, as a config's `type` would say it: decides the checks. */
      type: string;
      /** The repository secret the backups read the refresh token from. */
      secret: string;
      /** Only for texts and the status data (approval limit, same-org check). */
      alias?: string | undefined;
    };

export interface ReauthSettings {
  org: ReauthOrg;
  clientId: string;
  clientSecret: string;
  /** `owner/name`: the repository whose secrets (or whose organization's) hold the token. */
  repo: string;
  /** Log in on this host instead of the one the org's type names (a My Domain, the emulator). */
  loginUrl: string | undefined;
  port: number;
  callbackPath: string;
  scope: string;
  loginHint: string | undefined;
  statusDir: string | undefined;
  dryRun: boolean;
  /** Go on past the approval warning without asking. */
  yes: boolean;
  activationWindowMs: number;
  callbackTimeoutMs: number;
  apiVersion: string;
}

export interface ReauthIo {
  /** Results (stdout). */
  out: (line: string) => void;
  /** Progress and warnings (stderr). */
  err: (line: string) => void;
  /** Asks a yes/no question; undefined when nobody can answer (not a terminal). */
  confirm: ((question: string) => Promise<boolean>) | undefined;
  /** Shows the authorize URL: printed always; a browser opened when allowed. Tests play the browser here. */
  showAuthorizeUrl: (url: string, redirectUri: string) => void | Promise<void>;
  /** Where the token goes; undefined only for a dry run. */
  writer: SecretWriter | undefined;
  window: ActivationWindow;
  signal?: AbortSignal;
}

export interface ReauthResult {
  /** Undefined for an org given without a config file and without --alias. */
  alias: string | undefined;
  orgId: string;
  userId: string;
  username: string;
  instanceUrl: string;
  target: SecretTarget;
  /** False for a dry run. */
  stored: boolean;
  rotated: boolean;
  appFingerprint: string;
  authorizedAt: string;
}

export type KnownStatus = ApprovalRecord & { orgId: string | null };

/**
 * The last known status of each org, from a checkout of the status branch. Read org by org (src/status
 * validates each file) so one unreadable file costs only its own org's entry, with a warning, rather
 * than the re-authorization.
 */
export async function readKnownStatuses(dir: string, aliases: readonly string[], warn: (line: string) => void): Promise<KnownStatus[]> {
  if (!existsSync(dir)) {
    throw new ReauthUsageError(`--status-dir ${dir} does not exist: check out the status branch there (or leave the option out to skip the approval check)`);
  }
  const out: KnownStatus[] = [];
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

/** Without a config, the orgs that count are the ones the status branch knows: every folder of orgs/. */
async function statusAliases(dir: string): Promise<string[]> {
  const orgs = path.join(dir, 'orgs');
  if (!existsSync(orgs)) return [];
  return (await readdir(orgs, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

const REPOSITORY = /^([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)\/([A-Za-z0-9._-]+)$/;

/** The org as this run sees it: who it is for texts, where it logs in, and where its token goes. */
interface ResolvedOrg {
  alias: string | undefined;
  /** For the login page and messages: `org "prod" (https://…)`. */
  label: string;
  type: string;
  loginUrl: string;
  target: SecretTarget;
  /** The aliases whose status counts toward the approval limit. */
  aliases: (statusDir: string) => Promise<string[]>;
}

function resolveOrg(s: ReauthSettings): ResolvedOrg {
  if (s.org.from === 'config') {
    const { configFile, secret } = s.org;
    const config = loadConfig(configFile);
    const org = selectOrg(config, s.org.alias, configFile);
    const configured = resolveSecretTargets(config, org, s.repo).refreshToken;
    const loginUrl = (s.loginUrl ?? loginUrlForType(org.type)).replace(/\/+$/, '');
    return {
      alias: org.alias,
      label: `org "${org.alias}" (${loginUrl})`,
      type: org.type,
      loginUrl,
      target: secret ? { ...configured, name: secret } : configured,
      aliases: async () => config.orgs.map((o) => o.alias),
    };
  }
  const { type, secret, alias } = s.org;
  const m = REPOSITORY.exec(s.repo.trim());
  if (!m?.[1] || !m[2]) throw new ReauthUsageError(`--repo must be owner/name (the repository whose secret ${secret} receives the token), not "${s.repo}"`);
  const loginUrl = (s.loginUrl ?? loginUrlForType(type)).replace(/\/+$/, '');
  return {
    alias,
    label: alias ? `org "${alias}" (${loginUrl})` : `the org at ${loginUrl}`,
    type,
    loginUrl,
    target: { scope: 'repository', owner: m[1], repo: m[2], name: secret },
    aliases: async (dir) => [...new Set([...(await statusAliases(dir)), ...(alias ? [alias] : [])])],
  };
}

function kindText(kind: 'production' | 'sandbox'): string {
  return kind === 'sandbox' ? 'a sandbox' : 'a production org';
}

/**
 * The verification's wrong-org-type error names the config's `type:`; without a config the setting
 * to change is the flag, so the error is said again in those words. Same reason, nothing stored.
 */
function flagsWording(e: unknown, org: ResolvedOrg): unknown {
  if (!(e instanceof MisconfiguredError) || e.reason !== 'wrong_org_type') return e;
  const want = expectedKind(org.type);
  if (!want) return e;
  const actual = want === 'sandbox' ? 'production' : 'sandbox';
  const said = org.type === want ? `--type ${want}` : `--login-url ${org.type}`;
  return new MisconfiguredError({
    reason: 'wrong_org_type',
    message: `${said} says ${kindText(want)}, but the org just authorized is ${kindText(actual)}. Nothing was stored.`,
    remedy: `If this is the right org, run the command again with --type ${actual} (or its My Domain URL as --login-url), and have the backups log in the same way; otherwise log in to ${kindText(want)}.`,
    ...(e.context ? { context: e.context } : {}),
    cause: e,
  });
}

/** The whole re-authorization, with its I/O injected. Throws typed errors carrying remedies. */
export async function reauth(s: ReauthSettings, io: ReauthIo): Promise<ReauthResult> {
  if (!io.writer && !s.dryRun) throw new ReauthUsageError('reauth needs a GitHub token that can write secrets (--github-token, GH_TOKEN or GITHUB_TOKEN)');
  const org = resolveOrg(s);
  const { loginUrl, label, target } = org;
  // Status files are per alias: an org without one has no status to consult.
  const name = org.alias;
  const fingerprint = appFingerprint(s.clientId);

  let own: KnownStatus | undefined;
  if (s.statusDir && name) {
    const aliases = await org.aliases(s.statusDir);
    const statuses = await readKnownStatuses(s.statusDir, aliases, io.err);
    own = statuses.find((x) => x.alias.toLowerCase() === name.toLowerCase());
    const query = { alias: name, appFingerprint: fingerprint, statuses, configuredAliases: aliases };
    const approvals = checkApprovals(query);
    const warning = approvalWarning(query, approvals);
    if (warning) {
      io.err(`Warning: ${warning}`);
      if (!s.yes) {
        if (!io.confirm) {
          throw new ReauthDeclinedError(
            `Not authorizing org "${name}": it would revoke the token of org "${approvals.evicts?.alias}", and there is no terminal to confirm that.`,
            'Run the command in a terminal to answer the question, authorize as another user, or pass --yes to accept that the other org must be re-authorized afterwards.',
          );
        }
        if (!(await io.confirm(`Authorize "${name}" anyway and let Salesforce revoke "${approvals.evicts?.alias}"?`))) {
          throw new ReauthDeclinedError(
            `Not authorizing org "${name}": declined. Nothing was changed.`,
            'Authorize as another user, or revoke an unused approval first.',
          );
        }
      }
    } else if (!approvals.known) {
      io.err(`Note: the status data knows no user for org "${name}" yet, so the approval limit (5 per user and app) could not be checked.`);
    }
  } else if (s.statusDir) {
    io.err('Note: --status-dir is read by alias; without --alias the approval limit (5 per user and app) was not checked.');
  }

  // The app must be known to the login host before anyone is sent to log in (activation window).
  io.err(`Checking the Connected App (app ${fingerprint}) at ${loginUrl} ...`);
  const redirectUri = redirectUriFor(s.port, s.callbackPath);
  const preflight = await withinActivationWindow(
    () => preflightClient({ loginUrl, clientId: s.clientId, clientSecret: s.clientSecret, redirectUri }),
    io.window,
  );
  // Port 0 (any free port) is only known once the callback server listens: nothing to say yet.
  if (preflight.callbackListed === false && s.port !== 0) {
    io.err(
      `Note: ${loginUrl} says ${redirectUri} is not among the Connected App's callback URLs. If the browser shows redirect_uri_mismatch, add it (Setup → App Manager → the app → Edit → Callback URL) or pass --port/--callback-path to match one it lists.`,
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
    ...(s.loginHint ? { loginHint: s.loginHint } : {}),
    ...(io.signal ? { signal: io.signal } : {}),
    onAuthorizeUrl: io.showAuthorizeUrl,
    retry: (fn) => withinActivationWindow(fn, io.window),
  });
  const authorizedAt = new Date(io.window.now()).toISOString();
  io.err(`Login received for org ${grant.orgId}; verifying the new refresh token ...`);

  let verified: VerifiedToken;
  try {
    verified = await verifyRefreshToken(
      { loginUrl, clientId: s.clientId, clientSecret: s.clientSecret, refreshToken: grant.refreshToken, apiVersion: s.apiVersion },
      { alias: name ?? target.name, type: org.type, orgId: own?.orgId ?? null },
      { window: io.window },
    );
  } catch (e) {
    await revokeRefreshToken(loginUrl, grant.refreshToken);
    throw s.org.from === 'flags' ? flagsWording(e, org) : e;
  }

  if (s.dryRun || !io.writer) {
    // A dry run's token is stored nowhere: give its approval back rather than let it count toward five.
    await revokeRefreshToken(loginUrl, verified.refreshToken);
  } else {
    try {
      await io.writer.write(target, verified.refreshToken);
    } catch (e) {
      // The approval exists in Salesforce (and counts toward the limit of five) but its token is lost.
      io.err(
        `The login to org ${verified.orgId} was verified, but its token could not be stored in the ${describeSecretTarget(target)}; nothing was stored. Fix the cause below and run the command again.`,
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
    stored: Boolean(io.writer && !s.dryRun),
    rotated: verified.rotated,
    appFingerprint: fingerprint,
    authorizedAt,
  };
}
