// `status.json`: every org's state for other tools (a chat bot, a dashboard, a monitor), built
// from the same model as the pages so the two never disagree. Versioned on its own: its shape is
// the site's contract, not the status branch's.
import type { SiteModel } from './model.ts';
import { type SiteState, STATE_INFO } from './states.ts';

export const SITE_STATUS_VERSION = 1;

export interface SiteStatusOrg {
  alias: string;
  type: string;
  state: SiteState;
  label: string;
  reason: string | null;
  since: string;
  authState: string;
  lastGoodBackupAt: string | null;
  lastGoodBackupAgeS: number | null;
  rows: number | null;
  objects: number | null;
  expectedIntervalS: number;
  graceS: number;
  lateAt: string;
  page: string;
  badge: string;
  shields: string;
  campaign: { id: string; done: number; total: number } | null;
}

export interface SiteStatus {
  version: typeof SITE_STATUS_VERSION;
  generatedAt: string;
  counts: Record<SiteState, number>;
  orgs: SiteStatusOrg[];
  campaigns: Array<{ id: string; open: boolean; startedAt: string; completedAt: string | null; done: number; total: number; left: string[] }>;
}

export function siteStatus(model: SiteModel): SiteStatus {
  return {
    version: SITE_STATUS_VERSION,
    generatedAt: model.now,
    counts: model.counts,
    orgs: model.orgs.map((o) => ({
      alias: o.alias,
      type: o.status.type,
      state: o.state,
      label: STATE_INFO[o.state].label,
      reason: o.reason,
      since: o.since,
      authState: o.status.auth.state,
      lastGoodBackupAt: o.lastGood?.at ?? null,
      lastGoodBackupAgeS: o.lastGoodAgeS === null ? null : Math.round(o.lastGoodAgeS),
      rows: o.lastGood?.rows ?? null,
      objects: o.lastGood?.objects ?? null,
      expectedIntervalS: o.freshness.intervalS,
      graceS: o.freshness.graceS,
      lateAt: o.freshness.lateAt,
      page: o.page,
      badge: `badges/${o.alias}.svg`,
      shields: `badges/${o.alias}.json`,
      campaign: o.campaign ? { id: o.campaign.id, done: o.campaign.done, total: o.campaign.total } : null,
    })),
    campaigns: model.campaigns.map((c) => ({
      id: c.campaign.id,
      open: c.open,
      startedAt: c.campaign.startedAt,
      completedAt: c.campaign.completedAt,
      done: c.done,
      total: c.total,
      left: c.left,
    })),
  };
}
