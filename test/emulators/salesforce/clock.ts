/** The emulator's clock: real time plus an offset that tests move forward through /__emu/clock. */
export class Clock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  date(): Date {
    return new Date(this.now());
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new Error('advance takes a non-negative number of ms');
    this.offsetMs += ms;
  }

  set(epochMs: number): void {
    this.offsetMs = epochMs - Date.now();
  }
}

/** `2024-03-20T21:42:13.000+0000`: REST JSON datetimes and job info dates. */
export function sfDateTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** `2024-03-20T21:42:13.000Z`: how datetimes are stored and written to Bulk CSV. */
export function isoDateTime(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Parses the datetime forms clients send (SOQL literals, getUpdated windows): `Z`, `+0000`,
 * `+00:00`, and a `+` that arrived un-encoded in a query string (a space).
 */
export function parseSfDateTime(input: string): number | undefined {
  let s = input.trim();
  s = s.replace(/ (\d\d:?\d\d)$/, '+$1');
  s = s.replace(/([+-]\d\d)(\d\d)$/, '$1:$2');
  if (/^\d{4}-\d\d-\d\d$/.test(s)) s += 'T00:00:00Z';
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : ms;
}
