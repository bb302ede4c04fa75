// Grants ("approvals"): a user's authorization of a Connected App that issued a refresh token.
// Salesforce keeps at most `maxApprovals` per user per app; revoking one kills its refresh token,
// every token rotation handed out before, and every access token issued under it (§1.8).
import { randomBytes } from 'node:crypto';
import type { ConnectedApp, User } from '../model.ts';
import { type EmulatorState, extSlot } from '../state.ts';
import { appKeys, refreshTokenExpired } from './policies.ts';

/** One "approval": a user's authorization of a Connected App that issued a refresh token. */
export interface Grant {
  id: string;
  appKey: string;
  userId: string;
  orgId: string;
  scopes: string[];
  createdAt: number;
  lastUsedAt: number;
  /** The refresh token that works now. */
  refreshToken: string;
  /** Tokens this grant handed out before rotation replaced them (reuse revokes the grant). */
  rotatedOut: Set<string>;
  revoked: boolean;
  /** Why it died, for the control surface and tests. */
  revokedReason?: string;
  /** The login host that issued it: 'login' | 'test' | 'instance' | 'control'. */
  issuedVia: string;
  /** Refreshes served, for the control surface. */
  refreshCount?: number;
}

export interface GrantStore {
  grants: Map<string, Grant>;
  /** Refresh token (current or rotated out) → grant id. */
  byToken: Map<string, string>;
  seq: number;
}

export function grantStore(state: EmulatorState): GrantStore {
  return extSlot(state, 'oauth.grants', () => ({ grants: new Map(), byToken: new Map(), seq: 0 }));
}

/** Real refresh tokens start `5Aep` and are ~87 chars of [A-Za-z0-9._]. */
export function newRefreshTokenValue(): string {
  return `5Aep861${randomBytes(64)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 80)}`;
}

export function findGrantByToken(state: EmulatorState, refreshToken: string): Grant | undefined {
  const store = grantStore(state);
  const id = store.byToken.get(refreshToken);
  return id ? store.grants.get(id) : undefined;
}

/** A grant whose refresh token still works: not revoked and not killed by the app's policy. */
export function grantIsLive(grant: Grant, app: ConnectedApp, now: number): boolean {
  return !grant.revoked && !refreshTokenExpired(app, grant, now);
}

/** The user's approvals of this app that still count, oldest first. */
export function liveApprovals(state: EmulatorState, app: ConnectedApp, userId: string, now: number): Grant[] {
  const keys = new Set(appKeys(app));
  return [...grantStore(state).grants.values()].filter((g) => g.userId === userId && keys.has(g.appKey) && grantIsLive(g, app, now));
}

/** Kills the grant's refresh tokens and, unless `keepSessions`, every access token issued under it. */
export function revokeGrant(state: EmulatorState, grant: Grant, reason: string, opts: { keepSessions?: boolean } = {}): void {
  if (!grant.revoked) {
    grant.revoked = true;
    grant.revokedReason = reason;
  }
  if (!opts.keepSessions) state.sessions.revokeWhere((s) => s.grantId === grant.id);
}

/**
 * Records a new approval the way a completed web login does. When the user already holds
 * `maxApprovals` for the app, the oldest (by `evictionOrder`) is revoked first.
 */
export function createGrant(state: EmulatorState, opts: { app: ConnectedApp; user: User; scopes: string[]; via: string }): { grant: Grant; evicted: Grant[] } {
  const { app, user } = opts;
  const store = grantStore(state);
  const now = state.clock.now();
  const live = liveApprovals(state, app, user.id, now);
  const order = app.evictionOrder === 'lastUsedAt' ? (g: Grant) => g.lastUsedAt : (g: Grant) => g.createdAt;
  // Stable sort: grants created in the same millisecond keep creation order.
  live.sort((a, b) => order(a) - order(b));
  const evicted: Grant[] = [];
  while (live.length >= Math.max(1, app.maxApprovals)) {
    const victim = live.shift() as Grant;
    revokeGrant(state, victim, 'approval limit: evicted by a newer approval');
    evicted.push(victim);
  }
  const token = newRefreshTokenValue();
  const grant: Grant = {
    id: `grant-${++store.seq}`,
    appKey: app.consumerKey,
    userId: user.id,
    orgId: user.orgId,
    scopes: opts.scopes,
    createdAt: now,
    lastUsedAt: now,
    refreshToken: token,
    rotatedOut: new Set(),
    revoked: false,
    issuedVia: opts.via,
    refreshCount: 0,
  };
  store.grants.set(grant.id, grant);
  store.byToken.set(token, grant.id);
  return { grant, evicted };
}

/** Refresh Token Rotation: hands out a new refresh token; the presented one is dead from now on. */
export function rotateRefreshToken(state: EmulatorState, grant: Grant): string {
  const store = grantStore(state);
  const token = newRefreshTokenValue();
  grant.rotatedOut.add(grant.refreshToken);
  grant.refreshToken = token;
  store.byToken.set(token, grant.id);
  return token;
}

/** Revokes every grant of the user (for one app, or all apps); returns them. */
export function revokeUserGrants(state: EmulatorState, userId: string, reason: string, app?: ConnectedApp): Grant[] {
  const keys = app ? new Set(appKeys(app)) : undefined;
  const out: Grant[] = [];
  for (const g of grantStore(state).grants.values()) {
    if (g.revoked || g.userId !== userId || (keys && !keys.has(g.appKey))) continue;
    revokeGrant(state, g, reason);
    out.push(g);
  }
  return out;
}
