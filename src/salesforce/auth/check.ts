// `check`: log in to one org and read what a person wants to see first (which org, where, how much
// of the daily API allowance is left). Both the action and the CLI present this result.
import type { Connection, OrganizationLimitsInfo } from 'jsforce';
import type { OrgCredentials } from '../../config/credentials.ts';
import { TransientError } from '../../runtime/auth-errors.ts';
import { classifyAuthError, connectChecked } from './connection.ts';

export interface ApiUsage {
  /** Requests counted in the org's rolling 24-hour window, this check's included. */
  used: number;
  limit: number;
  remaining: number;
}

export interface OrgCheck {
  orgId: string;
  userId: string;
  instanceUrl: string;
  apiVersion: string;
  apiUsage: ApiUsage;
  /** The org rotated the refresh token during this check: the stored one no longer works. */
  refreshTokenRotated: boolean;
}

export async function checkOrg(creds: OrgCredentials, onSecret?: (value: string) => void): Promise<OrgCheck> {
  const session = await connectChecked(creds, onSecret ? { onSecret } : {});
  let limits: OrganizationLimitsInfo;
  try {
    limits = await session.conn.limits();
  } catch (err) {
    throw classifyAuthError(err, creds.loginUrl);
  }
  return {
    orgId: session.orgId,
    userId: session.userId,
    instanceUrl: session.instanceUrl,
    apiVersion: creds.apiVersion,
    apiUsage: apiUsage(session.conn, limits),
    refreshTokenRotated: session.rotatedRefreshToken !== undefined,
  };
}

function apiUsage(conn: Connection, limits: OrganizationLimitsInfo): ApiUsage {
  const daily = limits.DailyApiRequests;
  if (daily) return { used: daily.Max - daily.Remaining, limit: daily.Max, remaining: daily.Remaining };
  // Every data response also carries `Sforce-Limit-Info: api-usage=used/limit`.
  const header = conn.limitInfo?.apiUsage;
  if (header) return { used: header.used, limit: header.limit, remaining: Math.max(0, header.limit - header.used) };
  throw new TransientError({
    reason: 'unexpected_response',
    message: 'The org reported no daily API allowance (DailyApiRequests).',
    remedy: 'Retry later; if it persists, check that the instance URL points at Salesforce.',
  });
}
