// How often an org's backups are expected, for the status page's dead man's switch: from the org
// config (`schedule: {every: 24h, grace: 12h}`), else from the cron lines of the workflow that runs
// the backup. A run that knows neither leaves it out, and the site infers it from the history.
import { readFileSync } from 'node:fs';
import { CronExpressionParser } from 'cron-parser';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const UNIT_S = { m: 60, h: 3600, d: 86_400, w: 604_800 } as const;

/** `90m`, `6h`, `1d`, `1w` (or a plain number of hours) → seconds. */
export const durationSetting = (example: string) =>
  z.union([z.string(), z.number()]).transform((v, ctx) => {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([mhdw]?)\s*$/.exec(String(v));
    const n = m ? Number(m[1]) * UNIT_S[(m[2] || 'h') as keyof typeof UNIT_S] : Number.NaN;
    if (!Number.isFinite(n) || n <= 0) {
      ctx.addIssue({ code: 'custom', message: `must be a duration such as 30m, 6h, 1d or 1w — e.g. ${example}` });
      return z.NEVER;
    }
    return Math.round(n);
  });

export const scheduleConfigSchema = z
  .object({
    /** The time between two scheduled backups. */
    every: durationSetting('every: 24h'),
    /** How far past it a backup may be before the org counts as late (default: half the interval, on the site). */
    grace: durationSetting('grace: 12h').optional(),
  })
  .strict();

export type ScheduleConfig = z.output<typeof scheduleConfigSchema>;

/** What the status records: seconds between backups, and the grace (null: the reader's default). */
export interface ExpectedSchedule {
  intervalS: number;
  graceS: number | null;
}

export function scheduleOf(config: ScheduleConfig): ExpectedSchedule {
  return { intervalS: config.every, graceS: config.grace ?? null };
}

/**
 * The longest gap between two runs of these cron lines over the next two weeks (UTC, as GitHub
 * reads them): a weekday-only schedule expects its Monday run three days after Friday's, not one.
 * Undefined when there is no valid line.
 */
export function scheduleFromCron(lines: readonly string[], now = new Date()): ExpectedSchedule | undefined {
  const end = now.getTime() + 14 * 86_400_000;
  const times: number[] = [];
  for (const line of lines) {
    try {
      const it = CronExpressionParser.parse(line, { currentDate: now, tz: 'UTC' });
      for (let t = it.next().getTime(); t <= end && times.length < 10_000; t = it.next().getTime()) times.push(t);
    } catch {
      // Not a cron line this parser knows: GitHub would refuse the workflow anyway.
    }
  }
  if (times.length < 2) return undefined;
  times.sort((a, b) => a - b);
  let gap = 0;
  for (let i = 1; i < times.length; i++) gap = Math.max(gap, (times[i] as number) - (times[i - 1] as number));
  return gap > 0 ? { intervalS: Math.round(gap / 1000), graceS: null } : undefined;
}

/** The cron lines of a workflow file (`on.schedule[].cron`); empty when it has none or cannot be read. */
export function workflowCronLines(file: string): string[] {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch {
    return [];
  }
  const on = (doc as { on?: unknown; true?: unknown } | null)?.on ?? (doc as { true?: unknown } | null)?.true;
  const schedule = (on as { schedule?: unknown } | null)?.schedule;
  if (!Array.isArray(schedule)) return [];
  return schedule.map((s) => (s as { cron?: unknown })?.cron).filter((c): c is string => typeof c === 'string');
}
