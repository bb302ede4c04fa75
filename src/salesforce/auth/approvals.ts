// Salesforce keeps at most five approvals (refresh-token grants) per user per Connected App; a sixth
// login silently revokes the oldest, and with it the token some other backup depends on
// (salesforce-api.md §1.8). Before `sfbackup reauth` sends a person to log in, this works out from
// the last known status of the configured orgs whether that login would evict another org's token.
// Pure: the caller reads the status data and decides how to ask.

export const MAX_APPROVALS = 5;

/** The parts of an org's status (src/status/schema.ts) that tell whose approval it holds and since when. */
export interface ApprovalRecord {
  alias: string;
  userId: string | null;
  appFingerprint: string | null;
  authorizedAt: string | null;
  auth: { state: string; reason: string | null };
}

/**
 * Approvals that are already gone do not count: a token Salesforce expired or revoked (evictions
 * included), and tokens of a Connected App whose consumer key has since changed (the key change
 * revoked them). Both spellings of the first reason are accepted: older status files used the other.
 */
const DEAD_REASONS = new Set(['token_expired_or_revoked', 'token_revoked_or_expired', 'app_changed']);

export function holdsLiveApproval(r: ApprovalRecord): boolean {
  return !(r.auth.state === 'reauth_required' && r.auth.reason !== null && DEAD_REASONS.has(r.auth.reason));
}

export interface ApprovalCheck {
  /** False when this org's user is unknown (never logged in, or redacted): nothing can be said. */
  known: boolean;
  /** Live approvals of the same user and app among the configured orgs, oldest first. */
  live: ApprovalRecord[];
  /** Whether this login makes one approval too many. */
  exceeds: boolean;
  /**
   * The approval Salesforce would revoke: the oldest live one. Undefined when nothing would be
   * revoked, or when it is this org's own old approval (replacing it is the point of the login).
   */
  evicts?: ApprovalRecord;
  /** Live approvals with no authorizedAt: their age is unknown, so the oldest may be among them. */
  undated: string[];
}

export interface ApprovalQuery {
  alias: string;
  /** The fingerprint of the consumer key this login uses. */
  appFingerprint: string;
  /** Last known status of every configured org (missing ones are simply not counted). */
  statuses: readonly ApprovalRecord[];
  /** Aliases in the org config: status of orgs no longer configured is ignored. */
  configuredAliases: readonly string[];
  maxApprovals?: number;
}

function time(r: ApprovalRecord): number {
  const t = r.authorizedAt ? Date.parse(r.authorizedAt) : Number.NaN;
  return Number.isFinite(t) ? t : Number.NEGATIVE_INFINITY;
}

/**
 * Assumes the person logs in as the user who authorized this org last time: the approval limit is per
 * user, so a different user only ever risks their own approvals (which the status cannot show).
 */
export function checkApprovals(q: ApprovalQuery): ApprovalCheck {
  const max = q.maxApprovals ?? MAX_APPROVALS;
  const configured = new Set(q.configuredAliases.map((a) => a.toLowerCase()));
  const self = q.statuses.find((s) => s.alias.toLowerCase() === q.alias.toLowerCase());
  const userId = self?.userId;
  if (!userId) return { known: false, live: [], exceeds: false, undated: [] };
  // User ids are unique across orgs, so "same user" also means "same org" (several aliases may back it up).
  const live = q.statuses
    .filter((s) => configured.has(s.alias.toLowerCase()))
    .filter((s) => s.userId === userId && s.appFingerprint === q.appFingerprint && holdsLiveApproval(s))
    .sort((a, b) => time(a) - time(b) || a.alias.localeCompare(b.alias));
  const undated = live.filter((s) => !s.authorizedAt).map((s) => s.alias);
  const exceeds = live.length + 1 > max;
  const oldest = live[0];
  const evicts = exceeds && oldest && oldest.alias.toLowerCase() !== q.alias.toLowerCase() ? oldest : undefined;
  return { known: true, live, exceeds, ...(evicts ? { evicts } : {}), undated };
}

/** The warning a person reads before deciding; undefined when there is nothing to warn about. */
export function approvalWarning(q: ApprovalQuery, c: ApprovalCheck): string | undefined {
  if (!c.exceeds || !c.evicts) return undefined;
  const max = q.maxApprovals ?? MAX_APPROVALS;
  const list = c.live.map((s) => `${s.alias} (${s.authorizedAt ?? 'date unknown'})`).join(', ');
  return [
    `This login would be approval ${c.live.length + 1} for the same Salesforce user and Connected App (app ${q.appFingerprint}); Salesforce keeps ${max}.`,
    `It would revoke the oldest one: org "${c.evicts.alias}", authorized ${c.evicts.authorizedAt ?? 'at an unknown time'}, whose backups would then fail until it is re-authorized.`,
    `Live approvals, oldest first: ${list}.`,
    `To avoid it, authorize "${q.alias}" as another (integration) user, or revoke an unused approval first (Setup → Connected Apps OAuth Usage).`,
  ].join('\n');
}
