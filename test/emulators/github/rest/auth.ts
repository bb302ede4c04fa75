import { RestError } from '../http/respond.ts';
import type { Ctx } from '../http/router.ts';
import type { Permission, PermissionName, TokenInfo } from '../state.ts';

/**
 * The REST token check: `token X` (what @actions/github sends) or `Bearer X`, scheme in any case.
 * No header is "Requires authentication"; an unknown token is "Bad credentials".
 */
export function authenticateRest(ctx: Ctx): TokenInfo {
  const header = ctx.req.headers.authorization;
  if (!header) throw new RestError(401, 'Requires authentication');
  const m = /^(token|bearer)\s+(\S+)\s*$/i.exec(header);
  const info = m?.[2] ? ctx.state.tokens.get(m[2]) : undefined;
  if (!info) throw new RestError(401, 'Bad credentials');
  return info;
}

const RANK: Record<Permission, number> = { none: 0, read: 1, write: 2 };

/** 403 as GitHub answers a token that lacks the permission (worded by the kind of token). */
export function requirePermission(ctx: Ctx, scope: PermissionName, level: Exclude<Permission, 'none'>, documentationUrl: string): void {
  const auth = ctx.auth;
  if (!auth || RANK[auth.permissions[scope]] < RANK[level]) {
    const who = auth?.kind === 'fine_grained' ? 'personal access token' : 'integration';
    throw new RestError(403, `Resource not accessible by ${who}`, documentationUrl);
  }
}
