// The backup-workflow watchdog on the status site: its record (watchdog.json, written with the
// action's own pure update) becomes a banner on the overview when the workflow is not active or was
// enabled again lately, linked from the guide's freshness section; data without the file builds as
// before. Checked in the model, in the built files, and in Chromium (axe, a phone's width).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { loadStatusData } from '../../site/src/lib/load.ts';
import { buildModel } from '../../site/src/lib/model.ts';
import { siteOptionsSchema } from '../../site/src/lib/options.ts';
import { watchdogBanners } from '../../site/src/lib/watchdog.ts';
import { nextWatchdog, type WatchdogCheck, type WatchdogFile } from '../../src/status/index.ts';
import { browserMissing, collectErrors, launch, scrollsSideways, seriousViolations } from './browser.ts';
import { NOW, writeStateFixture } from './fixtures.ts';
import { type StaticSite, serveStatic } from './serve.ts';
import { read, runSiteCli } from './support.ts';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const now = Date.parse(NOW);
const iso = (ms: number) => new Date(ms).toISOString();
const RUN = 'https://github.com/acme/salesforce-backups/actions/runs/4242';

function check(overrides: Partial<WatchdogCheck> & Pick<WatchdogCheck, 'workflow'>): WatchdogCheck {
  return { state: 'active', action: 'none', reason: null, message: 'active', remedy: null, dispatched: false, at: iso(now - HOUR), runUrl: RUN, ...overrides };
}

/** backup.yml re-enabled six hours ago (and found active since); nightly.yml disabled by a person. */
function record(): WatchdogFile {
  let file = nextWatchdog(
    undefined,
    check({
      workflow: 'backup.yml',
      state: 'disabled_inactivity',
      action: 're-enabled',
      dispatched: true,
      at: iso(now - 6 * HOUR),
      message: 'GitHub had disabled backup.yml after 60 days without repository activity; the watchdog enabled it again.',
    }),
  );
  file = nextWatchdog(file, check({ workflow: 'backup.yml', at: iso(now - HOUR) }));
  return nextWatchdog(
    file,
    check({
      workflow: 'nightly.yml',
      state: 'disabled_manually',
      message: 'Workflow nightly.yml was disabled by a person; the watchdog leaves it so.',
      remedy:
        'If backups should run, enable it under Actions → nightly.yml → Enable workflow (or `gh workflow enable nightly.yml --repo acme/salesforce-backups`).',
    }),
  );
}

const opts = { repo: 'acme/salesforce-backups' };

describe('the watchdog banners (model)', () => {
  test('a manually disabled workflow comes first and says a person must enable it; a recent re-enable follows', () => {
    const banners = watchdogBanners(record(), now, opts);
    assert.deepEqual(
      banners.map((b) => [b.workflow, b.tone, b.title]),
      [
        ['nightly.yml', 'bad', 'Backups are not scheduled: nightly.yml was disabled by a person'],
        ['backup.yml', 'info', 'backup.yml was disabled by GitHub and enabled again'],
      ],
    );
    assert.match(banners[0]?.text ?? '', /a manually disabled workflow must be enabled under Actions/);
    assert.match(banners[1]?.text ?? '', /after 60 days without repository activity; the watchdog enabled it again and started one backup run at once/);
    assert.equal(banners[1]?.at, iso(now - 6 * HOUR), 'dated when it was enabled again, not when last checked');
  });

  test('no banner for an active workflow whose last re-enable is old, nor without a record (data from before the watchdog)', () => {
    const old = nextWatchdog(undefined, check({ workflow: 'backup.yml', state: 'disabled_inactivity', action: 're-enabled', at: iso(now - 30 * DAY) }));
    const quiet = nextWatchdog(old, check({ workflow: 'backup.yml', at: iso(now - HOUR) }));
    assert.deepEqual(watchdogBanners(quiet, now, opts), []);
    assert.equal(quiet.workflows[0]?.reEnables.length, 1, 'the history is kept');
    assert.deepEqual(watchdogBanners(null, now, opts), []);
  });

  test('a workflow the watchdog could not enable is a banner with the permission to add', () => {
    const file = nextWatchdog(
      undefined,
      check({
        workflow: 'backup.yml',
        state: 'disabled_inactivity',
        action: 'cannot-enable',
        reason: 'permission_denied',
        message: 'GitHub had disabled backup.yml …, and the watchdog could not enable it again: Resource not accessible by integration',
        remedy: 'Give the job `permissions: actions: write`.',
      }),
    );
    const [b] = watchdogBanners(file, now, opts);
    assert.equal(b?.tone, 'bad');
    assert.equal(b?.title, 'Backups are not scheduled: GitHub disabled backup.yml');
    assert.deepEqual(b?.steps[0], 'Give the job `permissions: actions: write`.');
    assert.match(b?.steps[1] ?? '', /gh workflow enable backup\.yml --repo acme\/salesforce-backups/);
  });
});

describe('the watchdog on the built site', () => {
  let tmp: string;
  let data: string;
  let out: string;

  before(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'sfbackup-site-watchdog-'));
    data = path.join(tmp, 'data');
    out = path.join(tmp, 'site');
    await writeStateFixture(data);
    writeFileSync(path.join(data, 'watchdog.json'), `${JSON.stringify(record(), null, 2)}\n`);
    const built = await runSiteCli(['--data', data, '--out', out, '--now', NOW, '--repo', 'acme/salesforce-backups', '--quiet']);
    assert.equal(built.code, 0, built.stderr);
  });
  after(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  test('the overview has both banners above the orgs, and the guide links to them', () => {
    const index = read(out, 'index.html');
    const banner = index.indexOf('id="watchdog"');
    assert.ok(banner > 0 && banner < index.indexOf('id="orgs"'), 'the banners come before the org list');
    assert.match(index, /Backups are not scheduled: nightly\.yml was disabled by a person/);
    assert.match(index, /backup\.yml was disabled by GitHub and enabled again/);
    assert.match(index, /<code>gh workflow enable nightly\.yml --repo acme\/salesforce-backups<\/code>/);
    assert.match(index, /href="guide\.html#freshness"/);
    const guide = read(out, 'guide.html');
    assert.match(guide, /id="watchdog"/);
    assert.match(guide, /href="index\.html#watchdog"/);
  });

  test('a watchdog.json the schema refuses fails the build naming the file and field', async () => {
    const bad = path.join(tmp, 'data-bad');
    await writeStateFixture(bad);
    const broken = record() as unknown as { workflows: Array<Record<string, unknown>> };
    (broken.workflows[0] as Record<string, unknown>).state = 'paused';
    writeFileSync(path.join(bad, 'watchdog.json'), JSON.stringify(broken));
    const r = await runSiteCli(['--data', bad, '--out', path.join(tmp, 'site-bad'), '--now', NOW, '--quiet']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /watchdog\.json: workflows\[0\]\.state /);
  });

  test('data without watchdog.json (written before the watchdog) loads and has no banner', async () => {
    const none = path.join(tmp, 'data-none');
    await writeStateFixture(none);
    const loaded = loadStatusData(none);
    assert.equal(loaded.watchdog, null);
    assert.deepEqual(buildModel(loaded, siteOptionsSchema.parse({ dataDir: none, outDir: out, now: NOW })).watchdog, []);
  });

  describe('in Chromium', { skip: browserMissing() }, () => {
    let browser: Browser;
    let site: StaticSite;
    before(async () => {
      browser = await launch();
      site = await serveStatic(out, ['/']);
    });
    after(async () => {
      await browser?.close();
      await site?.close();
    });

    test('the banners read right, pass axe (light and dark), and fit a phone', async () => {
      const problems: string[] = [];
      for (const [scheme, width] of [
        ['light', 1200],
        ['dark', 375],
      ] as const) {
        const ctx = await browser.newContext({ colorScheme: scheme, viewport: { width, height: 800 } });
        const page = await ctx.newPage();
        const errors = collectErrors(page);
        await page.goto(`${site.origin}/index.html`);
        const texts = (await page.locator('#watchdog .callout h2').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
        assert.deepEqual(texts, [
          'Backups not scheduled: Backups are not scheduled: nightly.yml was disabled by a person',
          'Re-enabled: backup.yml was disabled by GitHub and enabled again',
        ]);
        for (const v of await seriousViolations(page)) problems.push(`${scheme}: axe ${v.impact} ${v.id} (${v.help}) at ${v.nodes.join(' ')}`);
        if (await scrollsSideways(page)) problems.push(`${scheme} at ${width}px: scrolls sideways`);
        await page.click('#watchdog a[href="guide.html#freshness"] >> nth=0');
        assert.equal(new URL(page.url()).pathname, '/guide.html');
        assert.match(
          ((await page.locator('#watchdog ~ p.callout').textContent()) ?? '').replace(/\s+/g, ' '),
          /Now: Backups are not scheduled: nightly\.yml was disabled by a person; .*See the overview\./,
        );
        for (const v of await seriousViolations(page)) problems.push(`${scheme} guide: axe ${v.impact} ${v.id} (${v.help}) at ${v.nodes.join(' ')}`);
        assert.deepEqual(errors, []);
        await ctx.close();
      }
      assert.deepEqual(problems, []);
    });
  });
});
