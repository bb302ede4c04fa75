// Pages sites are public even for private repositories, so one option takes out what identifies
// people and tenants: the username, the instance URL, and a My Domain login host (it names the
// company). Production and sandbox login hosts are the same for everyone and stay.
import type { OrgStatus } from './schema.ts';

export const REDACTED_LOGIN_HOST = 'my-domain';
const SHARED_LOGIN_HOSTS: ReadonlySet<string> = new Set(['login.salesforce.com', 'test.salesforce.com']);

export interface RedactOptions {
  redact: boolean;
}

/** `login.salesforce.com` stays; any other host (a My Domain) becomes `my-domain`. */
export function redactLoginHost(host: string): string {
  return SHARED_LOGIN_HOSTS.has(host.toLowerCase()) ? host : REDACTED_LOGIN_HOST;
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The status as it may be published. With `redact: true`: username and instanceUrl are null, a My
 * Domain login host is `my-domain`, the same values are taken out of the free-text fields
 * (message, remedy, location), and `redacted` is true. Without it the status is returned as is.
 */
export function redactStatus(status: OrgStatus, opts: RedactOptions): OrgStatus {
  if (!opts.redact) return status;
  const loginHost = redactLoginHost(status.loginHost);
  // Longest first, so a URL is replaced whole before its host is.
  const replacements: Array<[string, string]> = [];
  if (status.instanceUrl) {
    replacements.push([status.instanceUrl.replace(/\/+$/, ''), '[instance]']);
    const host = hostOf(status.instanceUrl);
    if (host && host !== status.loginHost) replacements.push([host, '[instance]']);
  }
  if (loginHost !== status.loginHost) replacements.push([status.loginHost, loginHost]);
  if (status.username) replacements.push([status.username, '[username]']);
  replacements.sort((a, b) => b[0].length - a[0].length);
  const scrub = (text: string): string => replacements.reduce((acc, [from, to]) => (from ? acc.split(from).join(to) : acc), text);
  const scrubNullable = (text: string | null): string | null => (text === null ? null : scrub(text));

  return {
    ...status,
    loginHost,
    username: null,
    instanceUrl: null,
    auth: { ...status.auth, message: scrub(status.auth.message), remedy: scrubNullable(status.auth.remedy) },
    lastBackup: status.lastBackup === null ? null : { ...status.lastBackup, location: scrubNullable(status.lastBackup.location) },
    redacted: true,
  };
}
