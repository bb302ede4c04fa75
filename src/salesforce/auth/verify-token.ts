// Proof that a freshly issued refresh token does what the backups will ask of it: log in with it the
// way every run does (connect(): refresh-token grant with the Connected App's key and secret), read
// who it belongs to, and check that it is the org the config means. Only a token that passes is
// stored; a mix-up (another org, a sandbox configured as production) fails with a remedy instead.

import type { OrgCredentials } from '../../config/credentials.ts';
import { MisconfiguredError } from '../../runtime/auth-errors.ts';
import { type ActivationWindow, withinActivationWindow } from './activation-window.ts';
import { classifyAuthError, connect, type OrgSession } from './connection.ts';

export type OrgKind = 'production' | 'sandbox';

export interface VerifiedToken {
  /** The token to store: the one verified, or the one the org rotated it into while verifying. */
  refreshToken: string;
  /** True when the org rotates refresh tokens and the verification login already rotated it. */
  rotated: boolean;
  orgId: string;
  userId: string;
  username: string;
  instanceUrl: string;
  isSandbox: boolean;
}

export interface Expectation {
  alias: string;
  /** The config's `type`: production, sandbox or a My Domain URL. */
  type: string;
  /** From the status data, when a run ever logged in to this alias. */
  orgId?: string | null;
}

/** What the config's type promises, or undefined for a My Domain URL that does not say. */
export function expectedKind(type: string): OrgKind | undefined {
  if (type === 'production' || type === 'sandbox') return type;
  let host: string;
  try {
    host = new URL(type).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  if (host.endsWith('.sandbox.my.salesforce.com')) return 'sandbox';
  if (host.endsWith('.my.salesforce.com')) return 'production';
  return undefined;
}

/** 15- and 18-character ids of one record share the first 15 (case-sensitive) characters. */
export function sameId(a: string, b: string): boolean {
  return a.slice(0, 15) === b.slice(0, 15);
}

async function readOrg(session: OrgSession, loginUrl: string): Promise<{ username: string; isSandbox: boolean }> {
  try {
    const identity = await session.conn.identity();
    const result = await session.conn.query<{ IsSandbox: boolean | string | number }>('SELECT Id, IsSandbox FROM Organization');
    const raw = result.records[0]?.IsSandbox;
    return { username: identity.username, isSandbox: raw === true || raw === 'true' || raw === 1 };
  } catch (err) {
    throw classifyAuthError(err, loginUrl);
  }
}

export interface VerifyTokenOptions {
  window: ActivationWindow;
  onSecret?: (value: string) => void;
}

export async function verifyRefreshToken(creds: OrgCredentials, expect: Expectation, o: VerifyTokenOptions): Promise<VerifiedToken> {
  const session = await withinActivationWindow(() => connect(creds, o.onSecret ? { onSecret: o.onSecret } : {}), o.window);
  const { username, isSandbox } = await readOrg(session, creds.loginUrl);
  const kind: OrgKind = isSandbox ? 'sandbox' : 'production';
  const want = expectedKind(expect.type);
  if (want && want !== kind) {
    const fix = isSandbox ? 'sandbox' : 'production';
    throw new MisconfiguredError({
      reason: 'wrong_org_type',
      message: `Org "${expect.alias}" is configured as ${want === 'sandbox' ? 'a sandbox' : 'production'} (type: ${expect.type}), but the org just authorized (${session.orgId}, user ${username}) is ${isSandbox ? 'a sandbox' : 'a production org'}. Nothing was stored.`,
      remedy: `If this is the right org, set \`type: ${fix}\` (or its My Domain URL) for alias ${expect.alias} in the org config and run the command again; otherwise log in to the org the alias means.`,
      context: { otherLoginUrl: fix === 'sandbox' ? 'https://test.salesforce.com' : 'https://login.salesforce.com', otherLoginUrlConfirmed: true },
    });
  }
  if (expect.orgId && !sameId(expect.orgId, session.orgId)) {
    throw new MisconfiguredError({
      reason: 'bad_input',
      message: `Org "${expect.alias}" was org ${expect.orgId} until now, but the login was to org ${session.orgId} (user ${username}). Nothing was stored.`,
      remedy: `Run the command again and log in as a user of org ${expect.orgId} (the page asks for a login each time; log out of other orgs in that browser if it offers a saved one). If the alias really moved to another org, delete its status (orgs/${expect.alias}/ on the status branch) first.`,
    });
  }
  return {
    refreshToken: session.rotatedRefreshToken ?? creds.refreshToken,
    rotated: session.rotatedRefreshToken !== undefined,
    orgId: session.orgId,
    userId: session.userId,
    username,
    instanceUrl: session.instanceUrl,
    isSandbox,
  };
}
