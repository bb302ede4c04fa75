// A hundred orgs with a year of daily history: the site stays small (the overview under 50 KB
// gzipped), needs no JavaScript, every link resolves, and the overview reads at a phone's width.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { browserMissing, collectErrors, launch, scrollsSideways, seriousViolations } from './browser.ts';
import { NOW, writeScaleFixture } from './fixtures.ts';
import { measureSite } from './measure.ts';
import { serveStatic } from './serve.ts';
import { filesOf, internalLinks, read, runSiteCli } from './support.ts';

let tmp: string;
let out: string;

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'sfbackup-site-scale-'));
  out = path.join(tmp, 'site');
  await writeScaleFixture(path.join(tmp, 'data'), 100, 365);
  const r = await runSiteCli(['--data', path.join(tmp, 'data'), '--out', out, '--now', NOW, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
});

after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('100 orgs × 365 days: one page per org, the overview under 50 KB gzipped, no JavaScript', () => {
  const w = measureSite(out);
  assert.equal(w.pages, 102, 'the overview, the guide and 100 org pages');
  assert.ok(w.overview_gzip_bytes < 50_000, `overview ${w.overview_gzip_bytes} bytes gzipped`);
  assert.ok(w.largest_page_gzip_bytes < 50_000, `${w.largest_page} ${w.largest_page_gzip_bytes} bytes gzipped`);
  assert.equal(w.js_bytes_required, 0);
  const status = JSON.parse(read(out, 'status.json')) as { orgs: Array<{ alias: string; state: string; expectedIntervalS: number }> };
  assert.equal(status.orgs.length, 100);
  // The interval nobody configured is read from a year of nightly runs.
  assert.ok(status.orgs.every((o) => o.expectedIntervalS === 86_400));
  const states = new Set(status.orgs.map((o) => o.state));
  for (const s of ['healthy', 'reauth', 'failing', 'late', 'not_running']) assert.ok(states.has(s), s);
});

test('every internal link of the 100-org site resolves', () => {
  const files = new Set(filesOf(out));
  const broken: string[] = [];
  for (const page of [...files].filter((f) => f.endsWith('.html'))) {
    for (const target of internalLinks(read(out, page), page)) if (!files.has(target)) broken.push(`${page} → ${target}`);
  }
  assert.deepEqual(broken, []);
});

test('the 100-org overview and an org page with a year of history in Chromium, at a phone width', { skip: browserMissing() }, async () => {
  const browser = await launch();
  const site = await serveStatic(out, ['/']);
  try {
    const ctx = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true });
    const page = await ctx.newPage();
    const errors = collectErrors(page);
    for (const p of ['index.html', 'orgs/org-001.html']) {
      await page.goto(`${site.origin}/${p}`);
      assert.equal(await scrollsSideways(page), false, p);
      assert.deepEqual(await seriousViolations(page), [], p);
    }
    assert.equal(await page.locator('svg.chart').count(), 3);
    assert.match((await page.locator('figcaption').first().textContent()) ?? '', /365 backups from 2025-11-25 to 2026-11-24/);
    assert.deepEqual(errors, []);
    await ctx.close();
  } finally {
    await browser.close();
    await site.close();
  }
});
