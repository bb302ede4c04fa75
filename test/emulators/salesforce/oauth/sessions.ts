import { randomBytes } from 'node:crypto';
import type { Org, User } from '../model.ts';

/** An access token ("session"). Sliding expiry: each use pushes expiresAt forward. */
export interface AccessToken {
  token: string;
  orgId: string;
  userId: string;
  /** Consumer key of the app it was issued to, when issued through OAuth. */
  appKey?: string;
  /** The grant (approval) it was issued under, when issued from a refresh token or code. */
  grantId?: string;
  scopes: string[];
  issuedAt: number;
  lastUsedAt: number;
  timeoutSec: number;
  revoked: boolean;
}

export interface AuthContext {
  org: Org;
  user: User;
  session: AccessToken;
}

/** `<18-char org id>!<[A-Za-z0-9._]+>`: the sf CLI rejects anything else. */
export function newAccessTokenValue(orgId: string): string {
  const tail = randomBytes(72).toString('base64').replace(/[+/=]/g, '').slice(0, 96);
  return `${orgId}!AQ${tail.replace(/[^A-Za-z0-9._]/g, '')}`;
}

export class SessionStore {
  private readonly byToken = new Map<string, AccessToken>();

  issue(opts: { org: Org; user: User; now: number; timeoutSec: number; appKey?: string; grantId?: string; scopes?: string[] }): AccessToken {
    const session: AccessToken = {
      token: newAccessTokenValue(opts.org.id),
      orgId: opts.org.id,
      userId: opts.user.id,
      ...(opts.appKey ? { appKey: opts.appKey } : {}),
      ...(opts.grantId ? { grantId: opts.grantId } : {}),
      scopes: opts.scopes ?? ['api', 'refresh_token', 'web'],
      issuedAt: opts.now,
      lastUsedAt: opts.now,
      timeoutSec: opts.timeoutSec,
      revoked: false,
    };
    this.byToken.set(session.token, session);
    return session;
  }

  get(token: string): AccessToken | undefined {
    return this.byToken.get(token);
  }

  /** A session that is live at `now`; touches it (sliding expiry) when `touch` is set. */
  validate(token: string, now: number, touch = true): AccessToken | undefined {
    const s = this.byToken.get(token);
    if (!s || s.revoked) return undefined;
    if (now - s.lastUsedAt > s.timeoutSec * 1000) return undefined;
    if (touch) s.lastUsedAt = now;
    return s;
  }

  revoke(token: string): boolean {
    const s = this.byToken.get(token);
    if (!s) return false;
    s.revoked = true;
    return true;
  }

  /** Revokes every session matching the predicate; returns how many. */
  revokeWhere(pred: (s: AccessToken) => boolean): number {
    let n = 0;
    for (const s of this.byToken.values()) {
      if (!s.revoked && pred(s)) {
        s.revoked = true;
        n++;
      }
    }
    return n;
  }

  /** Ends every session now without revoking it: the next call answers 401 and clients refresh. */
  expireWhere(pred: (s: AccessToken) => boolean): number {
    let n = 0;
    for (const s of this.byToken.values()) {
      if (!s.revoked && pred(s)) {
        s.lastUsedAt = -Infinity;
        n++;
      }
    }
    return n;
  }

  all(): AccessToken[] {
    return [...this.byToken.values()];
  }
}
