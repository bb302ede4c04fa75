// The sf harness itself: the CLI that runs is the installed one on Node 24 (§8.1: current sf needs
// Node >= 22.19), the network guard really catches sf reaching for a host other than 127.0.0.1, every
// place that runs sf turns telemetry and self-update off, and (in every interop file) sf left nothing
// running behind it: a detached `sf update` is how a missing SF_DISABLE_AUTOUPDATE shows.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { assertNoSfLeftovers, describeRun, SF_QUIET_ENV, sf, sfHome } from './sf.ts';

const home = sfHome();
const ROOT = path.join(import.meta.dirname, '../..');

// Last in this file: whatever sf started for it must be gone.
after(() => assertNoSfLeftovers());

function installedVersion(pkg: string): string {
  return (JSON.parse(readFileSync(path.join(import.meta.dirname, '../../node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
}

describe('sf interop harness', () => {
  after(() => home.remove());

  it('runs the installed @salesforce/cli on Node 24', async () => {
    const run = await sf(home, ['--version']);
    assert.equal(run.code, 0, describeRun(run));
    assert.match(run.stdout, new RegExp(`^@salesforce/cli/${installedVersion('@salesforce/cli').replace(/\./g, '\\.')} \\S+ node-v24\\.`));
    assert.deepEqual(run.blocked, [], describeRun(run));
  });

  // defect 10
  it('turns telemetry and self-update off wherever sf runs: the harness, CI and the docs', () => {
    const keys = Object.keys(SF_QUIET_ENV);
    assert.deepEqual(keys.sort(), ['SF_AUTOUPDATE_DISABLE', 'SF_DISABLE_AUTOUPDATE', 'SF_DISABLE_TELEMETRY']);
    for (const k of keys) assert.equal(home.env[k], 'true', `sfHome() ${k}`);
    const read = (f: string) => readFileSync(path.join(ROOT, f), 'utf8');
    const ciRun =
      read('.ci/run')
        .split('\n')
        .find((l) => l.startsWith('export SF_')) ?? '';
    const workflow = read('.github/workflows/ci.yml');
    const docs = read('docs/development.md').replaceAll('\n', ' ');
    for (const k of keys) {
      assert.ok(ciRun.includes(`${k}=true`), `.ci/run does not export ${k}=true`);
      assert.match(workflow, new RegExp(`^  ${k}: "true"$`, 'm'), `ci.yml does not set ${k}`);
      assert.ok(docs.includes(`${k}=true`), `docs/development.md does not list ${k}=true`);
    }
  });

  it('catches and reports sf reaching for a real Salesforce host', async () => {
    const run = await sf(home, ['org', 'login', 'access-token', '--instance-url', 'https://login.salesforce.com', '--no-prompt', '--json'], {
      env: { SF_ACCESS_TOKEN: '00D000000000001AAA!AQfakefakefake' },
    });
    assert.notEqual(run.code, 0, describeRun(run));
    assert.ok(
      run.blocked.some((b) => b.host === 'login.salesforce.com'),
      describeRun(run),
    );
  });
});
