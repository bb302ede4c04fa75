// `sfbackup reauth --org <alias>`: a person logs in to one org in the browser, the new refresh token
// is verified the way the backups will use it, and then goes straight into the org's GitHub secret.
// The order is the point: nothing is written before the token has proved itself, and the token is
// never printed, only where it went and whose it is.
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { DEFAULT_API_VERSION } from '../config/credentials.ts';
import { ConfigError, loadConfig } from '../config/load.ts';
import { resolveSecretTargets, selectOrg } from '../config/resolve.ts';
import { DEFAULT_CLIENT_ID_SECRET, DEFAULT_CLIENT_SECRET_SECRET, DEFAULT_CONFIG_FILE, loginUrlForType } from '../config/schema.ts';
import { describeSecretTarget, type SecretTarget, type SecretWriter } from '../github/contracts.ts';
import { MisconfiguredError } from '../runtime/auth-errors.ts';
import { DEFAULT_GITHUB_API_URL, jobContext } from '../runtime/job-context.ts';
import { type ActivationWindow, DEFAULT_ACTIVATION_WINDOW_MS, realActivationWindow, withinActivationWindow } from '../salesforce/auth/activation-window.ts';
import { appFingerprint } from '../salesforce/auth/app-fingerprint.ts';
import { type ApprovalRecord, approvalWarning, checkApprovals } from '../salesforce/auth/approvals.ts';
import { type VerifiedToken, verifyRefreshToken } from '../salesforce/auth/verify-token.ts';
import {
  DEFAULT_CALLBACK_PATH,
  DEFAULT_CALLBACK_PORT,
  DEFAULT_CALLBACK_TIMEOUT_MS,
  DEFAULT_SCOPE,
  openBrowser,
  preflightClient,
  redirectUriFor,
  revokeRefreshToken,
  WebLoginError,
  webLogin,
} from '../salesforce/auth/web-login.ts';
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

export interface ReauthSettings {
  alias: string;
  configFile: string;
  clientId: string;
  clientSecret: string;
  /** `owner/name`: the repository whose secrets (or whose organization's) hold the token. */
  repo: string | undefined;
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
  alias: string;
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
 * The last known status of each configured org, from a checkout of the status branch. Read org by
 * org (src/status validates each file) so one unreadable file costs only its own org's entry, with a
 * warning, rather than the re-authorization.
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

function orgLabel(alias: string, loginUrl: string): string {
  return `org "${alias}" (${loginUrl})`;
}

/** The whole command, with its I/O injected. Throws typed errors carrying remedies. */
export async function reauth(s: ReauthSettings, io: ReauthIo): Promise<ReauthResult> {
  const config = loadConfig(s.configFile);
  const org = selectOrg(config, s.alias, s.configFile);
  if (!s.repo)
    throw new ReauthUsageError(
      'reauth needs the GitHub repository whose secret receives the token: --repo owner/name (or GITHUB_REPOSITORY); --dry-run needs it too, to say where the token would go',
    );
  if (!io.writer && !s.dryRun) throw new ReauthUsageError('reauth needs a GitHub token that can write secrets (--github-token, GH_TOKEN or GITHUB_TOKEN)');
  const target = resolveSecretTargets(config, org, s.repo).refreshToken;
  const loginUrl = (s.loginUrl ?? loginUrlForType(org.type)).replace(/\/+$/, '');
  const label = orgLabel(org.alias, loginUrl);
  const fingerprint = appFingerprint(s.clientId);

  const statuses = s.statusDir
    ? await readKnownStatuses(
        s.statusDir,
        config.orgs.map((o) => o.alias),
        io.err,
      )
    : [];
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
          'Run the command in a terminal to answer the question, authorize as another user, or pass --yes to accept that the other org must be re-authorized afterwards.',
        );
      }
      if (!(await io.confirm(`Authorize "${org.alias}" anyway and let Salesforce revoke "${approvals.evicts?.alias}"?`))) {
        throw new ReauthDeclinedError(
          `Not authorizing org "${org.alias}": declined. Nothing was changed.`,
          'Authorize as another user, or revoke an unused approval first.',
        );
      }
    }
  } else if (s.statusDir && !approvals.known) {
    io.err(`Note: the status data knows no user for org "${org.alias}" yet, so the approval limit (5 per user and app) could not be checked.`);
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
      { alias: org.alias, type: org.type, orgId: own?.orgId ?? null },
      { window: io.window },
    );
  } catch (e) {
    await revokeRefreshToken(loginUrl, grant.refreshToken);
    throw e;
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
    alias: org.alias,
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

export const REAUTH_HELP = `sfbackup reauth --org ALIAS: log in to one org in the browser and store its new refresh token
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

function parseReauthArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: false,
    options: {
      org: { type: 'string' },
      config: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      repo: { type: 'string' },
      'github-token': { type: 'string' },
      'github-api-url': { type: 'string' },
      port: { type: 'string' },
      'callback-path': { type: 'string' },
      scope: { type: 'string' },
      'login-url': { type: 'string' },
      'login-hint': { type: 'string' },
      'no-browser': { type: 'boolean', default: false },
      'status-dir': { type: 'string' },
      yes: { type: 'boolean', short: 'y', default: false },
      'dry-run': { type: 'boolean', default: false },
      'activation-window': { type: 'string' },
      timeout: { type: 'string' },
      'api-version': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

function seconds(v: string | undefined, flag: string, fallbackMs: number): number {
  if (v === undefined) return fallbackMs;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new ReauthUsageError(`${flag} must be a number of seconds`);
  return n * 1000;
}

/** Where the consumer key comes from: the flag, the variable the config names, then SF_CLIENT_ID. */
function clientSetting(flag: string | undefined, env: NodeJS.ProcessEnv, configured: string | undefined, fallback: string): string | undefined {
  return (flag || (configured ? env[configured] : undefined) || env[fallback] || '').trim() || undefined;
}

function tryConfigClientNames(file: string, alias: string): { id?: string; secret?: string } {
  try {
    const config = loadConfig(file);
    const org = selectOrg(config, alias, file);
    return {
      id: org['client-id-secret'] ?? config.defaults?.['client-id-secret'],
      secret: org['client-secret-secret'] ?? config.defaults?.['client-secret-secret'],
    };
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    return {};
  }
}

export interface CliContext {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Injected by tests; the real CLI builds an Octokit-backed writer. */
  createWriter?: (token: string, apiUrl: string) => Promise<SecretWriter>;
}

/** Exit code for the user pressing Ctrl-C (128 + SIGINT). */
const EXIT_INTERRUPTED = 130;

const cancelled = () =>
  new WebLoginError({
    state: 'aborted',
    reason: 'aborted',
    message: 'Cancelled before the login completed. Nothing was stored.',
    remedy: 'Run the command again when you are ready to log in.',
  });

/** `sfbackup reauth ...` from the command line. Returns the exit code; throws typed errors for main.ts. */
export async function runReauthCommand(argv: string[], env: NodeJS.ProcessEnv, ctx: CliContext): Promise<number> {
  let values: ReturnType<typeof parseReauthArgs>['values'];
  try {
    ({ values } = parseReauthArgs(argv));
  } catch (e) {
    throw new ReauthUsageError((e as Error).message);
  }
  if (values.help) {
    ctx.out(REAUTH_HELP.trimEnd());
    return 0;
  }
  const alias = values.org;
  if (!alias) throw new ReauthUsageError('reauth needs --org ALIAS: the org to re-authorize, as the org config names it');
  const configFile = values.config ?? DEFAULT_CONFIG_FILE;
  const names = tryConfigClientNames(configFile, alias);
  const clientId = clientSetting(values['client-id'], env, names.id, DEFAULT_CLIENT_ID_SECRET);
  const clientSecret = clientSetting(values['client-secret'], env, names.secret, DEFAULT_CLIENT_SECRET_SECRET);
  if (!clientId || !clientSecret) {
    throw new ReauthUsageError(
      `reauth needs the Connected App's consumer key and secret: --client-id/--client-secret, or the variables ${names.id ?? DEFAULT_CLIENT_ID_SECRET} and ${names.secret ?? DEFAULT_CLIENT_SECRET_SECRET} (the backups log in with both, so the new token is verified with both)`,
    );
  }
  const port = Number(values.port ?? DEFAULT_CALLBACK_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ReauthUsageError('--port must be a port number (the one in the Connected App callback URL)');
  const callbackPath = values['callback-path'] ?? DEFAULT_CALLBACK_PATH;
  if (!/^\/[A-Za-z0-9._~\-/]*$/.test(callbackPath)) throw new ReauthUsageError('--callback-path must be a URL path such as /OauthRedirect');
  const dryRun = values['dry-run'];
  // GH_TOKEN (the gh CLI's) comes before the job's GITHUB_TOKEN on a laptop.
  const job = jobContext({ token: values['github-token'] || env.GH_TOKEN, apiUrl: values['github-api-url'], repository: values.repo }, env);
  const token = (job.token ?? '').trim();
  const apiUrl = job.apiUrl;
  if (!dryRun && !token)
    throw new ReauthUsageError(
      'reauth needs a GitHub token allowed to write the secret: --github-token or GH_TOKEN (e.g. GH_TOKEN=$(gh auth token)); a fine-grained token needs "Secrets: Read and write" on the repository',
    );
  let writer: SecretWriter | undefined;
  if (!dryRun) {
    if (ctx.createWriter) writer = await ctx.createWriter(token, apiUrl);
    else {
      const { createOctokit } = await import('../github/octokit.ts');
      const { createSecretWriter } = await import('../github/secrets.ts');
      writer = createSecretWriter(await createOctokit(token, apiUrl));
    }
  }

  const browser = !values['no-browser'];
  const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY);
  const controller = new AbortController();
  // The first Ctrl-C ends the wait for the browser (or for the Connected App) cleanly; a second one
  // ends the process, whatever it is doing.
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const settings: ReauthSettings = {
    alias,
    configFile,
    clientId,
    clientSecret,
    repo: job.repository,
    loginUrl: values['login-url'],
    port,
    callbackPath,
    scope: values.scope ?? DEFAULT_SCOPE,
    loginHint: values['login-hint'],
    statusDir: values['status-dir'],
    dryRun,
    yes: values.yes,
    activationWindowMs: seconds(values['activation-window'], '--activation-window', DEFAULT_ACTIVATION_WINDOW_MS),
    callbackTimeoutMs: seconds(values.timeout, '--timeout', DEFAULT_CALLBACK_TIMEOUT_MS),
    apiVersion: values['api-version'] ?? DEFAULT_API_VERSION,
  };
  const io: ReauthIo = {
    out: ctx.out,
    err: ctx.err,
    confirm: interactive
      ? async (question) => {
          const rl = createInterface({ input: process.stdin, output: process.stderr });
          try {
            return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
          } finally {
            rl.close();
          }
        }
      : undefined,
    showAuthorizeUrl: (url, redirectUri) => {
      ctx.err(`Log in to org "${alias}" in a browser. Waiting for Salesforce to redirect to ${redirectUri} (Ctrl-C cancels):`);
      ctx.out(url);
      if (browser) openBrowser(url);
    },
    writer,
    window: realActivationWindow(
      settings.activationWindowMs,
      ({ nextMs }) =>
        ctx.err(
          `The Connected App is not active at the login host yet (new or changed apps take up to 10 minutes); trying again in ${Math.round(nextMs / 1000)} s ...`,
        ),
      { signal: controller.signal, error: cancelled },
    ),
    signal: controller.signal,
  };
  try {
    const r = await reauth(settings, io);
    const where = describeSecretTarget(r.target);
    ctx.out(
      `Authorized org ${r.orgId} ("${r.alias}") as ${r.username} (user ${r.userId}); the refresh token was verified${r.rotated ? ' (the org rotates tokens: the rotated one is kept)' : ''}.`,
    );
    if (r.stored) {
      ctx.out(`Stored it in the ${where}.`);
      ctx.out('Next: run the backup workflow (gh workflow run backup.yml), or wait for its schedule; the status page shows the org as ok after that run.');
    } else ctx.out(`Dry run: nothing was stored (it would go to the ${where}).`);
    return 0;
  } catch (e) {
    if (e instanceof WebLoginError && e.state === 'aborted') {
      ctx.err(`sfbackup: ${e.message}`);
      return EXIT_INTERRUPTED;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
