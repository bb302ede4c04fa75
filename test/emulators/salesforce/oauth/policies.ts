// Connected App policies: when an app is known to the authorization servers, which host may log an
// org in, and when a refresh token dies under the app's refresh-token policy (§1.7, §1.8, §1.12).
import type { ConnectedApp, Listener, Org } from '../model.ts';
import type { EmulatorState } from '../state.ts';
import type { Grant } from './grants.ts';
import { oauthSettings } from './settings.ts';

const THIRTY_DAYS_MS = 30 * 24 * 60 * 60 * 1000;

/** A new or re-keyed app is unknown to the authorization servers until its credentials propagate. */
export function appIsPropagated(app: ConnectedApp, now: number): boolean {
  return now >= app.createdAt + app.propagationDelaySec * 1000;
}

/** The app a client_id names, as the token and authorize endpoints see it right now. */
export function findLiveApp(state: EmulatorState, clientId: string | undefined, now: number): ConnectedApp | undefined {
  if (!clientId) return undefined;
  const app = state.apps.get(clientId);
  return app && appIsPropagated(app, now) ? app : undefined;
}

/** Every consumer key the app has had: grants issued under any of them belong to it. */
export function appKeys(app: ConnectedApp): string[] {
  return [app.consumerKey, ...app.previousKeys];
}

/**
 * Whether this host can authenticate users of the org: production orgs on login.salesforce.com,
 * sandboxes on test.salesforce.com, and every org on its own My Domain.
 */
export function hostServesOrg(state: EmulatorState, listener: Listener, org: Org): boolean {
  if (listener.kind === 'instance') return listener.orgId === org.id;
  if (!oauthSettings(state).enforceLoginHostKind) return true;
  return listener.kind === (org.isSandbox ? 'test' : 'login');
}

/**
 * Whether the app's refresh-token policy has killed the grant's refresh token at `now`. The policy
 * in force now applies to tokens issued earlier, as Salesforce evaluates it at each refresh.
 * "Expire after N" counts from the first issue; rotation does not extend it (unverified).
 */
export function refreshTokenExpired(app: ConnectedApp, grant: Grant, now: number): boolean {
  const p = app.refreshTokenPolicy;
  if (p.kind === 'immediate') return true;
  let idleMs = p.kind === 'idle' ? p.seconds * 1000 : undefined;
  // The "Limit idle refresh token TTL" control caps every policy at 30 idle days.
  if (app.idleTtlCap30d) idleMs = Math.min(idleMs ?? THIRTY_DAYS_MS, THIRTY_DAYS_MS);
  if (idleMs !== undefined && now - grant.lastUsedAt > idleMs) return true;
  return p.kind === 'absolute' && now - grant.createdAt > p.seconds * 1000;
}

/** The instance URL a client should use: the org's My Domain on the scheme the request came in on. */
export function instanceUrlFor(org: Org, listener: Listener): string {
  return listener.scheme === 'https' && org.instanceUrlHttps ? org.instanceUrlHttps : org.instanceUrl;
}
