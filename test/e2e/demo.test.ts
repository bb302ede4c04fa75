// `npm run demo` is the first thing a newcomer runs: the whole product on the emulators. Three orgs
// backed up by the action into the backup branch, the rotated token written back, the revoked
// org's issue opened, the status published and the site built; its last stdout line is the path of
// the site's index.html (a contract), and the site it built reads right in a real browser.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { runNode } from '../helpers/dist.ts';
import { browserMissing, collectErrors, launch, scrollsSideways, seriousViolations } from '../site/browser.ts';
import { serveStatic } from '../site/serve.ts';
import { filesOf, internalLinks, read } from '../site/support.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'demo-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('npm run demo: three orgs through the action, write-back, issue, status, and a site that reads right', async (t) => {
  const run = await runNode(path.resolve(import.meta.dirname, '../../scripts/demo.ts'), [dir], {});
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const lines = run.stdout.trimEnd().split('\n');
  const index = lines.at(-1) ?? '';
  assert.equal(index, path.join(dir, 'site', 'index.html'), 'the last line is the site');
  assert.ok(existsSync(index));

  assert.match(run.stdout, /prod .*\n {2}ok: full backup, \d+ objects, \d+ rows/);
  assert.match(run.stdout, /Salesforce rotated the refresh token; the action stored the new one in the secret SF_REFRESH_TOKEN_PROD/);
  assert.match(run.stdout, /eu .*\n {2}FAILED \(as expected for a revoked token\): reauth_required \/ token_expired_or_revoked/);
  assert.match(run.stdout, /Issue #\d+ opened in acme\/salesforce-backups: Salesforce org eu needs re-authorization/);

  // The repository outlives the emulator: both orgs on the backup branch, every org on the status branch.
  const mirror = path.join(dir, 'salesforce-backups.git');
  const git = (...args: string[]) => execFileSync('git', ['--git-dir', mirror, ...args], { encoding: 'utf8' }).trim();
  assert.deepEqual(git('ls-tree', '--name-only', 'salesforce-backups').split('\n'), ['prod', 'uat']);
  assert.deepEqual(git('ls-tree', '--name-only', 'salesforce-backup-status:orgs').split('\n'), ['eu', 'prod', 'uat']);
  const prod = JSON.parse(git('show', 'salesforce-backup-status:orgs/prod/status.json')) as {
    schedule?: { intervalS: number };
    lastBackup: { objectList?: { name: string; rows: number }[] };
  };
  assert.equal(prod.schedule?.intervalS, 86_400, "the expected interval, from the backup workflow's nightly cron");
  assert.ok(
    prod.lastBackup.objectList?.some((o) => o.name === 'Account' && o.rows > 0),
    'the objects of the snapshot',
  );
  assert.match(readFileSync(path.join(dir, 'site', 'orgs', 'prod.html'), 'utf8'), /<th scope="row"[^>]*>Account<\/th>/);

  // Every internal link of every page resolves to a file of the site.
  const siteDir = path.dirname(index);
  const files = new Set(filesOf(siteDir));
  const broken = [...files]
    .filter((f) => f.endsWith('.html'))
    .flatMap((page) =>
      internalLinks(read(siteDir, page), page)
        .filter((target) => !files.has(target) && !files.has(`${target}index.html`))
        .map((t) => `${page} → ${t}`),
    );
  assert.deepEqual(broken, []);

  const missing = browserMissing();
  if (missing) {
    t.skip(missing);
    return;
  }
  const site = await serveStatic(siteDir);
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const errors = collectErrors(page);
    await page.goto(`${site.origin}/`);
    const text = await page.locator('main').innerText();
    // eu first (most urgent), with its state and the command that fixes it; prod and uat healthy.
    assert.match(text, /1 of 3 orgs needs attention/);
    assert.ok(text.indexOf('eu') < text.indexOf('prod'), 'the org that needs a person comes first');
    assert.match(text, /Needs re-authorization[\s\S]*sfbackup reauth --org eu/);
    assert.match(text, /Healthy \(2\)/);
    await page.getByRole('link', { name: 'eu', exact: true }).click();
    assert.match(await page.locator('main').innerText(), /What to do[\s\S]*sfbackup reauth --org eu/);
    assert.deepEqual(errors, []);
    assert.deepEqual(await seriousViolations(page), []);
    // On a phone: every page of the demo without sideways scrolling.
    await page.setViewportSize({ width: 375, height: 800 });
    for (const f of [...files].filter((x) => x.endsWith('.html'))) {
      await page.goto(`${site.origin}/${f}`);
      assert.equal(await scrollsSideways(page), false, `${f} scrolls sideways at 375px`);
    }
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await site.close();
  }
});
