// `sfbackup reauth`: the command line of the re-authorization (src/app/reauth.ts). Two forms: an org
// of the org config (`--org ALIAS`), or an org backed up without a config file (a login host and the
// repository secret its backups read: the command the remedy of such a backup prints). This module
// declares and checks the flags, wires the browser, the terminal question and the secret writer,
// and says what happened.
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { z } from 'zod';
import { type ReauthIo, type ReauthOrg, type ReauthResult, type ReauthSettings, reauth } from '../../app/reauth.ts';
import { DEFAULT_API_VERSION } from '../../config/credentials.ts';
import { ConfigError, loadConfig } from '../../config/load.ts';
import { selectOrg } from '../../config/resolve.ts';
import { DEFAULT_CLIENT_ID_SECRET, DEFAULT_CLIENT_SECRET_SECRET, DEFAULT_CONFIG_FILE, loginUrlForType, orgTypeSettingSchema } from '../../config/schema.ts';
import { aliasSetting, intIn } from '../../config/settings.ts';
import { describeSecretTarget, type SecretWriter } from '../../github/contracts.ts';
import { jobContext } from '../../runtime/job-context.ts';
import { DEFAULT_ACTIVATION_WINDOW_MS, realActivationWindow } from '../../salesforce/auth/activation-window.ts';
import {
  DEFAULT_CALLBACK_PATH,
  DEFAULT_CALLBACK_PORT,
  DEFAULT_CALLBACK_TIMEOUT_MS,
  DEFAULT_SCOPE,
  openBrowser,
  WebLoginError,
} from '../../salesforce/auth/web-login.ts';
import { type CliIo, defineCommand, type Flags, type FlagValues, parseCommandLine, UsageError, validateFlags } from '../command.ts';
import { GITHUB_FLAGS } from './github-flags.ts';
import { SECRETS_NOTE } from './login-flags.ts';

const FLAGS = {
  org: { kind: 'string', value: 'ALIAS', help: 'an org of the org config (its login host and secret\ncome from there)' },
  config: { kind: 'string', value: 'FILE', help: `the org config; only with --org\n(default ${DEFAULT_CONFIG_FILE})` },
  type: {
    kind: 'string',
    value: 'KIND',
    help: [
      'production (login.salesforce.com) or sandbox',
      '(test.salesforce.com): where to log in and what',
      'the org must be; with --org: log in on that host',
      "this once (the config's type still decides what",
      'the org must be)',
    ].join('\n'),
  },
  'login-url': {
    kind: 'string',
    value: 'URL',
    help: [
      'log in on this host, e.g. the My Domain',
      'https://acme.my.salesforce.com (with --type too:',
      'the host, while --type says what the org must be);',
      "with --org: this once instead of the host the config's",
      'type names',
    ].join('\n'),
  },
  secret: {
    kind: 'string',
    value: 'NAME',
    help: [
      'the GitHub secret that receives the refresh token;',
      'without --org a repository secret (required); with',
      "--org it replaces the config's name for this run,",
      "in the config's secrets-scope",
    ].join('\n'),
  },
  alias: { kind: 'string', value: 'NAME', help: 'without --org: what to call the org in the texts\nand in --status-dir' },
  // No `env`: the variable comes after the one the org config names, which only the run knows.
  'client-id': {
    kind: 'string',
    value: 'KEY',
    help: "Consumer Key of the Connected App; else the variable\nthe config's client-id-secret names, else SF_CLIENT_ID",
    secret: true,
  },
  'client-secret': {
    kind: 'string',
    value: 'SECRET',
    help: "Consumer Secret of the Connected App; else the\nvariable the config's client-secret-secret names,\nelse SF_CLIENT_SECRET",
    secret: true,
  },
  ...GITHUB_FLAGS,
  port: { kind: 'string', value: 'N', help: `callback port (default ${DEFAULT_CALLBACK_PORT}; 0: any free port)` },
  'callback-path': {
    kind: 'string',
    value: 'PATH',
    help: `callback path (default ${DEFAULT_CALLBACK_PATH}); the\nConnected App must list http://localhost:PORT/PATH\namong its callback URLs`,
  },
  scope: { kind: 'string', value: 'SCOPES', help: `OAuth scopes (default "${DEFAULT_SCOPE}")` },
  'login-hint': { kind: 'string', value: 'USERNAME', help: 'prefill the username on the login page' },
  'no-browser': { kind: 'boolean', help: 'only print the URL to open' },
  'status-dir': {
    kind: 'string',
    value: 'DIR',
    help: 'a checkout of the status branch: enables the\napproval-limit warning and the check that the\nlogin is to the same org as before',
  },
  yes: { kind: 'boolean', short: 'y', help: 'go on past the approval-limit warning without\nasking (also -y)' },
  'dry-run': { kind: 'boolean', help: 'log in and verify, but store nothing' },
  'activation-window': {
    kind: 'string',
    value: 'SEC',
    help: `how long to wait for a new Connected App to become\nactive (default ${DEFAULT_ACTIVATION_WINDOW_MS / 1000})`,
  },
  timeout: { kind: 'string', value: 'SEC', help: `how long to wait for the browser login\n(default ${DEFAULT_CALLBACK_TIMEOUT_MS / 1000})` },
  'api-version': { kind: 'string', value: 'V', help: `Salesforce API version of the verification (default ${DEFAULT_API_VERSION})`, hidden: true },
} as const satisfies Flags;

type ReauthFlags = FlagValues<typeof FLAGS>;

// The same rule as the org config's refresh-token-secret: --secret names what the config would.
const secretName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
  error: 'must be the name of a GitHub secret (letters, digits, _) — e.g. --secret SF_REFRESH_TOKEN_PROD',
});

/** The flags that carry a value with a format, validated like the action's inputs and the org config. */
const settingsSchema = z.object({
  type: z
    .enum(['production', 'sandbox'], { error: 'must be production or sandbox; for a My Domain give --login-url https://acme.my.salesforce.com instead' })
    .optional(),
  loginUrl: z
    .string()
    .refine((v) => URL.canParse(v), { error: 'must be a URL — e.g. --login-url https://acme.my.salesforce.com' })
    .pipe(orgTypeSettingSchema.transform((v) => v.replace(/\/+$/, '')))
    .optional(),
  secret: secretName.optional(),
  alias: aliasSetting.optional(),
  port: intIn(0, 65535, String(DEFAULT_CALLBACK_PORT)).default(DEFAULT_CALLBACK_PORT),
  callbackPath: z
    .string()
    .regex(/^\/[A-Za-z0-9._~\-/]*$/, { error: `must be a URL path — e.g. ${DEFAULT_CALLBACK_PATH}` })
    .default(DEFAULT_CALLBACK_PATH),
  activationWindow: intIn(0, 3600, String(DEFAULT_ACTIVATION_WINDOW_MS / 1000)).optional(),
  timeout: intIn(1, 3600, String(DEFAULT_CALLBACK_TIMEOUT_MS / 1000)).optional(),
});

const SETTING_KEYS = {
  type: 'type',
  loginUrl: 'login-url',
  secret: 'secret',
  alias: 'alias',
  port: 'port',
  callbackPath: 'callback-path',
  activationWindow: 'activation-window',
  timeout: 'timeout',
} as const;

type Checked = z.output<typeof settingsSchema>;

const usage = (message: string) => new UsageError(message, 'reauth');

/** Where the consumer key comes from: the flag, the variable the config names, then SF_CLIENT_ID. */
function clientSetting(flag: string | undefined, env: NodeJS.ProcessEnv, configured: string | undefined, fallback: string): string | undefined {
  return (flag || (configured ? env[configured] : undefined) || env[fallback] || '').trim() || undefined;
}

function tryConfigClientNames(file: string, alias: string): { id?: string; secret?: string } {
  // The config's own error speaks to the action's inputs; here the way out is a flag.
  if (!existsSync(file)) {
    throw usage(
      `--org ${alias} is read from the org config ${file}, which does not exist: pass --config FILE, or for an org backed up without a config file give --secret NAME with --type production|sandbox or --login-url URL instead of --org`,
    );
  }
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

const NO_ORG =
  'reauth needs the org: --org ALIAS (an org of the org config), or without a config file --secret NAME with --type production|sandbox or --login-url URL';

/** The org and its login host, from either form of the command. */
function orgFrom(flags: ReauthFlags, checked: Checked): { org: ReauthOrg; loginUrl: string | undefined } {
  const { type, loginUrl: url, secret, alias } = checked;
  if (flags.org) {
    if (alias !== undefined) throw usage("--alias names an org given without a config file; with --org the alias is the config's: leave --alias out");
    return {
      org: { from: 'config', configFile: flags.config ?? DEFAULT_CONFIG_FILE, alias: flags.org, ...(secret ? { secret } : {}) },
      // --login-url is the more specific host when both are given.
      loginUrl: url ?? (type ? loginUrlForType(type) : undefined),
    };
  }
  if (secret === undefined && type === undefined && url === undefined && alias === undefined) throw usage(NO_ORG);
  if (flags.config !== undefined) throw usage(`--config ${flags.config} is read only with --org ALIAS: add --org, or leave --config out`);
  if (secret === undefined) {
    throw usage(
      'reauth without --org needs --secret NAME: the GitHub repository secret the backups read the refresh token from (e.g. --secret SF_REFRESH_TOKEN_PROD)',
    );
  }
  if (type === undefined && url === undefined) {
    throw usage(`reauth --secret ${secret} needs the org's login host: --type production, --type sandbox, or --login-url URL (its My Domain)`);
  }
  // A type says both the host and what the org must be; a URL alone says what its host name says.
  return { org: { from: 'flags', type: type ?? (url as string), secret, ...(alias ? { alias } : {}) }, loginUrl: type ? url : undefined };
}

/** What the command line asks for: a re-authorization with everything it needs. */
export interface ReauthInvocation {
  settings: ReauthSettings;
  /** The token is empty only for a dry run. */
  github: { token: string; apiUrl: string };
  browser: boolean;
}

/**
 * Checks the parsed flags and completes them from the environment. Throws UsageError naming the flag
 * to add or fix (a malformed value: the settings error of validateFlags); reads the org config only
 * for its client-id secret names (`--org`). The consumer key and secret are registered with
 * `registerSecret` wherever they came from.
 */
export function reauthInvocation(flags: ReauthFlags, env: NodeJS.ProcessEnv, registerSecret: (value: string) => void = () => {}): ReauthInvocation {
  const checked = validateFlags(settingsSchema, FLAGS, flags, SETTING_KEYS);
  const { org, loginUrl } = orgFrom(flags, checked);
  const names = org.from === 'config' ? tryConfigClientNames(org.configFile, org.alias) : {};
  const clientId = clientSetting(flags['client-id'], env, names.id, DEFAULT_CLIENT_ID_SECRET);
  const clientSecret = clientSetting(flags['client-secret'], env, names.secret, DEFAULT_CLIENT_SECRET_SECRET);
  for (const v of [clientId, clientSecret]) if (v) registerSecret(v);
  if (!clientId || !clientSecret) {
    throw usage(
      `reauth needs the Connected App's consumer key and secret: --client-id/--client-secret, or the variables ${names.id ?? DEFAULT_CLIENT_ID_SECRET} and ${names.secret ?? DEFAULT_CLIENT_SECRET_SECRET} (the backups log in with both, so the new token is verified with both)`,
    );
  }
  const dryRun = flags['dry-run'];
  const job = jobContext({ token: flags['github-token'], apiUrl: flags['github-api-url'], repository: flags.repo }, env);
  const repo = (job.repository ?? '').trim();
  if (!repo) {
    throw usage(
      `reauth needs the GitHub repository whose secret receives the token: --repo OWNER/NAME (or GITHUB_REPOSITORY)${dryRun ? '; --dry-run needs it too, to say where the token would go' : ''}`,
    );
  }
  const token = (job.token ?? '').trim();
  if (!dryRun && !token) {
    throw usage(
      'reauth needs a GitHub token allowed to write the secret: --github-token or GH_TOKEN (e.g. GH_TOKEN=$(gh auth token)); a fine-grained token needs "Secrets: Read and write" on the repository',
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
      loginHint: flags['login-hint'],
      statusDir: flags['status-dir'],
      dryRun,
      yes: flags.yes,
      activationWindowMs: checked.activationWindow === undefined ? DEFAULT_ACTIVATION_WINDOW_MS : checked.activationWindow * 1000,
      callbackTimeoutMs: checked.timeout === undefined ? DEFAULT_CALLBACK_TIMEOUT_MS : checked.timeout * 1000,
      apiVersion: flags['api-version'] ?? DEFAULT_API_VERSION,
    },
    github: { token, apiUrl: job.apiUrl },
    browser: !flags['no-browser'],
  };
}

/** `sfbackup reauth ARGV` up to the re-authorization: the help, or what to run. Throws like the CLI does. */
export function parseReauthInvocation(argv: string[], env: NodeJS.ProcessEnv): { help: true } | ({ help: false } & ReauthInvocation) {
  const io: CliIo = { out: () => {}, err: () => {}, secret: () => {} };
  const parsed = parseCommandLine(reauthCommand, argv, env, io);
  if (parsed.help) return { help: true };
  return { help: false, ...reauthInvocation(parsed.flags, env) };
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

/** How the org is named to the person at the browser. */
function loginPrompt(org: ReauthOrg): string {
  if (org.from === 'config') return `org "${org.alias}"`;
  return org.alias ? `org "${org.alias}"` : `the org whose token goes to ${org.secret}`;
}

function render(r: ReauthResult, out: (line: string) => void): void {
  const where = describeSecretTarget(r.target);
  out(
    `Authorized org ${r.orgId}${r.alias ? ` ("${r.alias}")` : ''} as ${r.username} (user ${r.userId}); the refresh token was verified${r.rotated ? ' (the org rotates tokens: the rotated one is kept)' : ''}.`,
  );
  if (r.stored) {
    out(`Stored it in the ${where}.`);
    out('Next: run the backup workflow (gh workflow run backup.yml), or wait for its schedule; the status page shows the org as ok after that run.');
  } else out(`Dry run: nothing was stored (it would go to the ${where}).`);
}

/** The real CLI writes with an Octokit-backed writer, loaded only when something is stored. */
async function octokitWriter(token: string, apiUrl: string): Promise<SecretWriter> {
  const [{ createOctokit }, { createSecretWriter }] = await Promise.all([import('../../github/octokit.ts'), import('../../github/secrets.ts')]);
  return createSecretWriter(await createOctokit(token, apiUrl));
}

/**
 * Runs a checked invocation on this terminal: Ctrl-C, the approval question, the browser. Returns
 * the exit code; throws typed errors for main.ts. `createWriter` is for tests.
 */
export async function runReauth(
  run: ReauthInvocation,
  io: CliIo,
  createWriter: (token: string, apiUrl: string) => Promise<SecretWriter> = octokitWriter,
): Promise<number> {
  const { settings, github } = run;
  const writer = settings.dryRun ? undefined : await createWriter(github.token, github.apiUrl);

  const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY);
  const controller = new AbortController();
  // The first Ctrl-C ends the wait for the browser (or for the Connected App) cleanly; a second one
  // ends the process, whatever it is doing.
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const out = (line: string) => io.out(line);
  const err = (line: string) => io.err(line);
  const reauthIo: ReauthIo = {
    out,
    err,
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
      err(`Log in to ${loginPrompt(settings.org)} in a browser. Waiting for Salesforce to redirect to ${redirectUri} (Ctrl-C cancels):`);
      out(url);
      if (run.browser) openBrowser(url);
    },
    writer,
    window: realActivationWindow(
      settings.activationWindowMs,
      ({ nextMs }) =>
        err(
          `The Connected App is not active at the login host yet (new or changed apps take up to 10 minutes); trying again in ${Math.round(nextMs / 1000)} s ...`,
        ),
      { signal: controller.signal, error: cancelled },
    ),
    signal: controller.signal,
  };
  try {
    render(await reauth(settings, reauthIo), out);
    return 0;
  } catch (e) {
    if (e instanceof WebLoginError && e.state === 'aborted') {
      err(`sfbackup: ${e.message}`);
      return EXIT_INTERRUPTED;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

export const reauthCommand = defineCommand({
  name: 'reauth',
  synopsis: 'reauth --org ALIAS',
  summary:
    "Log in to one org in the browser (OAuth with PKCE), verify the new refresh token\nand store it in the org's GitHub secret. Without a config: --type production|sandbox\nor --login-url URL, with --secret NAME and --repo OWNER/NAME.",
  usage: [
    'sfbackup reauth --org ALIAS [options]',
    "    an org of the org config: its login host, its secret and the secret's scope come from there",
    'sfbackup reauth --type production|sandbox --secret NAME --repo OWNER/NAME [options]',
    'sfbackup reauth --login-url URL --secret NAME --repo OWNER/NAME [options]',
    '    an org backed up without a config file: the token goes to the repository secret NAME',
  ],
  notes: ['Nothing is stored unless the login is verified against the org.', SECRETS_NOTE],
  flags: FLAGS,
  run: ({ flags, env, io }) => runReauth(reauthInvocation(flags, env, io.secret), io),
});
