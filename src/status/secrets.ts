// The last line of defence before status data leaves the runner: Pages sites are public, so a
// secret that slipped into a message or a field must stop the write, not be published.
import { ProductError } from '../runtime/errors.ts';

/** Values shorter than this would match ordinary text; no real secret (token, key, password) is this short. */
const MIN_SECRET_LENGTH = 6;

export class StatusSecretError extends ProductError<'secret_in_status'> {
  override readonly name = 'StatusSecretError';
  readonly state = 'failed';
  /** Where the value was found (`auth.message`, `orgs/prod/status.json: auth.remedy`), never the value. */
  readonly fields: string[];

  constructor(fields: string[]) {
    super({
      reason: 'secret_in_status',
      message: `Status data would contain a secret value at ${fields.join(', ')}; nothing was written`,
      remedy: 'This is a bug: a secret reached a status message. Report it with the field named above (never the value); the status branch was left unchanged.',
    });
    this.fields = fields;
  }
}

/** The forms a secret may take once it went through a URL, a header or a JSON string. */
function formsOf(secret: string): string[] {
  const forms = new Set([secret, encodeURIComponent(secret), Buffer.from(secret, 'utf8').toString('base64'), JSON.stringify(secret).slice(1, -1)]);
  return [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH);
}

/**
 * Throws StatusSecretError when any string (value or key) inside `data` contains one of
 * `secretValues`, raw, URL-encoded, base64 or JSON-escaped. The error names the fields, never
 * the value. Values shorter than 6 characters are ignored: they would match ordinary words.
 */
export function assertNoSecrets(data: unknown, secretValues: Iterable<string | undefined | null>, where = ''): void {
  const needles = [...new Set([...secretValues].filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH))].flatMap(formsOf);
  if (needles.length === 0) return;
  const hits: string[] = [];
  const holds = (text: string) => needles.some((n) => text.includes(n));
  const visit = (value: unknown, path: string) => {
    if (typeof value === 'string') {
      if (holds(value)) hits.push(path || '(value)');
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => {
        visit(v, `${path}[${i}]`);
      });
    } else if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value)) {
        const p = path ? `${path}.${k}` : k;
        if (holds(k)) hits.push(`${p} (key)`);
        visit(v, p);
      }
    }
  };
  visit(data, '');
  if (hits.length > 0) throw new StatusSecretError(where ? hits.map((h) => `${where}: ${h}`) : hits);
}
