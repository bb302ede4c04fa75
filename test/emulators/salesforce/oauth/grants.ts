import { randomBytes } from 'node:crypto';
import { type EmulatorState, extSlot } from '../state.ts';

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
  /** The login host that issued it: 'login' | 'test' | 'instance'. */
  issuedVia: string;
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
