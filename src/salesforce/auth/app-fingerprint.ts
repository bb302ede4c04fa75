import { createHash } from 'node:crypto';

/**
 * A short, stable name for a Connected App that is safe to show and store: status files, issues and
 * the rotate-app campaign identify the app by this, never by the consumer key itself. Trimmed so
 * that a key pasted with a trailing newline into a secret still names the same app.
 */
export function appFingerprint(consumerKey: string): string {
  return createHash('sha256').update(consumerKey.trim(), 'utf8').digest('hex').slice(0, 12);
}
