// An Atom feed of state changes, so a team can follow the orgs in a chat or a feed reader instead
// of opening the page. Entries are derived from the history (and the clock, for lateness), so the
// same data always gives the same feed and ids stay stable between builds.
import { createHash } from 'node:crypto';
import type { SiteModel } from './model.ts';

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A name-based UUID (SHA-1, RFC 9562 version 5 layout) of `key`: stable ids without a domain. */
export function stableUuid(key: string): string {
  const h = createHash('sha1').update(`sfbackup-status:${key}`).digest();
  h[6] = ((h[6] as number) & 0x0f) | 0x50;
  h[8] = ((h[8] as number) & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The site's public root (`https://acme.github.io/backups/`), or null when the build was not told. */
export function publicRoot(model: Pick<SiteModel, 'options'>): string | null {
  const { site, base } = model.options;
  return site ? new URL(base, site).toString() : null;
}

export function atomFeed(model: SiteModel): string {
  const root = publicRoot(model);
  const href = (rel: string) => esc(root ? new URL(rel, root).toString() : rel);
  const updated = model.feed[0]?.at ?? model.now;
  const entries = model.feed.map((e) => {
    const id = `urn:uuid:${stableUuid(`${e.alias}|${e.at}|${e.state}`)}`;
    return (
      `  <entry>\n    <id>${id}</id>\n    <title>${esc(e.title)}</title>\n    <updated>${new Date(e.at).toISOString()}</updated>\n` +
      `    <link rel="alternate" type="text/html" href="${href(`orgs/${e.alias}.html`)}"/>\n` +
      `    <category term="${e.state}"/>\n    <summary>${esc(e.text)}</summary>\n  </entry>\n`
    );
  });
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n` +
    `  <id>urn:uuid:${stableUuid(`feed|${root ?? model.options.title}`)}</id>\n` +
    `  <title>${esc(model.options.title)}: state changes</title>\n` +
    `  <updated>${new Date(updated).toISOString()}</updated>\n` +
    `  <author><name>${esc(model.options.title)}</name></author>\n` +
    `  <link rel="alternate" type="text/html" href="${href('index.html')}"/>\n` +
    (root ? `  <link rel="self" type="application/atom+xml" href="${href('feed.xml')}"/>\n` : '') +
    entries.join('') +
    `</feed>\n`
  );
}
