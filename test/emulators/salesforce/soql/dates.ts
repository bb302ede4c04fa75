// SOQL date literals (TODAY, LAST_N_DAYS:n, THIS_MONTH …) as half-open day ranges, evaluated in UTC
// against the emulator clock. Weeks start on Sunday (en_US); fiscal periods are calendar periods
// (the default fiscal year starts in January).

export interface DayRange {
  /** First day in range, YYYY-MM-DD. */
  start: string;
  /** First day after the range, YYYY-MM-DD. */
  end: string;
}

const DAY = 86_400_000;

type Unit = 'day' | 'week' | 'month' | 'quarter' | 'year';

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Start (ms) of the unit that contains `now`, moved by `shift` units. */
function unitStart(now: number, unit: Unit, shift: number): number {
  const d = new Date(now);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const today = Math.floor(now / DAY) * DAY;
  switch (unit) {
    case 'day':
      return today + shift * DAY;
    case 'week': {
      const dow = d.getUTCDay();
      return today - dow * DAY + shift * 7 * DAY;
    }
    case 'month':
      return Date.UTC(y, m + shift, 1);
    case 'quarter':
      return Date.UTC(y, Math.floor(m / 3) * 3 + shift * 3, 1);
    case 'year':
      return Date.UTC(y + shift, 0, 1);
  }
}

function range(now: number, unit: Unit, from: number, to: number): DayRange {
  return { start: iso(unitStart(now, unit, from)), end: iso(unitStart(now, unit, to)) };
}

const UNIT_OF: Record<string, Unit> = {
  DAY: 'day',
  DAYS: 'day',
  WEEK: 'week',
  WEEKS: 'week',
  MONTH: 'month',
  MONTHS: 'month',
  QUARTER: 'quarter',
  QUARTERS: 'quarter',
  FISCAL_QUARTER: 'quarter',
  FISCAL_QUARTERS: 'quarter',
  YEAR: 'year',
  YEARS: 'year',
  FISCAL_YEAR: 'year',
  FISCAL_YEARS: 'year',
};

/** The range of a date literal, or undefined when the literal is unknown. */
export function dateLiteralRange(literal: string, now: number): DayRange | undefined {
  const upper = literal.toUpperCase();
  const nm = /^(LAST_N|NEXT_N|N)_([A-Z_]+?)(?:_AGO)?:(\d+)$/.exec(upper);
  if (nm) {
    const kind = nm[1] as string;
    const unit = UNIT_OF[nm[2] as string];
    const n = Number(nm[3]);
    if (!unit) return undefined;
    if (kind === 'N') {
      if (!upper.includes('_AGO:')) return undefined;
      return range(now, unit, -n, -n + 1);
    }
    if (unit === 'day') return kind === 'LAST_N' ? range(now, 'day', -n, 1) : range(now, 'day', 1, 1 + n);
    return kind === 'LAST_N' ? range(now, unit, -n, 0) : range(now, unit, 1, 1 + n);
  }
  switch (upper) {
    case 'YESTERDAY':
      return range(now, 'day', -1, 0);
    case 'TODAY':
      return range(now, 'day', 0, 1);
    case 'TOMORROW':
      return range(now, 'day', 1, 2);
    case 'LAST_90_DAYS':
      return range(now, 'day', -90, 1);
    case 'NEXT_90_DAYS':
      return range(now, 'day', 1, 91);
  }
  const m = /^(LAST|THIS|NEXT)_([A-Z_]+)$/.exec(upper);
  if (!m) return undefined;
  const unit = UNIT_OF[m[2] as string];
  if (!unit || unit === 'day') return undefined;
  const shift = m[1] === 'LAST' ? -1 : m[1] === 'THIS' ? 0 : 1;
  return range(now, unit, shift, shift + 1);
}
