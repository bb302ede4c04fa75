// The dead man's switch. A backup that stops running says nothing: GitHub disables scheduled
// workflows of repositories without activity for 60 days and delays or drops cron runs under load,
// and the status data then simply stops changing. Only the age of the last backup attempt, held
// against the expected interval, shows it.
import type { OrgHistory, OrgStatus } from '../../../src/status/index.ts';

export type FreshnessLevel = 'fresh' | 'late' | 'not_running';

export interface Freshness {
  intervalS: number;
  graceS: number;
  /** Where the interval came from. */
  source: 'data' | 'history' | 'default';
  /** The last backup attempt (any outcome); null before the first. */
  lastAttemptAt: string | null;
  /** What the age is measured from: the last attempt, or when the org first showed up. */
  reference: string;
  ageS: number;
  /** reference + interval + grace. */
  lateAt: string;
  /** reference + 2 × (interval + grace). */
  notRunningAt: string;
  level: FreshnessLevel;
}

export interface FreshnessDefaults {
  intervalS: number;
  graceShare: number;
}

const HOUR_S = 3600;
/** Fewer gaps than this say nothing about a schedule. */
const MIN_GAPS = 3;
const RECENT_ATTEMPTS = 15;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Times of the backup attempts in the history (and the last backup), oldest first. */
export function attemptTimes(status: OrgStatus, history: OrgHistory): number[] {
  const times = history.entries.filter((e) => e.outcome !== null).map((e) => Date.parse(e.at));
  if (status.lastBackup) times.push(Date.parse(status.lastBackup.finishedAt));
  return [...new Set(times)].sort((a, b) => a - b);
}

/** The median gap between recent attempts, to the hour; undefined when there are too few. */
export function inferInterval(times: readonly number[]): number | undefined {
  const recent = times.slice(-RECENT_ATTEMPTS - 1);
  const gaps: number[] = [];
  for (let i = 1; i < recent.length; i++) gaps.push(((recent[i] as number) - (recent[i - 1] as number)) / 1000);
  if (gaps.length < MIN_GAPS) return undefined;
  gaps.sort((a, b) => a - b);
  const median = gaps[Math.floor(gaps.length / 2)] as number;
  return Math.max(HOUR_S, Math.round(median / HOUR_S) * HOUR_S);
}

export function freshnessOf(status: OrgStatus, history: OrgHistory, now: number, defaults: FreshnessDefaults): Freshness {
  const times = attemptTimes(status, history);
  const inferred = inferInterval(times);
  const source: Freshness['source'] = status.schedule ? 'data' : inferred !== undefined ? 'history' : 'default';
  const intervalS = status.schedule?.intervalS ?? inferred ?? defaults.intervalS;
  const graceS = status.schedule?.graceS ?? intervalS * defaults.graceShare;
  const last = times.at(-1);
  const firstSeen = Math.min(Date.parse(status.updatedAt), ...history.entries.map((e) => Date.parse(e.at)));
  const reference = last ?? firstSeen;
  const windowMs = (intervalS + graceS) * 1000;
  const ageS = Math.max(0, (now - reference) / 1000);
  const level: FreshnessLevel = now - reference > 2 * windowMs ? 'not_running' : now - reference > windowMs ? 'late' : 'fresh';
  return {
    intervalS,
    graceS,
    source,
    lastAttemptAt: last === undefined ? null : iso(last),
    reference: iso(reference),
    ageS,
    lateAt: iso(reference + windowMs),
    notRunningAt: iso(reference + 2 * windowMs),
    level,
  };
}
