// Page weights of a built site, shared by the scale test and the benchmark: what a reader
// downloads, compressed as a Pages server sends it, and how much JavaScript any page needs.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { filesOf } from './support.ts';

export interface SiteWeights {
  pages: number;
  overview_bytes: number;
  overview_gzip_bytes: number;
  largest_page_gzip_bytes: number;
  largest_page: string;
  /** Script bytes any page loads or inlines (JSON data blocks excluded). */
  js_bytes_required: number;
}

export function measureSite(dir: string): SiteWeights {
  const files = filesOf(dir);
  const html = files.filter((f) => f.endsWith('.html'));
  let largest = { page: '', bytes: 0 };
  let js = 0;
  for (const f of html) {
    const text = readFileSync(path.join(dir, f));
    const gz = gzipSync(text, { level: 9 }).length;
    if (gz > largest.bytes) largest = { page: f, bytes: gz };
    for (const m of text.toString('utf8').matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
      const attrs = m[1] ?? '';
      if (/type\s*=\s*["']?application\/(ld\+)?json/i.test(attrs)) continue;
      const src = /src\s*=\s*["']([^"']+)["']/i.exec(attrs)?.[1];
      js += src ? readFileSync(path.resolve(path.dirname(path.join(dir, f)), src.split('?')[0] as string)).length : Buffer.byteLength(m[2] ?? '');
    }
  }
  const overview = readFileSync(path.join(dir, 'index.html'));
  return {
    pages: html.length,
    overview_bytes: overview.length,
    overview_gzip_bytes: gzipSync(overview, { level: 9 }).length,
    largest_page_gzip_bytes: largest.bytes,
    largest_page: largest.page,
    js_bytes_required: js,
  };
}
