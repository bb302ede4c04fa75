// What it takes to log in to one org, as every entry point validates it: the login URL, the
// Connected App's consumer key and secret, the refresh token, the API version. And the one way a
// setting that fails validation becomes an error a person can act on (parseSettings).
import { z } from 'zod';
import { type FailureReason, MisconfiguredError } from '../runtime/auth-errors.ts';

export const DEFAULT_LOGIN_URL = 'https://login.salesforce.com';
export const SANDBOX_LOGIN_URL = 'https://test.salesforce.com';
export const DEFAULT_API_VERSION = '62.0';

/** Refresh tokens are `[A-Za-z0-9._-]` with at most two trailing `=` (salesforce-api.md §1.1). */
export const REFRESH_TOKEN_PATTERN = /^[A-Za-z0-9._-]+={0,2}$/;

const httpUrl = z
  .string()
  .trim()
  .pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://login.salesforce.com' }))
  .refine((u) => !new URL(u).hostname.endsWith('.lightning.force.com'), {
    error: 'is a Lightning URL; use the My Domain URL (https://<domain>.my.salesforce.com) or https://login.salesforce.com',
  })
  .transform((u) => u.replace(/\/+$/, ''));

const secret = (what: string) =>
  z
    .string({ error: `is required: ${what}` })
    .trim()
    .min(1, { error: `is required: ${what}` });

/** What it takes to log in to one org. The three secrets must never reach a log. */
export const orgCredentialsSchema = z.object({
  loginUrl: httpUrl.default(DEFAULT_LOGIN_URL),
  clientId: secret('the Connected App consumer key'),
  clientSecret: secret('the Connected App consumer secret'),
  refreshToken: secret("the org's refresh token").regex(REFRESH_TOKEN_PATTERN, {
    // Never quotes the value. A URL-encoded (%3D) or quoted copy is the usual cause.
    error: 'is not a Salesforce refresh token (only letters, digits, . _ - and up to two trailing =; copy it again without quotes or URL encoding)',
  }),
  apiVersion: z
    .string()
    .trim()
    .regex(/^\d{2,3}\.0$/, { error: 'must look like 62.0' })
    .default(DEFAULT_API_VERSION),
});

export type OrgCredentials = z.output<typeof orgCredentialsSchema>;

/**
 * Validates raw settings against a schema. `names` says how the caller spells each key for a person
 * (`refresh-token` for the action, `--refresh-token / SF_REFRESH_TOKEN` for the CLI).
 */
export function parseSettings<S extends z.ZodType>(schema: S, raw: unknown, names: Record<string, string>): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? '');
    return `${names[key] ?? key} ${issue.message}`;
  });
  throw new MisconfiguredError({
    reason: settingsReason(result.error.issues),
    message: `Invalid settings: ${problems.join('; ')}.`,
    remedy: 'Set the values named above (see the README for where each one comes from).',
  });
}

const SECRET_KEYS = new Set(['clientId', 'clientSecret', 'refreshToken']);

/** The first problem decides the reason, so the status can say "missing secret" rather than "bad input". */
function settingsReason(issues: z.ZodError['issues']): FailureReason {
  const first = issues[0];
  const key = String(first?.path[0] ?? '');
  if (key === 'loginUrl') return 'malformed_url';
  if (SECRET_KEYS.has(key) && first && /is required/.test(first.message)) return 'missing_secret';
  if (key === 'refreshToken') return 'malformed_token';
  return 'bad_input';
}

/** The two generic login hosts. Tests point them at the emulator; everyone else keeps the defaults. */
export interface LoginHosts {
  production: string;
  sandbox: string;
}

export const DEFAULT_LOGIN_HOSTS: LoginHosts = { production: DEFAULT_LOGIN_URL, sandbox: SANDBOX_LOGIN_URL };

/**
 * SFBACKUP_LOGIN_HOSTS names one more production/sandbox pair of generic login hosts, as JSON
 * (`{"production":"http://127.0.0.1:8484","sandbox":"http://127.0.0.1:8485"}`): the Salesforce
 * emulator's, so the check of the other login host runs in tests (and the demo) as it does against
 * Salesforce. It adds to Salesforce's pair for that check; an org config's `type: production` or
 * `type: sandbox` then logs in at this pair (src/config/schema.ts loginUrlForType).
 */
export const LOGIN_HOSTS_ENV = 'SFBACKUP_LOGIN_HOSTS';

const loginHostsSchema = z.strictObject({ production: httpUrlOf(), sandbox: httpUrlOf() });

function httpUrlOf() {
  return z
    .string()
    .trim()
    .pipe(z.url({ protocol: /^https?$/ }))
    .transform((u) => u.replace(/\/+$/, ''));
}

/** Salesforce's generic hosts, plus the pair of SFBACKUP_LOGIN_HOSTS when it is set. */
export function knownLoginHosts(env: NodeJS.ProcessEnv = process.env): LoginHosts[] {
  const raw = env[LOGIN_HOSTS_ENV];
  if (!raw) return [DEFAULT_LOGIN_HOSTS];
  let extra: LoginHosts;
  try {
    extra = loginHostsSchema.parse(JSON.parse(raw));
  } catch (err) {
    throw new MisconfiguredError({
      reason: 'bad_input',
      message: `${LOGIN_HOSTS_ENV} is not a pair of login URLs: ${err instanceof Error ? err.message : String(err)}`,
      remedy: `Unset ${LOGIN_HOSTS_ENV}, or set it to JSON such as {"production":"http://127.0.0.1:8484","sandbox":"http://127.0.0.1:8485"}.`,
    });
  }
  return [DEFAULT_LOGIN_HOSTS, extra];
}
