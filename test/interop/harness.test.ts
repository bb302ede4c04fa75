// The sf harness itself: the CLI that runs is the installed one on Node 24 (§8.1: current sf needs
// Node >= 22.19), and the network guard really catches sf reaching for a host other than 127.0.0.1.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { describeRun, sf, sfHome } from './sf.ts';

const home = sfHome();

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
