// The built action (dist/index.js) run as the runner runs it (INPUT_* and GITHUB_* env, output and
// summary files) with an org config and `secrets: toJSON(secrets)`, backing an emulated org up to a
// backup branch and to a workflow artifact of the GitHub emulator.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type GitHubEmulator, startGitHubEmulator } from '../emulators/github/emulator.ts';
import type { Emulator } from '../emulators/salesforce/emulator.ts';
import { ACTION } from '../faults/support.ts';
import { parseOutputFile, runNode } from '../helpers/dist.ts';
import { control, creds, emulator } from '../helpers/emulator.ts';
import { assertSnapshotEqualsStore, plantNasty, readManifest, readObjectCsv } from './backup-support.ts';

let emu: Emulator;
let gh: GitHubEmulator;
let work: string;
let secrets: Record<string, string>;

const BRANCH = 'salesforce-backups';

before(async () => {
  [emu, gh] = await Promise.all([emulator({ orgs: [{ alias: 'prod', records: 300, seed: 3 }] }), startGitHubEmulator()]);
  work = mkdtempSync(path.join(tmpdir(), 'backup-action-'));
  const c = creds(emu, 'prod');
  secrets = {
    SF_CLIENT_ID: c.clientId,
    SF_CLIENT_SECRET: c.clientSecret,
    SF_REFRESH_TOKEN_PROD: c.refreshToken,
    UNRELATED_SECRET: 'unrelated-value-that-is-never-used',
    github_token: gh.token,
  };
  await plantNasty(emu, 'prod');
});
after(async () => {
  await Promise.all([emu.close(), gh.close()]);
  rmSync(work, { recursive: true, force: true });
});

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

let runs = 0;
/** One job step: a fresh workspace holding the config, the runner's files, the emulator's job env. */
async function step(config: string, inputs: Record<string, string>, env: Record<string, string> = gh.env()): Promise<Ran> {
  const dir = path.join(work, `run-${++runs}`);
  const workspace = path.join(dir, 'workspace');
  const temp = path.join(dir, 'temp');
  mkdirSync(path.join(workspace, '.github'), { recursive: true });
  mkdirSync(temp, { recursive: true });
  writeFileSync(path.join(workspace, '.github/salesforce-backup.yml'), config);
  const files = Object.fromEntries(['GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY', 'GITHUB_STATE', 'GITHUB_ENV', 'GITHUB_PATH'].map((k) => [k, path.join(dir, k)]));
  for (const f of Object.values(files)) writeFileSync(f, '');
  const all: Record<string, string> = { ...env, ...files, GITHUB_WORKSPACE: workspace, RUNNER_TEMP: temp };
  // What the runner fills in from action.yml defaults, then the step's `with:`.
  // The status branch lives on the emulator's git remote too: nothing may reach github.com.
  const withDefaults = {
    command: 'backup',
    'config-file': '.github/salesforce-backup.yml',
    'github-token': gh.token,
    'full-every': '7',
    'status-remote': gh.gitUrl(),
    ...inputs,
  };
  for (const [k, v] of Object.entries(withDefaults)) all[`INPUT_${k.toUpperCase()}`] = v;
  const ran = await runNode(ACTION, [], all);
  return {
    ...ran,
    outputs: parseOutputFile(readFileSync(files.GITHUB_OUTPUT as string, 'utf8')),
    summary: readFileSync(files.GITHUB_STEP_SUMMARY as string, 'utf8'),
  };
}

function config(storage: string, extra = ''): string {
  return `# the org config as a user writes it
orgs:
  - alias: prod
    type: ${creds(emu, 'prod').loginUrl}
    refresh-token-secret: SF_REFRESH_TOKEN_PROD
    storage: ${storage}
${extra}`;
}

const git = (...args: string[]) => execFileSync('git', ['--git-dir', gh.bareRepoPath(), ...args], { encoding: 'utf8' }).trim();
const branchTip = () => {
  try {
    return git('rev-parse', `refs/heads/${BRANCH}`);
  } catch {
    return '';
  }
};

/** The backup branch's tree, checked out into a fresh folder. */
function checkoutBranch(): string {
  const dir = mkdtempSync(path.join(work, 'checkout-'));
  execFileSync('git', ['--git-dir', gh.bareRepoPath(), `--work-tree=${dir}`, 'checkout', '-f', BRANCH, '--', '.'], { encoding: 'utf8' });
  return dir;
}

function allText(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(path.join(e.parentPath, e.name), 'utf8'))
    .join('\n');
}

/** Secrets of the org (and the access tokens the emulator issued) appear nowhere but in mask commands. */
function assertNoSecrets(ran: Ran, extra: Record<string, string> = {}): void {
  const c = creds(emu, 'prod');
  const values: Record<string, string> = { 'refresh token': c.refreshToken, 'consumer secret': c.clientSecret, 'consumer key': c.clientId, ...extra };
  emu.state.sessions
    .all()
    .filter((s) => s.orgId === c.orgId)
    .forEach((s, i) => {
      values[`access token ${i}`] = s.token;
    });
  const texts = { stdout: ran.stdout, stderr: ran.stderr, summary: ran.summary, outputs: JSON.stringify(ran.outputs) };
  for (const [where, text] of Object.entries(texts)) {
    for (const [what, value] of Object.entries(values)) {
      const leaks = text.split('\n').filter((l) => l.includes(value) && l !== `::add-mask::${value}`);
      assert.deepEqual(leaks, [], `${what} appears in ${where}`);
    }
  }
  const lines = ran.stdout.split('\n');
  const firstLog = lines.findIndex((l) => !l.startsWith('::add-mask::'));
  for (const what of ['refresh token', 'consumer secret', 'consumer key']) {
    const at = lines.indexOf(`::add-mask::${values[what]}`);
    assert.ok(at >= 0 && at < firstLog, `${what} is not masked before the first log line`);
  }
  assert.ok(!ran.stdout.includes('unrelated-value-that-is-never-used'), 'a secret the run does not use was printed');
}

describe('action: backup to a branch', () => {
  const inputs = () => ({ secrets: JSON.stringify(secrets), 'backup-remote': gh.gitUrl(), 'mass-delete-min-rows': '5' });
  let firstTip = '';

  test('the first run commits a full snapshot equal to the org, with outputs and a summary', async () => {
    const ran = await step(config('{ kind: branch }'), inputs());
    assert.equal(ran.code, 0, ran.stdout + ran.stderr);
    firstTip = branchTip();
    assert.match(firstTip, /^[0-9a-f]{40}$/);
    assert.equal(ran.outputs.commit, firstTip);
    assert.ok(ran.outputs['snapshot-location']?.includes(BRANCH), ran.outputs['snapshot-location']);
    assert.equal(ran.outputs.mode, 'full');
    assert.equal(ran.outputs['failed-objects'], '');
    assert.equal(ran.outputs['mass-delete'], '');
    assert.ok(Number(ran.outputs.rows) > 300 && Number(ran.outputs.objects) >= 10 && Number(ran.outputs.bytes) > 0, JSON.stringify(ran.outputs));
    assert.ok(Number(ran.outputs['api-calls']) > 0);
    assert.match(ran.summary, /Salesforce backup of prod: ok/);
    assert.match(ran.summary, /first snapshot/);
    assert.match(ran.stdout, /Account: \d+ rows exported via bulk/);

    const tree = checkoutBranch();
    assertSnapshotEqualsStore(emu, 'prod', path.join(tree, 'prod'));
    assertNoSecrets(ran);
    const c = creds(emu, 'prod');
    const everything = allText(tree) + git('log', '--format=%B', BRANCH);
    for (const v of [c.refreshToken, c.clientSecret, c.clientId]) assert.ok(!everything.includes(v), 'a secret is on the backup branch');
  });

  test('a fault that persists on one object fails the run, names the object, and leaves the branch alone', async () => {
    await control(emu, 'POST', '/bulk/rules', { kind: 'query', object: 'Contact', fail: true, times: 0 });
    try {
      const ran = await step(config('{ kind: branch }'), { ...inputs(), 'full-every': '1' });
      assert.equal(ran.code, 1, ran.stdout + ran.stderr);
      assert.equal(ran.outputs['failed-objects'], 'Contact');
      assert.match(ran.stdout, /::error::Backup of prod not published\. 1 object\(s\) failed: Contact/);
      assert.match(ran.summary, /not published/);
      assert.equal(branchTip(), firstTip, 'the branch moved');
      assertNoSecrets(ran);
    } finally {
      await control(emu, 'DELETE', '/bulk/rules');
    }
  });

  test('a mass delete is flagged as a warning annotation and an output; the incremental run still publishes', async () => {
    const { header, rows } = readObjectCsv(path.join(checkoutBranch(), 'prod'), 'Account');
    const isDeleted = header.indexOf('IsDeleted');
    const accounts = rows.filter((r) => r[isDeleted] === 'false').map((r) => r[0] as string);
    const doomed = accounts.slice(0, Math.ceil(accounts.length / 2));
    for (const id of doomed) await control(emu, 'DELETE', `/orgs/prod/records/Account/${id}?hard=true`);
    await control(emu, 'POST', '/clock', { advanceSec: 300 });

    const ran = await step(config('{ kind: branch }'), inputs());
    assert.equal(ran.code, 0, ran.stdout + ran.stderr);
    assert.equal(ran.outputs.mode, 'incremental');
    assert.match(ran.outputs['mass-delete'] ?? '', new RegExp(`(^|,)Account:-${doomed.length}(,|$)`));
    assert.match(ran.stdout, /^::warning title=Mass delete in prod%3A Account::Account dropped from \d+ to \d+ live rows/m);
    assert.match(ran.summary, /Mass delete/);
    assert.notEqual(branchTip(), firstTip);
    assert.equal(git('rev-parse', `${BRANCH}~1`), firstTip, 'one commit per run');
    const tree = checkoutBranch();
    assert.equal(readManifest(path.join(tree, 'prod')).mode, 'incremental');
    assertSnapshotEqualsStore(emu, 'prod', path.join(tree, 'prod'));
    assertNoSecrets(ran);
  });
});

describe('action: backup to an artifact', () => {
  test('uploads the snapshot as an artifact named for the org; outputs carry its id', async () => {
    const ran = await step(config('{ kind: artifact, retention-days: 5 }'), { secrets: JSON.stringify(secrets), org: 'prod' }, gh.env());
    assert.equal(ran.code, 0, ran.stdout + ran.stderr);
    const id = Number(ran.outputs['artifact-id']);
    assert.ok(id > 0, JSON.stringify(ran.outputs));
    assert.match(ran.outputs['snapshot-location'] ?? '', /artifact salesforce-backup-prod/);
    const res = await fetch(`${gh.apiUrl}/repos/${gh.owner}/${gh.repo}/actions/artifacts?name=salesforce-backup-prod`, {
      headers: { authorization: `token ${gh.token}` },
    });
    const body = (await res.json()) as { artifacts: { id: number; name: string }[] };
    assert.ok(body.artifacts.some((a) => a.id === id));
    assertNoSecrets(ran);

    // The next run (another workflow run) finds it as its previous snapshot and goes incremental.
    const next = await gh.createRun();
    const ran2 = await step(config('{ kind: artifact }'), { secrets: JSON.stringify(secrets), org: 'prod' }, next.env());
    assert.equal(ran2.code, 0, ran2.stdout + ran2.stderr);
    assert.equal(ran2.outputs.mode, 'incremental');
    assert.match(ran2.summary, /\+0 \/ ~0 \/ −0/);
  });
});

describe('action: one org by inputs alone', () => {
  test('login-url, client-id, client-secret, refresh-token and alias back up into output-dir (local target)', async () => {
    const c = creds(emu, 'prod');
    const ran = await step('', {
      'login-url': c.loginUrl,
      'client-id': c.clientId,
      'client-secret': c.clientSecret,
      'refresh-token': c.refreshToken,
      alias: 'solo',
      storage: 'local',
      'output-dir': 'snapshots',
    });
    assert.equal(ran.code, 0, ran.stdout + ran.stderr);
    const where = ran.outputs['snapshot-location'] ?? '';
    // A dated folder under <output-dir>/<alias>/.
    assert.ok(path.dirname(where).endsWith(path.join('workspace', 'snapshots', 'solo')), where);
    assertSnapshotEqualsStore(emu, 'prod', where);
    assertNoSecrets(ran);
  });
});

describe('action: configuration errors', () => {
  test('a bad config fails fast with the line and the fix', async () => {
    const bad = config('{ kind: branch }').replace(/type: .*/, 'type: staging');
    const ran = await step(bad, { secrets: JSON.stringify(secrets) });
    assert.equal(ran.code, 1, ran.stdout);
    assert.match(
      ran.stdout,
      /::error::\.github\/salesforce-backup\.yml:4: orgs\[0\]\.type must be production, sandbox or a https My Domain URL — e\.g\. type: sandbox/,
    );
  });

  test('a secret missing from the map is named, with how to add it, and nothing is printed of the others', async () => {
    const { SF_REFRESH_TOKEN_PROD: _, ...rest } = secrets;
    const ran = await step(config('{ kind: branch }'), { secrets: JSON.stringify(rest) });
    assert.equal(ran.code, 1);
    assert.match(ran.stdout, /needs the secret SF_REFRESH_TOKEN_PROD/);
    assert.match(ran.stdout, /gh secret set SF_REFRESH_TOKEN_PROD/);
    const logged = `${ran.stdout}\n${ran.stderr}`.split('\n').filter((l) => !l.startsWith('::add-mask::'));
    for (const v of Object.values(rest)) assert.ok(!logged.some((l) => l.includes(v)), 'a secret value was printed');
  });
});
