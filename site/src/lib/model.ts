// Everything the pages show, computed once per build from the validated data: each org's one state
// and why, its freshness, its remedy, its timeline and warnings, the counts and the campaigns. The
// pages only lay this out, so the rules live here, in one place, and are tested without a browser.
import { type Campaign, campaignProgress, type HistoryEntry, isOpen, type LastBackup, type OrgStatus, redactStatus } from '../../../src/status/index.ts';
import { type Freshness, freshnessOf } from './freshness.ts';
import type { OrgData, StatusData } from './load.ts';
import type { SiteOptions } from './options.ts';
import { type Remedy, remedyFor } from './remedy.ts';
import { describeReason, SITE_STATES, type SiteState, STATE_INFO, urgencyOf } from './states.ts';
import { type WatchdogBanner, watchdogBanners } from './watchdog.ts';

export interface LastGood {
  at: string;
  rows: number | null;
  objects: number | null;
  bytes: number | null;
}

export interface MassDeleteWarning {
  at: string;
  text: string;
}

export interface TimelineEvent {
  at: string;
  kind: 'auth' | 'backup' | 'campaign';
  /** ok / bad / info: how the timeline marks it. */
  tone: 'ok' | 'bad' | 'info';
  text: string;
  runUrl: string | null;
}

export interface OrgCampaign {
  id: string;
  done: number;
  total: number;
  reauthorizedAt: string | null;
}

export interface OrgView {
  alias: string;
  page: string;
  status: OrgStatus;
  history: HistoryEntry[];
  state: SiteState;
  label: string;
  /** The reason code behind the state (`token_expired_or_revoked`, `backup_failed`…), if any. */
  reason: string | null;
  reasonText: string | null;
  /** When the org entered this state. */
  since: string;
  lastGood: LastGood | null;
  lastGoodAgeS: number | null;
  freshness: Freshness;
  campaign: OrgCampaign | null;
  warnings: MassDeleteWarning[];
  remedy: Remedy;
  /** Ids, only when the status is not redacted. */
  orgId: string | null;
  instanceHost: string | null;
}

export interface CampaignView {
  campaign: Campaign;
  open: boolean;
  done: number;
  total: number;
  left: string[];
}

export interface FeedEntry {
  alias: string;
  at: string;
  state: SiteState;
  title: string;
  text: string;
}

export interface SiteModel {
  options: SiteOptions;
  now: string;
  orgs: OrgView[];
  counts: Record<SiteState, number>;
  campaigns: CampaignView[];
  feed: FeedEntry[];
  redacted: boolean;
  /** The backup-workflow watchdog's banners (disabled, could not act, re-enabled lately). */
  watchdog: WatchdogBanner[];
}

const FEED_LIMIT = 50;
const WARNING_WINDOW_MS = 90 * 24 * 3600 * 1000;

export function orgPage(alias: string): string {
  return `orgs/${alias}.html`;
}

function lastGoodOf(status: OrgStatus, history: readonly HistoryEntry[]): LastGood | null {
  const b = status.lastBackup;
  if (b?.outcome === 'success') return { at: b.finishedAt, rows: b.rows, objects: b.objects, bytes: b.bytes };
  for (let i = history.length - 1; i >= 0; i--) {
    const e = history[i] as HistoryEntry;
    if (e.outcome === 'success') return { at: e.at, rows: e.rows, objects: null, bytes: e.bytes };
  }
  return null;
}

/** The state of one history entry, as far as the entry can tell (no clock, no campaign). */
function entryState(e: HistoryEntry): SiteState | undefined {
  if (e.authState === 'reauth_required' || e.authState === 'rotation_write_failed') return e.authReason === 'app_changed' ? 'app_change' : 'reauth';
  if (e.authState === 'app_pending') return 'app_pending';
  if (e.authState === 'misconfigured' || e.authState === 'transient') return 'failing';
  if (e.outcome === 'failed') return 'failing';
  if (e.outcome === 'success' || e.outcome === 'skipped') return 'healthy';
  return undefined;
}

/** When the trailing run of entries in `state` began (the first of them), or undefined. */
function streakStart(history: readonly HistoryEntry[], state: SiteState): string | undefined {
  let start: string | undefined;
  for (let i = history.length - 1; i >= 0; i--) {
    const e = history[i] as HistoryEntry;
    const s = entryState(e);
    if (s === undefined) continue;
    if (s !== state) break;
    start = e.at;
  }
  return start;
}

function stateOf(status: OrgStatus, history: readonly HistoryEntry[], freshness: Freshness): { state: SiteState; reason: string | null; since: string } {
  const auth = status.auth;
  if (auth.state === 'rotation_write_failed') return { state: 'reauth', reason: 'rotation_write_failed', since: auth.since };
  if (auth.state === 'reauth_required') return { state: auth.reason === 'app_changed' ? 'app_change' : 'reauth', reason: auth.reason, since: auth.since };
  if (auth.state === 'misconfigured') return { state: 'failing', reason: auth.reason ?? 'misconfigured', since: auth.since };
  // Pending and transient heal with the next run; when no run comes, that is the real problem.
  if (freshness.level === 'not_running') return { state: 'not_running', reason: null, since: freshness.notRunningAt };
  if (auth.state === 'app_pending') return { state: 'app_pending', reason: auth.reason, since: auth.since };
  if (auth.state === 'transient') return { state: 'failing', reason: auth.reason ?? 'transient', since: auth.since };
  if (freshness.level === 'late') return { state: 'late', reason: null, since: freshness.lateAt };
  const b: LastBackup | null = status.lastBackup;
  if (b === null) return { state: 'first_backup', reason: null, since: freshness.reference };
  if (b.held !== undefined) return { state: 'failing', reason: 'held', since: b.finishedAt };
  if (b.outcome === 'failed') return { state: 'failing', reason: 'backup_failed', since: streakStart(history, 'failing') ?? b.finishedAt };
  return { state: 'healthy', reason: null, since: streakStart(history, 'healthy') ?? b.finishedAt };
}

function pct(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}

function warningsOf(status: OrgStatus, history: readonly HistoryEntry[], now: number, opts: SiteOptions): MassDeleteWarning[] {
  const out: MassDeleteWarning[] = [];
  const b = status.lastBackup;
  // The run's own findings (per object, with the rule the action applied) come first; the totals
  // rule below is for data written before runs recorded them.
  for (const m of b?.massDeletes ?? []) {
    if (b === null) break;
    out.push({
      at: b.finishedAt,
      text: `${m.object} fell from ${m.before.toLocaleString('en-US')} to ${m.after.toLocaleString('en-US')} rows since the previous snapshot (−${m.dropped.toLocaleString('en-US')}). Check that this delete was intended; the previous snapshot holds the rows.`,
    });
  }
  if (b?.changes && b.changes.deleted > 0 && (b.massDeletes ?? []).length === 0) {
    const previous = b.rows - b.changes.added + b.changes.deleted;
    const share = previous > 0 ? b.changes.deleted / previous : 1;
    if (share >= opts.massDeleteShare && b.changes.deleted >= opts.massDeleteMinRows) {
      out.push({
        at: b.finishedAt,
        text: `${b.changes.deleted.toLocaleString('en-US')} rows deleted since the previous snapshot (${pct(share)} of ${previous.toLocaleString('en-US')}).`,
      });
    }
  }
  for (const d of b?.droppedObjects ?? []) {
    if (d.rows === 0 || b === null) continue;
    const why = d.reason === 'excluded' ? 'the selection now leaves it out' : 'the org no longer offers it (renamed, deleted or access lost)';
    out.push({ at: b.finishedAt, text: `${d.name} (${d.rows.toLocaleString('en-US')} rows) is not in the last snapshot: ${why}.` });
  }
  // Older drops, from the history: the net row count falling between two good backups.
  let prev: HistoryEntry | undefined;
  for (const e of history) {
    if (e.outcome !== 'success' || e.rows === null) continue;
    if (prev?.rows != null && now - Date.parse(e.at) <= WARNING_WINDOW_MS && !out.some((w) => w.at === e.at)) {
      const lost = prev.rows - e.rows;
      if (lost >= opts.massDeleteMinRows && prev.rows > 0 && lost / prev.rows >= opts.massDeleteShare) {
        out.push({ at: e.at, text: `Rows fell from ${prev.rows.toLocaleString('en-US')} to ${e.rows.toLocaleString('en-US')} (−${pct(lost / prev.rows)}).` });
      }
    }
    prev = e;
  }
  return out.sort((a, b2) => Date.parse(b2.at) - Date.parse(a.at));
}

const AUTH_WORDS: Record<HistoryEntry['authState'], string> = {
  ok: 'Logged in',
  reauth_required: 'Re-authorization required',
  app_pending: 'Credentials not active yet',
  transient: 'Temporary login failure',
  misconfigured: 'Misconfigured',
  rotation_write_failed: 'Rotated token not saved',
};

function authText(e: Pick<HistoryEntry, 'authState' | 'authReason'>): string {
  const reason = e.authState === 'ok' ? null : describeReason(e.authReason);
  return `${AUTH_WORDS[e.authState]}${reason ? `: ${reason}` : ''}`;
}

function timelineOf(alias: string, history: readonly HistoryEntry[], campaigns: readonly Campaign[]): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  let prev: HistoryEntry | undefined;
  for (const e of history) {
    if (prev === undefined ? e.authState !== 'ok' : prev.authState !== e.authState || prev.authReason !== e.authReason) {
      events.push({ at: e.at, kind: 'auth', tone: e.authState === 'ok' ? 'ok' : 'bad', text: authText(e), runUrl: e.runUrl });
    }
    if (e.outcome !== null) {
      const rows = e.rows === null ? '' : `, ${e.rows.toLocaleString('en-US')} rows`;
      const took = e.durationS === null ? '' : ` in ${Math.round(e.durationS)} s`;
      const text = `${e.mode ?? ''} backup ${e.outcome === 'success' ? 'succeeded' : e.outcome}${rows}${took}`.trim();
      events.push({
        at: e.at,
        kind: 'backup',
        tone: e.outcome === 'failed' ? 'bad' : 'ok',
        text: text.charAt(0).toUpperCase() + text.slice(1),
        runUrl: e.runUrl,
      });
    }
    prev = e;
  }
  for (const c of campaigns) {
    const mine = c.orgs.find((o) => o.alias === alias);
    if (!mine) continue;
    events.push({
      at: c.startedAt,
      kind: 'campaign',
      tone: 'info',
      text: `Connected App changed (${c.previousFingerprint} → ${c.newFingerprint}): re-authorization needed`,
      runUrl: null,
    });
    if (mine.reauthorizedAt)
      events.push({ at: mine.reauthorizedAt, kind: 'campaign', tone: 'ok', text: 'Re-authorized through the new Connected App', runUrl: null });
  }
  return events.sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
}

export function timeline(org: OrgView, campaigns: readonly Campaign[]): TimelineEvent[] {
  return timelineOf(org.alias, org.history, campaigns);
}

function feedOf(org: OrgView): FeedEntry[] {
  const out: FeedEntry[] = [];
  let prev: SiteState | undefined;
  for (const e of org.history) {
    const s = entryState(e);
    if (s === undefined || s === prev) continue;
    const reason =
      s === 'healthy' ? null : describeReason(e.authState === 'ok' ? (e.outcome === 'failed' ? 'backup_failed' : null) : (e.authReason ?? e.authState));
    out.push({
      alias: org.alias,
      at: e.at,
      state: s,
      title: `${org.alias}: ${STATE_INFO[s].label}`,
      text: reason ? `${STATE_INFO[s].label}: ${reason}.` : STATE_INFO[s].summary,
    });
    prev = s;
  }
  // What only the clock knows, dated when it became true.
  if (org.state === 'late' || org.state === 'not_running') {
    out.push({ alias: org.alias, at: org.since, state: org.state, title: `${org.alias}: ${org.label}`, text: STATE_INFO[org.state].summary });
  }
  return out;
}

function hostOf(url: string | null): string | null {
  if (!url) return null;
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}

function orgView(data: OrgData, campaigns: readonly Campaign[], opts: SiteOptions, now: number): OrgView {
  const status = opts.redact || data.status.redacted ? redactStatus(data.status, { redact: true }) : data.status;
  const history = data.history.entries;
  const freshness = freshnessOf(status, data.history, now, { intervalS: opts.intervalS, graceShare: opts.graceShare });
  const { state, reason, since } = stateOf(status, history, freshness);
  const lastGood = lastGoodOf(status, history);
  const open = campaigns.filter((c) => isOpen(c) && c.orgs.some((o) => o.alias === status.alias)).at(-1);
  const mine = open?.orgs.find((o) => o.alias === status.alias);
  return {
    alias: status.alias,
    page: orgPage(status.alias),
    status,
    history,
    state,
    label: STATE_INFO[state].label,
    reason,
    reasonText: describeReason(reason),
    since,
    lastGood,
    lastGoodAgeS: lastGood ? Math.max(0, (now - Date.parse(lastGood.at)) / 1000) : null,
    freshness,
    campaign: open && mine ? { id: open.id, ...campaignProgress(open), reauthorizedAt: mine.reauthorizedAt } : null,
    warnings: warningsOf(status, history, now, opts),
    remedy: remedyFor(state, reason, status, opts),
    orgId: status.redacted ? null : status.orgId,
    instanceHost: status.redacted ? null : hostOf(status.instanceUrl),
  };
}

/** Most urgent first; within a state the longest-standing first, then by alias. */
export function compareOrgs(a: OrgView, b: OrgView): number {
  return urgencyOf(a.state) - urgencyOf(b.state) || Date.parse(a.since) - Date.parse(b.since) || a.alias.localeCompare(b.alias);
}

export function buildModel(data: StatusData, options: SiteOptions): SiteModel {
  const now = Date.parse(options.now);
  const campaigns = data.campaigns.campaigns;
  const orgs = data.orgs.map((o) => orgView(o, campaigns, options, now)).sort(compareOrgs);
  const counts = Object.fromEntries(SITE_STATES.map((s) => [s, 0])) as Record<SiteState, number>;
  for (const o of orgs) counts[o.state] += 1;
  const campaignViews: CampaignView[] = campaigns
    .map((c) => ({ campaign: c, open: isOpen(c), ...campaignProgress(c), left: c.orgs.filter((o) => o.reauthorizedAt === null).map((o) => o.alias) }))
    .sort((a, b) => Number(b.open) - Number(a.open) || Date.parse(b.campaign.startedAt) - Date.parse(a.campaign.startedAt));
  const feed = orgs
    .flatMap(feedOf)
    .sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || a.alias.localeCompare(b.alias))
    .slice(0, FEED_LIMIT);
  return {
    options,
    now: new Date(now).toISOString(),
    orgs,
    counts,
    campaigns: campaignViews,
    feed,
    redacted: orgs.some((o) => o.status.redacted),
    // Older data (and tests' hand-made data) has no watchdog record.
    watchdog: watchdogBanners(data.watchdog ?? null, now, { repo: options.repo }),
  };
}
