// Re-authorization campaigns: after `rotate-app` every org of the old Connected App needs a person
// to log in again; a campaign tracks which have (n of m) until all are done. Pure functions over
// the list, so concurrent writers can re-apply them and merge by campaign id and org alias.
import { ProductError } from '../runtime/errors.ts';
import type { Campaign } from './schema.ts';

export class CampaignError extends ProductError<'bad_campaign'> {
  override readonly name = 'CampaignError';
  readonly state = 'failed';
  constructor(message: string, remedy: string) {
    super({ reason: 'bad_campaign', message, remedy });
  }
}

export interface StartCampaignInput {
  previousFingerprint: string;
  newFingerprint: string;
  /** Every org that used the previous app. */
  aliases: readonly string[];
  at: string;
}

/** `2026-01-31T03:17:00.123Z` + `abcdef012345` → `20260131T031700Z-abcdef012345`. */
export function campaignId(at: string, newFingerprint: string): string {
  const iso = new Date(at).toISOString();
  return `${iso.slice(0, 19).replace(/[-:]/g, '')}Z-${newFingerprint}`;
}

export function isOpen(c: Campaign): boolean {
  return c.completedAt === null && c.supersededBy === null;
}

export function openCampaigns(campaigns: readonly Campaign[]): Campaign[] {
  return campaigns.filter(isOpen);
}

export function campaignProgress(c: Campaign): { done: number; total: number } {
  return { done: c.orgs.filter((o) => o.reauthorizedAt !== null).length, total: c.orgs.length };
}

/**
 * Adds a campaign for the orgs of `previousFingerprint`. An open campaign that moved orgs *to*
 * the previous app is superseded: its orgs still waiting join the new one, since they now need
 * the new app. Starting the same campaign twice (same time and app) changes nothing.
 */
export function startCampaign(campaigns: readonly Campaign[], input: StartCampaignInput): { campaigns: Campaign[]; campaign: Campaign } {
  if (input.previousFingerprint === input.newFingerprint) {
    throw new CampaignError(
      `The new Connected App credentials have the same fingerprint (${input.newFingerprint}) as the current ones`,
      'Pass the consumer key of the new Connected App (or of its new credentials) to rotate-app; nothing needs re-authorizing for the same key.',
    );
  }
  const id = campaignId(input.at, input.newFingerprint);
  const existing = campaigns.find((c) => c.id === id);
  if (existing) return { campaigns: [...campaigns], campaign: existing };

  const superseded = campaigns.filter((c) => isOpen(c) && c.newFingerprint === input.previousFingerprint);
  const aliases = new Set(input.aliases);
  for (const c of superseded) for (const o of c.orgs) if (o.reauthorizedAt === null) aliases.add(o.alias);
  if (aliases.size === 0) {
    throw new CampaignError(
      `No org uses the app ${input.previousFingerprint}: there is nobody to re-authorize`,
      'Check the org config: rotate-app starts a campaign for the orgs of the previous Connected App.',
    );
  }
  const campaign: Campaign = {
    id,
    startedAt: input.at,
    completedAt: null,
    supersededBy: null,
    previousFingerprint: input.previousFingerprint,
    newFingerprint: input.newFingerprint,
    orgs: [...aliases].sort().map((alias) => ({ alias, reauthorizedAt: null })),
  };
  const next = campaigns.map((c) => (superseded.includes(c) ? { ...c, supersededBy: id } : c));
  return { campaigns: [...next, campaign], campaign };
}

/**
 * Records that `alias` authenticated with the app `fingerprint` at `at`: every open campaign
 * towards that app marks the org done, and completes (at the latest org's time) when all are.
 */
export function markReauthorized(campaigns: readonly Campaign[], alias: string, fingerprint: string, at: string): Campaign[] {
  return campaigns.map((c) => {
    if (!isOpen(c) || c.newFingerprint !== fingerprint) return c;
    if (!c.orgs.some((o) => o.alias === alias && o.reauthorizedAt === null)) return c;
    const orgs = c.orgs.map((o) => (o.alias === alias && o.reauthorizedAt === null ? { ...o, reauthorizedAt: at } : o));
    // The last org's time, whichever job recorded it last: concurrent writers agree on it.
    return { ...c, orgs, completedAt: orgs.every((o) => o.reauthorizedAt !== null) ? latest(orgs.map((o) => o.reauthorizedAt)) : null };
  });
}

function earliest(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return Date.parse(a) <= Date.parse(b) ? a : b;
}

function latest(values: Array<string | null>): string | null {
  let out: string | null = null;
  for (const v of values) if (v !== null && (out === null || Date.parse(v) > Date.parse(out))) out = v;
  return out;
}

/**
 * Two views of the campaign list joined without losing anything: campaigns by id, orgs by alias,
 * the earliest re-authorization of each org wins, and a campaign is complete once all its orgs are.
 */
export function mergeCampaigns(base: readonly Campaign[], ours: readonly Campaign[]): Campaign[] {
  const byId = new Map<string, Campaign>();
  for (const c of [...base, ...ours]) {
    const prev = byId.get(c.id);
    if (!prev) {
      byId.set(c.id, c);
      continue;
    }
    const orgs = new Map(prev.orgs.map((o) => [o.alias, o.reauthorizedAt]));
    for (const o of c.orgs) orgs.set(o.alias, orgs.has(o.alias) ? earliest(orgs.get(o.alias) ?? null, o.reauthorizedAt) : o.reauthorizedAt);
    const merged = [...orgs].map(([alias, reauthorizedAt]) => ({ alias, reauthorizedAt }));
    const done = merged.every((o) => o.reauthorizedAt !== null);
    byId.set(c.id, {
      ...prev,
      supersededBy: prev.supersededBy ?? c.supersededBy,
      orgs: merged,
      completedAt: done ? latest(merged.map((o) => o.reauthorizedAt)) : null,
    });
  }
  return [...byId.values()].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt) || a.id.localeCompare(b.id));
}
