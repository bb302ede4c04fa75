// One record per authentication attempt, and the one place its remedy text is written: the action's
// error and job summary, the CLI, the status file and the per-org issue all print `outcome.remedy`,
// so a person reads the same instruction wherever they look. Remedies name the org, its login host
// and the exact command; they never contain a secret value.

import { LOGIN_URLS } from '../../config/schema.ts';
import { errorForState, type FailureContext, type FailureReason, SalesforceError, TransientError } from '../../runtime/auth-errors.ts';
import type { AuthFailureState } from '../../runtime/errors.ts';
import type { AuthOutcome as StatusAuthOutcome } from '../../status/update.ts';

/** How an org logs in: `production` (login.salesforce.com), `sandbox` (test.salesforce.com) or its My Domain. */
export type LoginKind = 'production' | 'sandbox' | 'my_domain';

/** What a remedy needs to know about the org; nothing secret. */
export interface OrgRef {
  alias: string;
  /** As the org config spells it: `production`, `sandbox`, `my_domain` or a My Domain URL. */
  type: string;
  /** Where it logs in (the emulator's URL in tests). */
  loginUrl: string;
  /** The name of the secret holding its refresh token, when known (`SF_REFRESH_TOKEN_PROD`). */
  refreshTokenSecret?: string;
  /**
   * The exact command that re-authorizes this org, when it is not `sfbackup reauth --org ALIAS` (an org
   * given without a config file: `sfbackup reauth --login-url … --secret … --repo …`).
   */
  reauthCommand?: string;
  /**
   * How this run would have written a rotated token, for the remedy when it could not (the action:
   * "the secrets-token input"; the CLI: "--repo OWNER/NAME with GH_TOKEN").
   */
  secretWriteSetting?: string;
  /**
   * Where the login host is set when not in the org config (`--login-url (or SF_LOGIN_URL)`, `the
   * login-url input`), for the remedy of a token of the other org kind.
   */
  loginSetting?: string;
}

/** The status contract's record of one attempt, with Salesforce's reasons. */
export type AuthOutcome = StatusAuthOutcome<FailureReason>;

export function loginKind(type: string): LoginKind {
  if (type === 'production' || type === 'sandbox') return type;
  return 'my_domain';
}

/** `production org prod (login host https://login.salesforce.com)` and the like. */
export function describeOrg(org: OrgRef): string {
  const kind = loginKind(org.type);
  if (kind === 'production') return `production org ${org.alias} (login host ${org.loginUrl})`;
  if (kind === 'sandbox') return `sandbox ${org.alias} (login host ${org.loginUrl})`;
  return `org ${org.alias} (My Domain ${org.loginUrl})`;
}

export function reauthCommand(alias: string): string {
  return `sfbackup reauth --org ${alias}`;
}

/**
 * The re-authorization command for an org given without a config file: its login host (by type for
 * the generic hosts, else the URL), the GitHub secret that receives the token and its repository.
 * Unknown parts stay placeholders a person fills in (`SECRET_NAME`, `OWNER/NAME`). A production or
 * sandbox org that logs in elsewhere (a proxy, a test host) keeps its type, for the check of what
 * the org is, and names the host too, so the command logs in where the backups do.
 */
export function reauthCommandWithoutConfig(o: { loginUrl: string; type?: string; secret?: string; repo?: string }): string {
  // Quoted only when the shell needs it, so the usual command stays plain to read and to paste.
  const shellWord = (word: string) => (/^[A-Za-z0-9_./:@%+=,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);
  const url = o.loginUrl.replace(/\/+$/, '');
  const generic = (Object.keys(LOGIN_URLS) as (keyof typeof LOGIN_URLS)[]).find((k) => LOGIN_URLS[k] === url);
  const kind = o.type === 'production' || o.type === 'sandbox' ? o.type : o.type === undefined ? generic : undefined;
  const host = kind ? (kind === generic ? `--type ${kind}` : `--type ${kind} --login-url ${shellWord(url)}`) : `--login-url ${shellWord(url)}`;
  return `sfbackup reauth ${host} --secret ${shellWord(o.secret ?? 'SECRET_NAME')} --repo ${shellWord(o.repo ?? 'OWNER/NAME')}`;
}

function secretPhrase(org: OrgRef): string {
  return org.refreshTokenSecret ? `the secret ${org.refreshTokenSecret}` : "the org's refresh-token secret";
}

/** The instruction every re-authorization remedy ends with (lower case: it follows a colon or is capitalized). */
function reauthStep(org: OrgRef): string {
  const kind = loginKind(org.type);
  const page = kind === 'my_domain' ? `the My Domain login page ${org.loginUrl}` : `the ${kind} login page ${org.loginUrl}`;
  return `run \`${org.reauthCommand ?? reauthCommand(org.alias)}\` on your computer: it opens ${page}, and after you log in it writes the new refresh token into ${secretPhrase(org)}.`;
}

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const APP_DETAILS = 'Setup > App Manager > (the app) > View > Manage Consumer Details';
const APP_POLICIES = 'Setup > App Manager > (the app) > Manage > Edit Policies';

function duration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  return minutes < 120 ? `${minutes} minutes` : `${Math.round(minutes / 60)} hours`;
}

/**
 * The remedy for a failure of this org. `fallback` is the failure's own generic remedy, used for the
 * reasons that need no org-specific wording (an API limit, a locked org).
 */
export function remedyFor(failure: { state: AuthFailureState; reason: FailureReason; context?: FailureContext; fallback?: string }, org: OrgRef): string {
  const ctx = failure.context ?? {};
  const where = describeOrg(org);
  const fallback = failure.fallback ?? '';
  switch (failure.reason) {
    case 'token_expired_or_revoked':
      return (
        `Re-authorize ${where}: ${reauthStep(org)} ` +
        'Refresh tokens die when someone revokes them, when the Connected App policy expires them, or when the same user approves the same app a sixth time (Salesforce then evicts the oldest approval); reauth warns before a sixth approval.'
      );
    case 'user_inactive':
      return (
        `The Salesforce user who authorized ${where} is inactive or frozen. Reactivate (or unfreeze) the user in Setup > Users of that org; the next run works again with the same token. ` +
        `If another user should own the connection instead: ${reauthStep(org)}`
      );
    case 'app_changed': {
      const was = ctx.previousAppFingerprint ? `app ${ctx.previousAppFingerprint}` : 'the previous Connected App';
      const now = ctx.appFingerprint ? `app ${ctx.appFingerprint}` : 'the new one';
      return (
        `${cap(where)} was authorized through ${was}, and the configured consumer key is now ${now}: refresh tokens belong to the app that issued them. Re-authorize with the new app: ${reauthStep(org)} ` +
        'The rotate-app campaign (`sfbackup rotate-app`, or the workflow with `command: rotate-app`) shows on the status page which orgs still need it (n of m done).'
      );
    }
    case 'policy_expired': {
      const since = ctx.authorizedAt ? ` was obtained ${ctx.authorizedAt}, which is` : ' is';
      const limit = ctx.maxAgeDays !== undefined ? ` (${ctx.maxAgeDays} days)` : '';
      return (
        `The refresh token of ${where}${since} older than the Connected App's refresh token policy allows${limit}. Re-authorize: ${reauthStep(org)} ` +
        `To stop this recurring, set the Connected App's Refresh Token Policy (${APP_POLICIES}) to "Refresh token is valid until revoked" or a longer period.`
      );
    }
    case 'client_unknown': {
      const app = ctx.appFingerprint ? ` (app ${ctx.appFingerprint})` : '';
      const waited = ctx.waitedMs !== undefined ? ` This run waited ${duration(ctx.waitedMs)}.` : '';
      return (
        `Salesforce does not know the consumer key${app} of ${where} yet: a new or changed Connected App takes up to 10 minutes to become active.${waited} ` +
        `Run the job again in a few minutes. If it persists, set the client-id secret to the Consumer Key of the Connected App (${APP_DETAILS}).`
      );
    }
    case 'wrong_org_type': {
      const kind = loginKind(org.type);
      const actual = ctx.actualKind ?? (kind === 'production' ? 'sandbox' : 'production');
      const other = ctx.otherLoginUrl ?? (actual === 'sandbox' ? 'https://test.salesforce.com' : 'https://login.salesforce.com');
      const evidence = ctx.otherLoginUrlConfirmed
        ? `its refresh token was issued by a ${actual === 'sandbox' ? 'sandbox' : 'production org'}: ${other} accepted it`
        : `Salesforce refused the login there, which is what a ${actual === 'sandbox' ? 'sandbox' : 'production org'} gets at the wrong host`;
      const fix = org.loginSetting
        ? `set ${org.loginSetting} to ${other}`
        : `set \`type: ${actual}\` for org ${org.alias} in .github/salesforce-backup.yml (or the login-url input to ${other})`;
      return (
        `Org ${org.alias} is configured as ${kind === 'my_domain' ? 'a My Domain org' : kind} (login host ${org.loginUrl}), but ${evidence}. ` +
        `Log in at ${other}: ${fix}, or use the org's My Domain URL.`
      );
    }
    case 'missing_secret':
      return `${cap(where)} is missing a secret. ${fallback}`.trim();
    case 'malformed_token':
      return (
        `The refresh token in ${secretPhrase(org)} for ${where} is not a Salesforce refresh token (copied with quotes, URL encoding or a line break?). ` +
        cap(reauthStep(org))
      );
    case 'malformed_url':
      return `The login URL of ${where} is not usable. ${fallback || 'Production orgs log in at https://login.salesforce.com, sandboxes at https://test.salesforce.com, or use the My Domain URL (https://<domain>.my.salesforce.com).'}`;
    case 'secret_write_failed':
      return (
        `${cap(where)} rotated its refresh token and writing the new one to ${ctx.secretTarget ?? secretPhrase(org)} failed, so the token in the secret is dead (rotation revokes the old one). ` +
        `Fix the secrets-write permission of ${org.secretWriteSetting ?? 'the secrets-token input'} (docs/github-token.md).${ctx.writeRemedy ? ` ${ctx.writeRemedy}` : ''} Then re-authorize: ${reauthStep(org)}`
      );
    case 'no_secret_writer':
      return (
        `${cap(where)} rotated its refresh token (Refresh Token Rotation is on for the Connected App), and ${org.secretWriteSetting ? `this run had no way to write the new one (${org.secretWriteSetting})` : 'no secrets-token input was given to write the new one'} to ${ctx.secretTarget ?? secretPhrase(org)}, so the token in the secret is dead. ` +
        `${org.secretWriteSetting ? `Give ${org.secretWriteSetting}` : 'Add the secrets-token input'} with a token that can write secrets (docs/github-token.md; the workflow GITHUB_TOKEN cannot), or turn rotation off in ${APP_POLICIES}. Then re-authorize: ${reauthStep(org)}`
      );
    default:
      if (failure.state === 'transient') {
        return `Nothing to change for ${where}: the next run retries.${fallback ? ` If it persists: ${fallback}` : ''}`;
      }
      return `${cap(where)}: ${fallback}`.trim();
  }
}

/** Removes every known secret value from a text, longest first so a prefix does not leave a tail. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].filter((v) => v.length >= 6).sort((a, b) => b.length - a.length)) out = out.split(s).join('***');
  return out;
}

export function okOutcome(at: Date, message = 'Logged in.'): AuthOutcome {
  return { state: 'ok', reason: null, message, remedy: null, at: at.toISOString() };
}

/**
 * The outcome of a failed login of this org, from whatever was thrown. Anything that is not a
 * classified Salesforce failure (a bug, an odd rejection) becomes `transient` with its message:
 * the run failed, a later run may not.
 */
export function failureOutcome(err: unknown, org: OrgRef, at: Date, secrets: readonly string[] = []): AuthOutcome {
  const e =
    err instanceof SalesforceError
      ? err
      : new TransientError({
          reason: 'unexpected_response',
          message: `The login failed: ${err instanceof Error ? err.message : String(err)}`,
          remedy: 'Retry; if it persists, report it with this message.',
          cause: err,
        });
  const remedy = remedyFor({ state: e.state, reason: e.reason, context: e.context, fallback: e.remedy }, org);
  return { state: e.state, reason: e.reason, message: redact(e.message, secrets), remedy: redact(remedy, secrets), at: at.toISOString() };
}

/** The outcome as an error to throw (backup, restore), carrying exactly the outcome's texts. */
export function outcomeError(outcome: AuthOutcome, cause?: unknown): SalesforceError {
  if (outcome.state === 'ok' || outcome.reason === null) throw new Error('outcomeError: an ok outcome is not an error');
  return errorForState(outcome.state, {
    reason: outcome.reason,
    message: outcome.message,
    remedy: outcome.remedy ?? '',
    ...(cause === undefined ? {} : { cause }),
  });
}
