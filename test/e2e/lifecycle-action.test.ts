// The token lifecycle through the built action (dist/index.js run as the runner runs it), against
// both emulators: rotated refresh tokens written back to the repository secret run after run, a
// secrets token that may not write, a revoked token and its re-authorization (status branch and
// the org's issue follow), the activation window, and a grep of everything a run leaves behind for
// every secret value.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type GitHubEmulator, startGitHubEmulator } from '../emulators/github/emulator.ts';
import type { Emulator } from '../emulators/salesforce/emulator.ts';
import { ACTION_ENTRY, parseOutputFile, runNode } from '../helpers/dist.ts';
import { control, emulator } from '../helpers/emulator.ts';
import { type AppReply, type GrantReply, newApp, newGrant, newUser, refreshAt, SMALL_ORGS } from '../unit/emulator/oauth-helpers.ts';
import { runArtifactClient } from '../unit/github-emulator/helpers.ts';

let emu: Emulator;
let gh: GitHubEmulator;
let work: string;
/** A token that may write secrets, as a GitHub App installation token with secrets: write would. */
let secretsToken: string;
/** Every secret value any run was given or produced, for the final grep. */
const secretValues = new Set<string>();
/** Everything the runs printed or wrote for a person: stdout, stderr, summaries, outputs. */
const texts: { what: string; text: string }[] = [];

const STATUS_BRANCH = 'salesforce-backup-status';

before(async () => {
  [emu, gh] = await Promise.all([emulator({ orgs: SMALL_ORGS }), startGitHubEmulator({ owner: 'acme', repo: 'backups' })]);
  work = mkdtempSync(path.join(tmpdir(), 'lifecycle-action-'));
  secretsToken = gh.createToken({ permissions: { secrets: 'write' } });
  secretValues.add(secretsToken);
  secretValues.add(gh.token);
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

interface OrgFixture {
  alias: string;
  app: AppReply;
  grant: GrantReply;
  secretName: string;
}

/** A fresh Connected App (with these settings) and a user of the org holding one approval of it. */
async function fixture(alias: string, settings: Record<string, unknown>): Promise<OrgFixture> {
  const app = await newApp(emu, settings);
  const user = await newUser(emu, 'prod');
  const grant = await newGrant(emu, { user: user.id, app: app.consumerKey });
  for (const v of [app.consumerKey, app.consumerSecret, grant.refreshToken]) secretValues.add(v);
  const secretName = `SF_REFRESH_TOKEN_${alias.toUpperCase().replace(/-/g, '_')}`;
  gh.setSecret({ scope: 'repository', owner: 'acme', repo: 'backups', name: secretName }, grant.refreshToken);
  return { alias, app, grant, secretName };
}

function stored(name: string): string {
  const v = gh.secret({ scope: 'repository', owner: 'acme', repo: 'backups', name })?.value;
  assert.ok(v, `secret ${name} is stored`);
  return v;
}

function config(f: OrgFixture, storage = '{ kind: branch }'): string {
  return `orgs:
  - alias: ${f.alias}
    type: ${f.grant.loginUrl}
    refresh-token-secret: ${f.secretName}
    client-id-secret: ${f.secretName}_CLIENT_ID
    client-secret-secret: ${f.secretName}_CLIENT_SECRET
    objects: { include: [Account, Contact] }
    storage: ${storage}
`;
}

/** The secrets context the workflow passes as toJSON(secrets): what GitHub holds right now. */
function secretsJson(f: OrgFixture, overrides: Record<string, string> = {}): string {
  return JSON.stringify({
    [f.secretName]: stored(f.secretName),
    [`${f.secretName}_CLIENT_ID`]: f.app.consumerKey,
    [`${f.secretName}_CLIENT_SECRET`]: f.app.consumerSecret,
    github_token: gh.token,
    ...overrides,
  });
}

let runs = 0;
async function step(f: OrgFixture, inputs: Record<string, string>, storage?: string): Promise<Ran & { env: Record<string, string> }> {
  const dir = path.join(work, `run-${++runs}`);
  const workspace = path.join(dir, 'workspace');
  const temp = path.join(dir, 'temp');
  mkdirSync(path.join(workspace, '.github'), { recursive: true });
  mkdirSync(temp, { recursive: true });
  writeFileSync(path.join(workspace, '.github/salesforce-backup.yml'), config(f, storage));
  const files = Object.fromEntries(['GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY', 'GITHUB_STATE', 'GITHUB_ENV', 'GITHUB_PATH'].map((k) => [k, path.join(dir, k)]));
  for (const file of Object.values(files)) writeFileSync(file, '');
  const run = await gh.createRun();
  const all: Record<string, string> = { ...run.env(), ...files, GITHUB_WORKSPACE: workspace, RUNNER_TEMP: temp };
  const withDefaults = {
    command: 'backup',
    'config-file': '.github/salesforce-backup.yml',
    'github-token': gh.token,
    org: f.alias,
    secrets: secretsJson(f),
    'app-pending-window': '10',
    'backup-remote': gh.gitUrl(),
    ...inputs,
  };
  for (const [k, v] of Object.entries(withDefaults)) all[`INPUT_${k.toUpperCase()}`] = v;
  const ran = await runNode(ACTION_ENTRY, [], all);
  const out = {
    ...ran,
    env: run.env(),
    outputs: parseOutputFile(readFileSync(files.GITHUB_OUTPUT as string, 'utf8')),
    summary: readFileSync(files.GITHUB_STEP_SUMMARY as string, 'utf8'),
  };
  texts.push(
    { what: `run ${runs} stdout`, text: out.stdout },
    { what: `run ${runs} stderr`, text: out.stderr },
    { what: `run ${runs} summary`, text: out.summary },
  );
  texts.push({ what: `run ${runs} outputs`, text: JSON.stringify(out.outputs) });
  return out;
}

/** The status branch's file for an org, as the status site will read it. */
function statusFile(alias: string, file: 'status' | 'history'): Record<string, unknown> {
  const text = execFileSync('git', ['--git-dir', gh.bareRepoPath(), 'show', `refs/heads/${STATUS_BRANCH}:orgs/${alias}/${file}.json`], { encoding: 'utf8' });
  return JSON.parse(text) as Record<string, unknown>;
}

function orgIssues(alias: string) {
  return gh.issues({ state: 'all' }).filter((i) => i.body?.includes(`sfbackup:org=${alias.toLowerCase()}`));
}

async function tokenWorks(f: OrgFixture, token: string): Promise<boolean> {
  const r = await refreshAt(f.grant.loginUrl, { clientId: f.app.consumerKey, clientSecret: f.app.consumerSecret }, token);
  return r.status === 200;
}

describe('action: refresh-token rotation written back to the repository secret', () => {
  test('ten scheduled runs in a row, each logging in with the token the previous run stored', async () => {
    const f = await fixture('rot', { rotation: true });
    const seen: string[] = [];
    for (let i = 1; i <= 10; i++) {
      const token = stored(f.secretName);
      seen.push(token);
      const ran = await step(f, { 'secrets-token': secretsToken });
      assert.equal(ran.code, 0, `run ${i}: ${ran.stdout}${ran.stderr}`);
      assert.equal(ran.outputs['auth-state'], 'ok');
      const now = stored(f.secretName);
      secretValues.add(now);
      assert.ok(!seen.includes(now), `run ${i} stored a new refresh token`);
      // (Not tried here: with rotation on, trying it would rotate it. The next run proves it works.)
      assert.match(ran.stdout, /rotated the refresh token; the new one is stored in SF_REFRESH_TOKEN_ROT/);
    }
    assert.equal(await tokenWorks(f, seen[3] as string), false, 'a token an earlier run rotated out is dead');
    const status = statusFile('rot', 'status') as { auth: { state: string }; authorizedAt: string | null; appFingerprint: string };
    assert.equal(status.auth.state, 'ok');
    assert.ok(status.authorizedAt, 'authorizedAt records the last rotation');
    const history = statusFile('rot', 'history') as { entries: { authState: string; outcome: string }[] };
    assert.equal(history.entries.length, 10);
    assert.ok(history.entries.every((e) => e.authState === 'ok' && e.outcome === 'success'));
    assert.equal(orgIssues('rot').length, 0, 'a healthy org gets no issue');
  });

  test('a secrets token that cannot write secrets: rotation_write_failed, the step fails, status and issue say what to grant', async () => {
    const f = await fixture('nowrite', { rotation: true });
    const before = stored(f.secretName);
    // The workflow's GITHUB_TOKEN: it may push and open issues, but not write secrets.
    const ran = await step(f, { 'secrets-token': gh.token });
    assert.equal(ran.code, 1, ran.stdout);
    assert.equal(ran.outputs['auth-state'], 'rotation_write_failed');
    assert.match(ran.outputs['auth-remedy'] ?? '', /Secrets: Read and write|secrets: write/);
    assert.match(ran.outputs['auth-remedy'] ?? '', /sfbackup reauth --org nowrite/);
    assert.equal(stored(f.secretName), before, 'the secret is unchanged');
    assert.equal(await tokenWorks(f, before), false, 'the old token died with the rotation');
    const status = statusFile('nowrite', 'status') as { auth: { state: string; remedy: string } };
    assert.equal(status.auth.state, 'rotation_write_failed');
    const [issue] = orgIssues('nowrite');
    assert.ok(issue, 'an issue is opened');
    assert.equal(issue.state, 'open');
    assert.match(issue.body ?? '', /rotation_write_failed/);
    assert.match(issue.body ?? '', /sfbackup reauth --org nowrite/);
    // Nothing was backed up: the backup branch has no snapshot of this org.
    const branches = execFileSync('git', ['--git-dir', gh.bareRepoPath(), 'for-each-ref', '--format=%(refname)'], { encoding: 'utf8' });
    if (branches.includes('refs/heads/salesforce-backups')) {
      const tree = execFileSync('git', ['--git-dir', gh.bareRepoPath(), 'ls-tree', '--name-only', 'refs/heads/salesforce-backups'], { encoding: 'utf8' });
      assert.ok(!tree.split('\n').includes('nowrite'));
    }
  });
});

describe('action: re-authorization required, then healthy again', () => {
  test('a revoked token fails with the remedy, opens one issue; a new token closes it', async () => {
    const f = await fixture('revoked', {});
    const ok = await step(f, {});
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    await control(emu, 'POST', `/grants/${f.grant.grantId}/revoke`, {});

    for (let i = 0; i < 2; i++) {
      const ran = await step(f, {});
      assert.equal(ran.code, 1);
      assert.equal(ran.outputs['auth-state'], 'reauth_required');
      assert.equal(ran.outputs['auth-reason'], 'token_expired_or_revoked');
      assert.match(ran.stdout, /sfbackup reauth --org revoked/);
      assert.match(ran.summary, /reauth_required/);
      assert.match(ran.summary, /Nothing was backed up/);
    }
    const issues = orgIssues('revoked');
    assert.equal(issues.length, 1, 'one issue however many runs fail');
    assert.equal(issues[0]?.state, 'open');
    assert.match(issues[0]?.title ?? '', /revoked needs re-authorization/);
    assert.match(issues[0]?.body ?? '', /sfbackup reauth --org revoked/);
    const failing = statusFile('revoked', 'status') as { auth: { state: string; since: string; lastOkAt: string | null } };
    assert.equal(failing.auth.state, 'reauth_required');
    assert.ok(failing.auth.lastOkAt, 'the last good login is kept');

    // Someone ran `sfbackup reauth`: a new approval, its token in the secret.
    const again = await newGrant(emu, { user: f.grant.userId, app: f.app.consumerKey });
    secretValues.add(again.refreshToken);
    gh.setSecret({ scope: 'repository', owner: 'acme', repo: 'backups', name: f.secretName }, again.refreshToken);
    const healthy = await step(f, {});
    assert.equal(healthy.code, 0, healthy.stdout + healthy.stderr);
    assert.equal(healthy.outputs['auth-state'], 'ok');
    const [closed] = orgIssues('revoked');
    assert.equal(closed?.state, 'closed');
    assert.ok(closed?.comments.some((c) => /healthy again/i.test(c.body)));
    const status = statusFile('revoked', 'status') as { auth: { state: string }; authorizedAt: string | null };
    assert.equal(status.auth.state, 'ok');
    assert.ok(status.authorizedAt, 'a working token after reauth_required counts as a new authorization');
  });

  test('new Connected App credentials are waited for within app-pending-window; with no window the run reports app_pending', async () => {
    // New credentials: Salesforce does not know the consumer key for the first 8 s.
    const f = await fixture('pending', { propagationDelaySec: 8 });
    const none = await step(f, { 'app-pending-window': '0' });
    assert.equal(none.code, 1);
    assert.equal(none.outputs['auth-state'], 'app_pending');
    assert.match(none.outputs['auth-remedy'] ?? '', /10 minutes|wait/i);
    const waited = await step(f, { 'app-pending-window': '1' });
    assert.equal(waited.code, 0, waited.stdout + waited.stderr);
    assert.equal(waited.outputs['auth-state'], 'ok');
  });
});

describe('action: no secret leaves the run', () => {
  test('an artifact run, its artifact downloaded with the real client, goes into the search', async () => {
    const f = await fixture('art', { rotation: true });
    const ran = await step(f, { 'secrets-token': secretsToken }, '{ kind: artifact }');
    assert.equal(ran.code, 0, ran.stdout + ran.stderr);
    secretValues.add(stored(f.secretName));
    const id = Number(ran.outputs['artifact-id']);
    assert.ok(id > 0);
    const dir = path.join(work, 'artifact-download');
    const dl = await runArtifactClient(ran.env, [{ op: 'download', id, path: dir }]);
    assert.ok(dl.results[0]?.ok, JSON.stringify(dl.results));
    let files = 0;
    for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (!e.isFile()) continue;
      texts.push({ what: `artifact file ${e.name}`, text: readFileSync(path.join(e.parentPath, e.name), 'utf8') });
      files++;
    }
    assert.ok(files > 3, `${files} files in the artifact`);
  });

  test('no log line, summary, output, branch file, status file or issue holds any secret value', () => {
    assert.ok(runs >= 14, 'the runs above happened');
    const everything = [...texts];
    const refs = execFileSync('git', ['--git-dir', gh.bareRepoPath(), 'log', '--all', '-p', '--format=%H %s%n%b'], {
      encoding: 'utf8',
      maxBuffer: 512 * 1024 * 1024,
    });
    assert.match(refs, /orgs\/rot\/status\.json/, 'the status branch is in the history searched');
    everything.push({ what: 'every commit of every branch (backups and status)', text: refs });
    for (const issue of gh.issues({ state: 'all' })) {
      everything.push({ what: `issue #${issue.number}`, text: `${issue.title}\n${issue.body ?? ''}\n${issue.comments.map((c) => c.body).join('\n')}` });
    }
    let checked = 0;
    for (const value of secretValues) {
      for (const { what, text } of everything) {
        const leaks = text.split('\n').filter((l) => l.includes(value) && l !== `::add-mask::${value}`);
        assert.deepEqual(leaks, [], `a secret appears in ${what}`);
        checked++;
      }
    }
    assert.ok(checked > 100, `${checked} checks`);
  });
});
