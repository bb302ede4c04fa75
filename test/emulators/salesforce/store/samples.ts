// Deterministic randomness and the sample values the data generator draws from. The pools are
// chosen to break naive CSV/JSON handling: commas, quotes, both newline styles, padding spaces,
// non-Latin scripts, emoji, and strings that look like other things ("null", "=SUM(…)").

/** A 32-bit hash of a few integers: the generator's pure per-record decisions. */
export function hash32(...xs: number[]): number {
  let h = 0x9e3779b9 ^ xs.length;
  for (const x of xs) {
    const lo = x >>> 0;
    const hi = Math.floor(x / 4294967296) >>> 0;
    for (const part of [lo, hi]) {
      h = Math.imul(h ^ part, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
    }
  }
  return h >>> 0;
}

/** A number in [0, 1) fixed by its inputs. */
export function unit(...xs: number[]): number {
  return hash32(...xs) / 4294967296;
}

/** sfc32: a small, fast PRNG for the row-by-row value streams. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(...seed: number[]) {
    this.a = hash32(...seed, 1);
    this.b = hash32(...seed, 2);
    this.c = hash32(...seed, 3);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  next(): number {
    return this.u32() / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [lo, hi]. */
  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return at(items, this.int(items.length));
  }
}

/** Indexing that the strict compiler accepts: every caller passes an index in range. */
export function at<T>(items: readonly T[], i: number): T {
  const v = items[i];
  if (v === undefined) throw new Error(`index ${i} out of range (${items.length})`);
  return v;
}

export const FIRST_NAMES = [
  'James',
  'Mary',
  'Robert',
  'Patricia',
  'John',
  'Jennifer',
  'Michael',
  'Linda',
  'David',
  'Elizabeth',
  'María José',
  'José',
  'Zoë',
  'Chloé',
  'François',
  'Søren',
  'Łukasz',
  'Siobhán',
  'Jürgen',
  'Ελένη',
  'Γιώργος',
  'Δημήτρης',
  '健太',
  'さくら',
  '翔',
  'Nguyễn Văn',
  'Anne-Marie',
  'Jean-Luc',
];

export const LAST_NAMES = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Miller',
  'Davis',
  'Wilson',
  "O'Brien",
  "D'Angelo",
  'García',
  'Müller',
  'Gonçalves',
  'Ødegård',
  'Nuñez',
  'van der Berg',
  'Smith-Jones',
  'Παπαδόπουλος',
  'Οικονόμου',
  '佐藤',
  '鈴木',
  '高橋',
  'Trần',
  'Kowalski',
  'Dubois',
];

export const COMPANY_STEMS = [
  'Acme',
  'Globex',
  'Initech',
  'Umbrella',
  'Hooli',
  'Vandelay',
  'Soylent',
  'Wonka',
  'Tyrell',
  'Cyberdyne',
  'Stark',
  'Wayne',
  'Oscorp',
  'Aperture',
  'Massive Dynamic',
  'Gringotts',
  'Nakatomi',
  'Blue Sun',
];

export const COMPANY_SUFFIXES = ['Inc.', 'LLC', 'Ltd', 'GmbH', 'S.A.', 'AG', 'Corp.', 'Holdings', 'Group', 'Partners', 'K.K.', 'A.E.'];

/**
 * Single-line values that must survive every hop unchanged; `NASTY_NAMES[k]` is the k-th class.
 * Kept under 80 characters so they fit any name field.
 */
export const NASTY_NAMES = [
  'Smith, Jones & Partners',
  'The "Best" Company',
  '  Padded Name Ltd  ',
  '株式会社サンプル商事',
  'Ελληνική Εταιρεία Α.Ε.',
  'Rocket 🚀 Labs 🎉',
  'Crème Brûlée Café, Zürich',
  'O\'Reilly\'s "Quoted, Comma" Shop',
  'null',
  '=SUM(A1:A2)',
  'Pipe|Caret^Back`tick;Semi\tTab',
  'C:\\Temp\\backslash\\',
  '<b>Not HTML</b> & more',
  'Ünïcödé ñame — “smart quotes” ‘too’',
];

/** Multi-line values for text areas: both newline styles, and quotes next to them. */
export const NASTY_TEXTS = [
  'First line\nSecond line\nThird line',
  'Windows line one\r\nWindows line two\r\n',
  'He said "hello",\nthen "goodbye",\r\nand left.',
  '  leading and trailing spaces  ',
  '日本語のテキスト。\n改行を含みます。',
  'Ελληνικό κείμενο με «εισαγωγικά»\r\nκαι νέα γραμμή.',
  'Emoji 😀👍🏽🇯🇵 and ZWJ 👩‍💻 sequences',
  'Tab\tseparated\tvalues, "quoted", and a trailing newline\n',
  '"', // a lone double quote
  ',,,',
  'Accents: àéîõü ÀÉÎÕÜ ç ß ø å æ',
  '\n leading newline',
];

export const SENTENCES = [
  'The customer asked for a follow-up call next week.',
  'Renewal is expected after the budget review, pending approval from finance.',
  'Shipped the replacement unit; tracking number "1Z999AA10123456784".',
  'Le client souhaite une démonstration en français.',
  'Der Vertrag wurde am Montag unterschrieben.',
  'お客様から追加の見積もりの依頼がありました。',
  'Ο πελάτης ζήτησε νέα προσφορά, με έκπτωση 10%.',
  'Escalated to tier 2 — see case history for details.',
  'Notes from the kickoff: scope, timeline, risks, owners.',
  'Price list: $1,250.00 per seat, billed annually; minimum 5 seats.',
  'Contact prefers e-mail over phone 📧.',
  'Waiting on legal (NDA v3, redlines in "Contract_Final_final.docx").',
];

export const STREETS = [
  '1 Market Street',
  '415 Mission St\nFloor 3',
  '221B Baker Street',
  'Bahnhofstraße 12',
  '1600 Amphitheatre Pkwy, Bldg 40',
  'Suite 500\r\n100 Main St',
  '東京都千代田区丸の内1-1-1',
  'Λεωφόρος Βασιλίσσης Σοφίας 10',
  "Rue de l'Église 3",
  'P.O. Box 1234',
];

export const CITIES: { city: string; state: string | null; postal: string; country: string; lat: number; lng: number }[] = [
  { city: 'San Francisco', state: 'CA', postal: '94105', country: 'United States', lat: 37.7897, lng: -122.3942 },
  { city: 'New York', state: 'NY', postal: '10001', country: 'United States', lat: 40.7506, lng: -73.9972 },
  { city: 'London', state: null, postal: 'NW1 6XE', country: 'United Kingdom', lat: 51.5237, lng: -0.1585 },
  { city: 'Zürich', state: 'ZH', postal: '8001', country: 'Switzerland', lat: 47.3769, lng: 8.5417 },
  { city: 'Paris', state: null, postal: '75008', country: 'France', lat: 48.8738, lng: 2.295 },
  { city: '東京', state: '東京都', postal: '100-0005', country: 'Japan', lat: 35.6812, lng: 139.7671 },
  { city: 'Αθήνα', state: 'Αττική', postal: '106 74', country: 'Greece', lat: 37.9755, lng: 23.7348 },
  { city: 'São Paulo', state: 'SP', postal: '01310-100', country: 'Brazil', lat: -23.5614, lng: -46.6559 },
  { city: 'Sydney', state: 'NSW', postal: '2000', country: 'Australia', lat: -33.8688, lng: 151.2093 },
  { city: 'Reykjavík', state: null, postal: '101', country: 'Iceland', lat: 64.1466, lng: -21.9426 },
];

export const PHONES = ['(415) 555-0100', '+1 212 555 0199', '+44 20 7946 0958', '+81 3-1234-5678', '+30 21 0123 4567', '555-0123 ext. 42', '+41 44 668 18 00'];

export const DOMAINS = ['example.com', 'example.org', 'example.net', 'mail.example.co.uk', 'example.jp'];

export const WEBSITES = [
  'https://www.example.com',
  'http://example.org/about?lang=en&ref=crm',
  'www.example.net',
  'https://例え.テスト/パス',
  'https://example.com/a%20b#section',
];

export const TASK_SUBJECTS = [
  'Call',
  'Send Letter',
  'Send Quote',
  'Other',
  'Follow up: "pricing", again',
  'Démo produit',
  '電話をかける',
  'Email 📧 re: renewal',
];

/** Lower-case ASCII for usernames and e-mail addresses; '' when nothing Latin is left. */
export function asciiSlug(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ø/gi, 'o')
    .replace(/ß/g, 'ss')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
}

/** Several KB of multilingual text with both newline styles. */
export function longText(rng: Rng, minChars: number, maxChars: number): string {
  const target = rng.between(minChars, maxChars);
  let out = '';
  while (out.length < target) {
    out += rng.pick(SENTENCES);
    const r = rng.next();
    out += r < 0.15 ? '\r\n' : r < 0.35 ? '\n' : r < 0.4 ? '\n\n' : ' ';
  }
  return out.slice(0, maxChars);
}

/** A short paragraph, a nasty value, a long text, or null. */
export function description(rng: Rng, maxLength: number): string | null {
  const r = rng.next();
  if (r < 0.4) return null;
  if (r < 0.5) return rng.pick(NASTY_TEXTS);
  if (r < 0.52) return longText(rng, 2000, Math.min(maxLength, 9000));
  return longText(rng, 20, Math.min(maxLength, 400)).trimEnd() || 'Note.';
}

/** `a;b` in the picklist's own order, the way Salesforce stores multi-select values. */
export function multiSelect(rng: Rng, values: readonly string[], must?: string): string | null {
  const chosen = values.filter((v) => v === must || rng.chance(0.25));
  return chosen.length ? chosen.join(';') : null;
}

export function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Rounds to `scale` decimals without binary noise (12.3 stays 12.3, not 12.299999). */
export function round(x: number, scale: number): number {
  return Number(x.toFixed(scale));
}

/** Small binary file bodies: a PNG header plus noise, a UTF-8 text, a PDF stub. */
export function fileBody(rng: Rng, i: number): { name: string; ext: string; type: string; mime: string; data: Uint8Array } {
  const kind = i % 3;
  if (kind === 0) {
    const n = rng.between(1, 1536);
    const data = new Uint8Array(8 + n);
    data.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    for (let k = 8; k < data.length; k++) data[k] = rng.int(256);
    return { name: `diagram-${i}`, ext: 'png', type: 'PNG', mime: 'image/png', data };
  }
  if (kind === 1) {
    const text = `Meeting notes ${i}\r\n${longText(rng, 10, 600)}\nÜnïcödé ✓ 日本語\n`;
    return { name: `notes, "draft" ${i}`, ext: 'txt', type: 'TEXT', mime: 'text/plain', data: new TextEncoder().encode(text) };
  }
  const body = `%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`;
  const data = new Uint8Array(body.length);
  for (let k = 0; k < body.length; k++) data[k] = body.charCodeAt(k) & 0xff;
  return { name: `Contrat_été_${i}`, ext: 'pdf', type: 'PDF', mime: 'application/pdf', data };
}
