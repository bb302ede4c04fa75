// SOQL's date literals (TODAY, LAST_N_DAYS:30, THIS_QUARTER, …) as half-open ranges of days in UTC.
// They are resolved against one instant given by the caller rather than the clock, so that every
// object of a restore, and every row, sees the same days.

const DAY = 86_400_000;

type Unit = 'day' | 'week' | 'month' | 'quarter' | 'year';

const UNIT_OF: Readonly<Record<string, Unit>> = {
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

/** Start (ms) of the unit that holds `now`, moved by `shift` units; weeks start on Sunday (en_US). */
function unitStart(now: number, unit: Unit, shift: number): number {
  const d = new Date(now);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const today = Math.floor(now / DAY) * DAY;
  switch (unit) {
    case 'day':
      return today + shift * DAY;
    case 'week':
      return today - d.getUTCDay() * DAY + shift * 7 * DAY;
    case 'month':
      return Date.UTC(y, m + shift, 1);
    case 'quarter':
      return Date.UTC(y, Math.floor(m / 3) * 3 + shift * 3, 1);
    case 'year':
      return Date.UTC(y + shift, 0, 1);
  }
}

/**
 * A SOQL date literal as a half-open range of days (YYYY-MM-DD) in UTC, or undefined when unknown or
 * out of range. Fiscal periods are calendar periods (the default fiscal year starts in January).
 */
export function dateLiteralRange(literal: string, now: number): { lo: string; hi: string } | undefined {
  const range = (unit: Unit, from: number, to: number) => {
    const lo = new Date(unitStart(now, unit, from));
    const hi = new Date(unitStart(now, unit, to));
    if (Number.isNaN(lo.getTime()) || Number.isNaN(hi.getTime()) || lo.getUTCFullYear() < 1 || hi.getUTCFullYear() > 9999) return undefined;
    return { lo: lo.toISOString().slice(0, 10), hi: hi.toISOString().slice(0, 10) };
  };
  const upper = literal.toUpperCase();
  const nm = /^(LAST_N|NEXT_N|N)_([A-Z_]+?)(_AGO)?:(\d+)$/.exec(upper);
  if (nm) {
    const kind = nm[1] as string;
    const unit = UNIT_OF[nm[2] as string];
    const n = Number(nm[4]);
    if (!unit || (kind === 'N') !== (nm[3] !== undefined)) return undefined;
    if (kind === 'N') return range(unit, -n, -n + 1);
    // LAST_N_DAYS:n runs from n days ago through today; the other LAST_N ranges end before the current unit.
    if (unit === 'day') return kind === 'LAST_N' ? range('day', -n, 1) : range('day', 1, 1 + n);
    return kind === 'LAST_N' ? range(unit, -n, 0) : range(unit, 1, 1 + n);
  }
  switch (upper) {
    case 'YESTERDAY':
      return range('day', -1, 0);
    case 'TODAY':
      return range('day', 0, 1);
    case 'TOMORROW':
      return range('day', 1, 2);
    case 'LAST_90_DAYS':
      return range('day', -90, 1);
    case 'NEXT_90_DAYS':
      return range('day', 1, 91);
  }
  const m = /^(LAST|THIS|NEXT)_([A-Z_]+)$/.exec(upper);
  const unit = m ? UNIT_OF[m[2] as string] : undefined;
  if (!m || !unit || unit === 'day') return undefined;
  const shift = m[1] === 'LAST' ? -1 : m[1] === 'THIS' ? 0 : 1;
  return range(unit, shift, shift + 1);
}
