// Stable bucket assignment. A row's bucket depends only on its Id (the case-sensitive 15-char
// form, so 15- and 18-char spellings agree), never on the other rows, so a small change in the
// org rewrites few files.

import { hash } from 'node:crypto';

/** Target rows per bucket file. */
export const BUCKET_TARGET_ROWS = 20_000;
export const MAX_HEX_CHARS = 4;

export function idHash(id: string): string {
  return hash('sha1', id.slice(0, 15), 'hex');
}

export function bucketName(hash: string, hexChars: number): string {
  return hexChars === 0 ? 'all' : hash.slice(0, hexChars);
}

export function capacity(hexChars: number): number {
  return BUCKET_TARGET_ROWS * 16 ** hexChars;
}

/** The smallest k whose 16^k buckets hold ~<= BUCKET_TARGET_ROWS rows each. */
export function idealHexChars(rows: number): number {
  let k = 0;
  while (k < MAX_HEX_CHARS && rows > capacity(k)) k++;
  return k;
}

/**
 * With a previous scheme, keep it while the object stays within [capacity/64, 4 × capacity] so
 * growth or shrinkage by a few rows never reshuffles every file; outside that, re-bucket.
 */
export function chooseHexChars(rows: number, previous: number | undefined): number {
  if (previous === undefined) return idealHexChars(rows);
  const cap = capacity(previous);
  if (rows > 4 * cap && previous < MAX_HEX_CHARS) return idealHexChars(rows);
  if (previous > 0 && rows < cap / 64) return idealHexChars(rows);
  return previous;
}

/** Ordinal (UTF-16 code unit = byte order for ASCII Ids) comparison used for sorting rows. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
