// The status site built from fixtures in every state, checked as files (what other tools read)
// and in headless Chromium (what a person sees): the right org shows the right state and remedy,
// every link resolves, no console errors, no serious accessibility violations, a phone's width,
// nothing secret, and nothing identifying once redacted.
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { browserMissing, collectErrors, launch, scrollsSideways, seriousViolations } from './browser.ts';
import { IDENTIFYING, NOW, SECRETS, type StateCase, writeStateFixture } from './fixtures.ts';
import { type StaticSite, serveStatic } from './serve.ts';
import { filesOf, internalLinks, OUTPUT_DIR, REPO_ROOT, read, runSiteCli } from './support.ts';

const LABELS: Record<string, string> = {
  healthy: 'Healthy',
  reauth: 'Needs re-authorization',
  app_change: 'App change in progress',
  not_running: 'Backups not running',
  failing: 'Failing',
  late: 'Backups late',
  app_pending: 'Credentials not active yet',
  first_backup: 'First backup pending',
};
const URGENCY = ['reauth', 'app_change', 'not_running', 'failing', 'late', 'app_pending', 'first_backup', 'healthy'];
const BASE = '/salesforce-backups/';

let tmp: string;
let data: string;
let out: string;
let redactedOut: string;
let cases: StateCase[];
let buildStdout: string;

/** The secrets in every form they could leak in. */
function secretForms(): string[] {
  return Object.values(SECRETS).flatMap((s) => [s, encodeURIComponent(s), Buffer.from(s).toString('base64'), JSON.stringify(s).slice(1, -1)]);
}

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'sfbackup-site-'));
  data = path.join(tmp, 'data');
  out = path.join(tmp, 'site');
  redactedOut = path.join(tmp, 'site-redacted');
  cases = await writeStateFixture(data);
  await writeStateFixture(path.join(tmp, 'data-redacted'), { redact: true });
  // The build's environment holds the secrets a workflow would have: none may reach the pages.
  const env = {
    GITHUB_TOKEN: SECRETS.githubToken,
    SF_CLIENT_SECRET: SECRETS.clientSecret,
    SF_CLIENT_ID: SECRETS.clientId,
    SF_REFRESH_TOKEN_PROD: SECRETS.refreshToken,
  };
  const common = ['--now', NOW, '--repo', 'acme/salesforce-backups', '--quiet'];
  const built = await runSiteCli(['--data', data, '--out', out, '--base', BASE, '--site', 'https://acme.github.io', ...common], env);
  assert.equal(built.code, 0, built.stderr);
  buildStdout = built.stdout;
  const redacted = await runSiteCli(['--data', path.join(tmp, 'data-redacted'), '--out', redactedOut, ...common], env);
  assert.equal(redacted.code, 0, redacted.stderr);
});

after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('the built files', () => {
  test('the last line printed is the path of the built index.html', () => {
    assert.equal(buildStdout.trim().split('\n').at(-1), path.join(out, 'index.html'));
    assert.ok(existsSync(path.join(out, 'index.html')));
  });

  test('status.json gives every org its state and reason, most urgent first, with the counts', () => {
    const status = JSON.parse(read(out, 'status.json')) as {
      counts: Record<string, number>;
      orgs: Array<{ alias: string; state: string; reason: string | null; page: string }>;
    };
    for (const c of cases) {
      const org = status.orgs.find((o) => o.alias === c.alias);
      assert.ok(org, `${c.alias} in status.json`);
      assert.equal(org.state, c.state, `${c.alias}'s state`);
      assert.equal(org.reason, c.reason, `${c.alias}'s reason`);
      assert.equal(org.page, `orgs/${c.alias}.html`);
    }
    const ranks = status.orgs.map((o) => URGENCY.indexOf(o.state));
    assert.deepEqual(
      ranks,
      [...ranks].sort((a, b) => a - b),
    );
    assert.equal(status.orgs[0]?.alias, 'revoked', 'the longest-standing re-authorization comes first');
    assert.equal(
      Object.values(status.counts).reduce((a, b) => a + b, 0),
      cases.length,
    );
    assert.equal(status.counts.reauth, 4);
  });

  test('the campaign counts 2 of 4 orgs and lists the ones left', () => {
    const status = JSON.parse(read(out, 'status.json')) as { campaigns: Array<{ open: boolean; done: number; total: number; left: string[] }> };
    assert.deepEqual(
      status.campaigns.map((c) => ({ open: c.open, done: c.done, total: c.total, left: c.left })),
      [{ open: true, done: 2, total: 4, left: ['app-c', 'app-d'] }],
    );
    assert.match(read(out, 'index.html'), /Connected App change: 2 of 4 orgs re-authorized/);
  });

  test("an org page lists the snapshot's objects, changed first, and the run's mass-delete finding", () => {
    const page = read(out, 'orgs/shrunk.html');
    const rows = [...page.matchAll(/<th scope="row"[^>]*>([^<]+)<\/th>/g)].map((m) => m[1]);
    assert.deepEqual(rows, ['Contact', 'Account', 'Task']);
    assert.match(page, /Contact fell from 24,000 to 3,000 rows since the previous snapshot \(−21,000\)/);
    assert.doesNotMatch(page, /rows deleted since the previous snapshot/, 'the per-object finding replaces the totals rule');
  });

  test('each org has a shields.io endpoint and an SVG badge', () => {
    assert.deepEqual(JSON.parse(read(out, 'badges/revoked.json')), {
      schemaVersion: 1,
      label: 'backup revoked',
      message: 'needs re-authorization',
      color: 'red',
      isError: true,
    });
    assert.deepEqual(JSON.parse(read(out, 'badges/prod.json')), { schemaVersion: 1, label: 'backup prod', message: 'healthy', color: 'brightgreen' });
    assert.match(read(out, 'badges/late.svg'), /^<svg [^>]*role="img" aria-label="backup late: backups late"/);
    for (const c of cases) assert.ok(existsSync(path.join(out, `badges/${c.alias}.svg`)), c.alias);
  });

  test('the Atom feed has the state changes, newest first, with absolute links under the base path', () => {
    const feed = read(out, 'feed.xml');
    const entries = [...feed.matchAll(/<entry>[\s\S]*?<\/entry>/g)].map((m) => m[0]);
    assert.ok(entries.length >= cases.length - 4, `${entries.length} entries`);
    const times = entries.map((e) => Date.parse(/<updated>([^<]+)</.exec(e)?.[1] ?? ''));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
    );
    assert.ok(entries.some((e) => e.includes('<title>revoked: Needs re-authorization</title>')));
    assert.ok(entries.some((e) => e.includes('<title>stopped: Backups not running</title>')));
    assert.match(feed, /href="https:\/\/acme\.github\.io\/salesforce-backups\/orgs\/revoked\.html"/);
  });

  test('every internal link of every page points at a file of the site', () => {
    const files = new Set(filesOf(out));
    const broken: string[] = [];
    for (const page of [...files].filter((f) => f.endsWith('.html'))) {
      for (const target of internalLinks(read(out, page), page)) if (!files.has(target)) broken.push(`${page} → ${target}`);
    }
    assert.deepEqual(broken, []);
  });

  test('no page needs JavaScript: no script element, no script file', () => {
    const files = filesOf(out);
    assert.deepEqual(
      files.filter((f) => f.endsWith('.js') || f.endsWith('.mjs')),
      [],
    );
    assert.deepEqual(
      files.filter((f) => f.endsWith('.html') && /<script\b/i.test(read(out, f))),
      [],
    );
  });

  test('no secret reaches the site: not from unknown fields of the data, not from the environment', () => {
    const hits: string[] = [];
    for (const dir of [out, redactedOut]) {
      for (const f of filesOf(dir)) {
        const text = read(dir, f);
        for (const s of secretForms()) if (text.includes(s)) hits.push(`${path.basename(dir)}/${f} has ${s.slice(0, 6)}…`);
      }
    }
    assert.deepEqual(hits, []);
    // The check can fail: the secrets really are in the data the site was built from.
    assert.ok(read(data, 'orgs/prod/status.json').includes(SECRETS.accessToken));
  });

  test('redacted data: no usernames, instance hosts, My Domain hosts or ids anywhere in the site', () => {
    const needles = [...IDENTIFYING.usernames, ...IDENTIFYING.instanceHosts, '@example.org', '-inst.example.org', '00D5g0000'];
    const hits: string[] = [];
    for (const f of filesOf(redactedOut)) {
      const text = read(redactedOut, f);
      for (const n of needles) if (text.includes(n)) hits.push(`${f} has ${n}`);
    }
    assert.deepEqual(hits, []);
    // …while the unredacted build shows them, so the needles are the right ones.
    const plain = read(out, 'orgs/prod.html');
    assert.ok(plain.includes('integration@acme.com') && plain.includes('acme.my.salesforce.com'));
    assert.match(
      read(redactedOut, 'orgs/dev-sso.html'),
      /My Domain \(the org&#39;s own login page, hidden on this public page\)|My Domain \(the org's own login page, hidden on this public page\)/,
    );
  });
});

describe('data the schema refuses', () => {
  test('fails the build naming each file and field, and writes no site', async () => {
    const bad = path.join(tmp, 'data-bad');
    cpSync(data, bad, { recursive: true });
    const status = JSON.parse(read(bad, 'orgs/late/status.json')) as { auth: { since: string } };
    status.auth.since = 'yesterday';
    writeFileSync(path.join(bad, 'orgs/late/status.json'), JSON.stringify(status));
    const history = JSON.parse(read(bad, 'orgs/uat/history.json')) as { entries: Array<{ rows: number }> };
    (history.entries[0] as { rows: number }).rows = -1;
    writeFileSync(path.join(bad, 'orgs/uat/history.json'), JSON.stringify(history));
    const badOut = path.join(tmp, 'site-bad');
    const r = await runSiteCli(['--data', bad, '--out', badOut, '--now', NOW]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /orgs\/late\/status\.json: auth\.since must be an ISO 8601 timestamp/);
    assert.match(r.stderr, /orgs\/uat\/history\.json: entries\[0\]\.rows /);
    assert.match(r.stderr, /To fix: /);
    assert.ok(!existsSync(path.join(badOut, 'index.html')));
  });

  test('a file of a newer schema version is refused, not misread', async () => {
    const newer = path.join(tmp, 'data-newer');
    cpSync(data, newer, { recursive: true });
    const status = JSON.parse(read(newer, 'orgs/prod/status.json')) as { schemaVersion: number };
    status.schemaVersion = 2;
    writeFileSync(path.join(newer, 'orgs/prod/status.json'), JSON.stringify(status));
    const r = await runSiteCli(['--data', newer, '--out', path.join(tmp, 'site-newer'), '--now', NOW]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /orgs\/prod\/status\.json: schemaVersion is 2, newer than the 1 this code understands/);
  });

  test('a bad option is a usage error (exit 2) that says which', async () => {
    const r = await runSiteCli(['--data', data, '--out', path.join(tmp, 'x'), '--now', 'tomorrow']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--now: must be an ISO 8601 time/);
    const missing = await runSiteCli(['--out', path.join(tmp, 'x')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--data DIR is required/);
  });
});

describe('in Chromium', { skip: browserMissing() }, () => {
  let browser: Browser;
  let site: StaticSite;

  before(async () => {
    browser = await launch();
    // Served as a project Pages site (under the base path) and as a custom domain (at the root) at once.
    site = await serveStatic(out, [BASE, '/']);
  });
  after(async () => {
    await browser?.close();
    await site?.close();
  });

  test('every page: loads, its links resolve, no console error, no serious axe violation, no sideways scroll at 375px', async () => {
    const desktop = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const phone = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    const page = await desktop.newPage();
    const small = await phone.newPage();
    const errors = [...collectErrors(page), ...collectErrors(small)];
    const seen = new Set<string>();
    const queue = [`${site.origin}${BASE}index.html`];
    const problems: string[] = [];
    while (queue.length > 0) {
      const url = queue.shift() as string;
      if (seen.has(url)) continue;
      seen.add(url);
      const res = await page.goto(url);
      if (res?.status() !== 200) {
        problems.push(`${url}: HTTP ${res?.status()}`);
        continue;
      }
      if (!(res.headers()['content-type'] ?? '').startsWith('text/html')) continue;
      const links = (await page.$$eval('a[href], link[href]', (els) => els.map((e) => (e as unknown as { href: string }).href))) as string[];
      for (const link of links) {
        const u = new URL(link);
        if (u.origin !== site.origin) continue;
        u.hash = '';
        if (!u.pathname.startsWith(BASE)) problems.push(`${url}: ${link} leaves the base path`);
        queue.push(u.toString());
      }
      for (const v of await seriousViolations(page)) problems.push(`${url}: axe ${v.impact} ${v.id} (${v.help}) at ${v.nodes.join(' ')}`);
      await small.goto(url);
      if (await scrollsSideways(small)) problems.push(`${url}: scrolls sideways at 375px`);
    }
    assert.deepEqual(problems, []);
    assert.deepEqual(errors, []);
    // The walk reached every org page, the guide and the files for other tools.
    for (const c of cases) assert.ok(seen.has(`${site.origin}${BASE}orgs/${c.alias}.html`), c.alias);
    for (const f of ['guide.html', 'feed.xml', 'status.json']) assert.ok(seen.has(`${site.origin}${BASE}${f}`), f);
    await desktop.close();
    await phone.close();
  });

  test('each org page shows its state and the remedy written for that org', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const wrong: string[] = [];
    for (const c of cases) {
      await page.goto(`${site.origin}${BASE}orgs/${c.alias}.html`);
      const state = (await page.textContent('#state'))?.trim();
      if (state !== `! ${LABELS[c.state]}` && state !== LABELS[c.state]) {
        // The marker before the label is CSS; textContent has the label alone.
        wrong.push(`${c.alias}: state "${state}", expected "${LABELS[c.state]}"`);
      }
      const remedy = ((await page.locator('main').textContent()) ?? '').replace(/\s+/g, ' ');
      for (const text of c.remedyHas) if (!remedy.includes(text)) wrong.push(`${c.alias}: page lacks "${text}"`);
      if (c.state === 'healthy' && (await page.locator('#remedy').count()) !== 0) wrong.push(`${c.alias}: a healthy org shows a remedy`);
    }
    assert.deepEqual(wrong, []);
    await ctx.close();
  });

  test('the overview: counts at the top, the campaign with the orgs left, every org with its state', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${site.origin}${BASE}index.html`);
    const counts = await page.locator('.counts li').allInnerTexts();
    assert.deepEqual(
      counts.map((t) => t.replace(/\s+/g, ' ').trim()),
      [
        '4 Needs re-authorization',
        '2 App change in progress',
        '1 Backups not running',
        '2 Failing',
        '1 Backups late',
        '1 Credentials not active yet',
        '1 First backup pending',
        '4 Healthy',
      ],
    );
    const campaign = ((await page.locator('.callout.s-app_change').textContent()) ?? '').replace(/\s+/g, ' ');
    assert.match(campaign, /2 of 4 orgs re-authorized/);
    assert.match(campaign, /Left to re-authorize: app-c, app-d\./);
    const rows = await page
      .locator('ol.orgs > li')
      .evaluateAll((lis) => lis.map((li) => [li.querySelector('h4')?.textContent?.trim(), li.querySelector('.state')?.textContent?.trim()]));
    for (const c of cases) {
      const row = rows.find((r) => r[0] === c.alias);
      assert.equal(row?.[1], LABELS[c.state], c.alias);
    }
    assert.equal(rows[0]?.[0], 'revoked');
    mkdirSync(OUTPUT_DIR, { recursive: true });
    // The top of each page, as a reader first sees it (and small enough for the README).
    await page.setViewportSize({ width: 1100, height: 1000 });
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'status-overview.png') });
    await page.goto(`${site.origin}${BASE}orgs/revoked.html`);
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'status-org.png') });
    if (process.env.SFBACKUP_UPDATE_SCREENSHOTS === '1') {
      mkdirSync(path.join(REPO_ROOT, 'docs/images'), { recursive: true });
      for (const f of ['status-overview.png', 'status-org.png']) copyFileSync(path.join(OUTPUT_DIR, f), path.join(REPO_ROOT, 'docs/images', f));
    }
    await ctx.close();
  });

  test('dark mode keeps the contrast; the feed is well-formed XML; the site also works at the domain root', async () => {
    const ctx = await browser.newContext({ colorScheme: 'dark' });
    const page = await ctx.newPage();
    const errors = collectErrors(page);
    for (const p of ['index.html', 'orgs/revoked.html', 'guide.html']) {
      await page.goto(`${site.origin}/${p}`);
      assert.deepEqual(await seriousViolations(page), [], p);
    }
    await page.goto(`${site.origin}/index.html`);
    await page.click('text=revoked');
    assert.equal(new URL(page.url()).pathname, '/orgs/revoked.html');
    const feed = (await page.evaluate(`fetch('../feed.xml').then((r) => r.text()).then((t) => {
      const doc = new DOMParser().parseFromString(t, 'application/xml');
      return { error: doc.querySelector('parsererror')?.textContent ?? null, entries: doc.getElementsByTagName('entry').length };
    })`)) as { error: string | null; entries: number };
    assert.equal(feed.error, null);
    assert.ok(feed.entries > 0);
    assert.deepEqual(errors, []);
    await ctx.close();
  });

  test('the charts are inline SVG with a text alternative', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${site.origin}${BASE}orgs/prod.html`);
    const charts = await page
      .locator('svg.chart')
      .evaluateAll((svgs) =>
        svgs.map((s) => ({ role: s.getAttribute('role'), title: s.querySelector('title')?.textContent, desc: s.querySelector('desc')?.textContent ?? '' })),
      );
    assert.deepEqual(
      charts.map((c) => c.title),
      ['Rows backed up', 'Backup duration', 'API calls per backup'],
    );
    for (const c of charts) {
      assert.equal(c.role, 'img');
      assert.match(c.desc, /30 backups from 2026-10-26 to 2026-11-24; latest [\d,]+/);
    }
    await ctx.close();
  });
});

test('the screenshots for the README exist once the browser tests ran', { skip: browserMissing() }, () => {
  for (const f of ['status-overview.png', 'status-org.png']) assert.ok(readFileSync(path.join(OUTPUT_DIR, f)).length > 10_000, f);
});
