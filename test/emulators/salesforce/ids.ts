// Salesforce record ids: 15-char case-sensitive, 18-char case-insensitive with a checksum suffix.
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function to18(id15: string): string {
  if (id15.length === 18) return id15;
  if (id15.length !== 15) throw new Error(`not a 15-char id: ${id15}`);
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET[bits];
  }
  return id15 + suffix;
}

/** Normalises a 15- or 18-char id to its 18-char form; returns undefined for anything else. */
export function normalizeId(id: string): string | undefined {
  if (!/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(id)) return undefined;
  const id15 = id.slice(0, 15);
  const full = to18(id15);
  // An 18-char id whose suffix does not match is still accepted by Salesforce when the first
  // 15 chars are right; we compare on the 15-char prefix everywhere.
  return full;
}

export function isValidIdShape(id: string): boolean {
  return /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(id);
}

function base62(n: number, width: number): string {
  let s = '';
  let v = n;
  while (v > 0) {
    s = BASE62[v % 62] + s;
    v = Math.floor(v / 62);
  }
  return s.padStart(width, '0');
}

/**
 * Builds an 18-char id from a key prefix, a two-char pod/instance marker and a counter. The counter
 * is encoded so that ids sort (as strings, case-sensitively) in creation order, as Salesforce's do
 * within one pod, which keeps "rows sorted by Id" meaningful in tests.
 */
export function makeId(keyPrefix: string, pod: string, counter: number): string {
  if (keyPrefix.length !== 3 || pod.length !== 2) throw new Error('bad id parts');
  return to18(`${keyPrefix}${pod}${base62(counter, 10)}`);
}

/**
 * An org's Id for something the schema defines once (a record type): the same counter under the
 * org's pod, so two orgs never share the Id while each keeps it stable across restarts, as
 * Salesforce gives every org its own metadata Ids.
 */
export function orgScopedId(schemaId: string, pod: string): string {
  return to18(`${schemaId.slice(0, 3)}${pod}${schemaId.slice(5, 15)}`);
}

export function keyPrefixOf(id: string): string {
  return id.slice(0, 3);
}

export function sameId(a: string, b: string): boolean {
  return a.slice(0, 15) === b.slice(0, 15);
}
