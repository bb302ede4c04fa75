// `rotate-app` end to end against the GitHub emulator: the action (src/action/main.ts run the way the
// runner runs dist/index.js: INPUT_* and GITHUB_* env, output and summary files) and the CLI. Three
// orgs: prod and uat share the Connected App being replaced, eu uses an app of its own. The new key
// and secret must land in the secrets (read back decrypted), the status branch must hold the
// campaign (0 of 2) and both orgs as reauth_required/app_changed, one issue per org, eu untouched,
// and neither the key nor the secret may appear anywhere a person or the public could read.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { appFingerprint } from '../../src/salesforce/auth/app-fingerprint.ts';
import { type GitHubEmulator, startGitHubEmulator } from '../emulators/github/emulator.ts';
import { assertSecretsHidden, parseOutputFile, runNode } from '../helpers/dist.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ACTION = path.join(ROOT, 'src/action/main.ts');
const CLI = path.join(ROOT, 'src/cli/bin.ts');
const STATUS_BRANCH = 'salesforce-backup-status';

const OLD_KEY = '3MVG9old.consumer.key.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const OLD_SECRET = 'OLDSECRET0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF012345';
const EU_KEY = '3MVG9eu.consumer.key.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';
const EU_SECRET = 'EUSECRET0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456';
const NEW_KEY = '3MVG9new.consumer.key.CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC';
const NEW_SECRET = 'NEWSECRET0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF01234';
const SEEDED: Record<string, string> = {
  SF_CLIENT_ID: OLD_KEY,
  SF_CLIENT_SECRET: OLD_SECRET,
  SF_CLIENT_ID_EU: EU_KEY,
  SF_CLIENT_SECRET_EU: EU_SECRET,
  SF_REFRESH_TOKEN_PROD: '5Aep861prod.refresh.token.value.000000000000000000000',
  SF_REFRESH_TOKEN_UAT: '5Aep861uat.refresh.token.value.0000000000000000000000',
  SF_REFRESH_TOKEN_EU: '5Aep861eu.refresh.token.value.00000000000000000000000',
};

const CONFIG = `# two orgs on the shared app, one on an app of its own
orgs:
  - alias: prod
    type: production
    refresh-token-secret: SF_REFRESH_TOKEN_PROD
  - alias: uat
    type: sandbox
    refresh-token-secret: SF_REFRESH_TOKEN_UAT
  - alias: eu
    type: https://acme-eu.my.salesforce.com
    refresh-token-secret: SF_REFRESH_TOKEN_EU
    client-id-secret: SF_CLIENT_ID_EU
    client-secret-secret: SF_CLIENT_SECRET_EU
`;

let gh: GitHubEmulator;
let work: string;
let writeToken: string;

before(async () => {
  gh = await startGitHubEmulator();
  work = mkdtempSync(path.join(tmpdir(), 'rotate-app-'));
  writeToken = gh.createToken({ login: 'secrets-writer', permissions: { secrets: 'write', contents: 'write', issues: 'write' } });
});
after(async () => {
  await gh?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

let repos = 0;
/** A repository of its own per test, with the secrets a user created by hand. */
async function seededRepo(): Promise<string> {
  const name = `backups-${++repos}`;
  await gh.createRepo({ owner: gh.owner, name });
  for (const [secret, value] of Object.entries(SEEDED)) gh.setSecret({ scope: 'repository', owner: gh.owner, repo: name, name: secret }, value);
  return name;
}

function secretValue(repo: string, name: string): string | undefined {
  return gh.secret({ scope: 'repository', owner: gh.owner, repo, name })?.value;
}

function git(repo: string, args: string[]): string {
  return execFileSync('git', ['--git-dir', gh.bareRepoPath(gh.owner, repo), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Every file on the status branch, path → content; empty when the branch does not exist. */
function statusBranch(repo: string): Record<string, string> {
  let files: string[];
  try {
    files = git(repo, ['ls-tree', '-r', '--name-only', STATUS_BRANCH]).split('\n').filter(Boolean);
  } catch {
    return {};
  }
  return Object.fromEntries(files.map((f) => [f, git(repo, ['show', `${STATUS_BRANCH}:${f}`])]));
}

interface Step {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

let steps = 0;
/** One workflow step `uses: salesforce-backup-action` with `command: rotate-app`. */
async function actionStep(repo: string, inputs: Record<string, string>): Promise<Step> {
  const dir = path.join(work, `step-${++steps}`);
  const workspace = path.join(dir, 'workspace');
  const temp = path.join(dir, 'temp');
  mkdirSync(path.join(workspace, '.github'), { recursive: true });
  mkdirSync(temp, { recursive: true });
  writeFileSync(path.join(workspace, '.github/salesforce-backup.yml'), CONFIG);
  const files = Object.fromEntries(['GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY', 'GITHUB_STATE', 'GITHUB_ENV', 'GITHUB_PATH'].map((k) => [k, path.join(dir, k)]));
  for (const f of Object.values(files)) writeFileSync(f, '');
  const env: Record<string, string> = {
    ...gh.env({ workspace, runnerTemp: temp }),
    ...files,
    GITHUB_REPOSITORY: `${gh.owner}/${repo}`,
    // The status branch is pushed to GITHUB_SERVER_URL/owner/repo.git: here, the emulator's git.
    GITHUB_SERVER_URL: gh.baseUrl,
  };
  const withDefaults: Record<string, string> = {
    command: 'rotate-app',
    'config-file': '.github/salesforce-backup.yml',
    'github-token': gh.token,
    'status-branch': STATUS_BRANCH,
    'publish-status': 'true',
    'redact-status': 'false',
    'open-issues': 'true',
    secrets: JSON.stringify({ ...SEEDED, github_token: gh.token }),
    ...inputs,
  };
  for (const [k, v] of Object.entries(withDefaults)) env[`INPUT_${k.toUpperCase()}`] = v;
  const ran = await runNode(ACTION, [], env);
  return {
    ...ran,
    outputs: parseOutputFile(readFileSync(files.GITHUB_OUTPUT as string, 'utf8')),
    summary: readFileSync(files.GITHUB_STEP_SUMMARY as string, 'utf8'),
  };
}

interface OrgStatusFile {
  alias: string;
  loginHost: string;
  appFingerprint: string | null;
  auth: { state: string; reason: string | null; message: string; remedy: string | null };
}
interface CampaignsFile {
  campaigns: Array<{
    id: string;
    previousFingerprint: string;
    newFingerprint: string;
    completedAt: string | null;
    orgs: Array<{ alias: string; reauthorizedAt: string | null }>;
  }>;
}

/** The campaign and both orgs' states, as the status branch holds them after a rotation of prod and uat. */
function assertCampaign(files: Record<string, string>): CampaignsFile['campaigns'][number] {
  assert.ok(files['campaigns.json'], `no campaigns.json on the status branch (files: ${Object.keys(files).join(', ')})`);
  const { campaigns } = JSON.parse(files['campaigns.json']) as CampaignsFile;
  assert.equal(campaigns.length, 1);
  const c = campaigns[0] as CampaignsFile['campaigns'][number];
  assert.equal(c.previousFingerprint, appFingerprint(OLD_KEY));
  assert.equal(c.newFingerprint, appFingerprint(NEW_KEY));
  assert.equal(c.completedAt, null);
  assert.deepEqual(c.orgs, [
    { alias: 'prod', reauthorizedAt: null },
    { alias: 'uat', reauthorizedAt: null },
  ]);
  for (const [alias, host] of [
    ['prod', 'login.salesforce.com'],
    ['uat', 'test.salesforce.com'],
  ] as const) {
    const raw = files[`orgs/${alias}/status.json`];
    assert.ok(raw, `no status for ${alias}`);
    const s = JSON.parse(raw) as OrgStatusFile;
    assert.equal(s.auth.state, 'reauth_required');
    assert.equal(s.auth.reason, 'app_changed');
    assert.equal(s.loginHost, host);
    // The token in the secret is still the old app's until someone re-authorizes.
    assert.equal(s.appFingerprint, appFingerprint(OLD_KEY));
    assert.ok(s.auth.remedy?.includes(`sfbackup reauth --org ${alias}`), s.auth.remedy ?? '');
    assert.ok(s.auth.remedy?.includes(`https://${host}`), s.auth.remedy ?? '');
    assert.ok(files[`orgs/${alias}/history.json`], `no history for ${alias}`);
  }
  assert.equal(files['orgs/eu/status.json'], undefined, 'eu must not be touched');
  return c;
}

const NEVER_SHOWN = { 'new consumer key': NEW_KEY, 'new consumer secret': NEW_SECRET };

describe('action: rotate-app', () => {
  test('stores the new key and secret, starts a 0-of-2 campaign, opens one issue per org, leaves the other app alone', async () => {
    const repo = await seededRepo();
    const run = await actionStep(repo, { 'new-client-id': NEW_KEY, 'new-client-secret': NEW_SECRET, 'secrets-token': writeToken });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    console.log(
      run.stdout,
      run.stderr,
      run.summary,
      JSON.stringify(run.outputs),
      JSON.stringify(statusBranch(repo), null, 1),
      JSON.stringify(gh.issues({ owner: gh.owner, repo }), null, 1),
    );

    // The secrets, decrypted by the emulator from the sealed boxes it received.
    assert.equal(secretValue(repo, 'SF_CLIENT_ID'), NEW_KEY);
    assert.equal(secretValue(repo, 'SF_CLIENT_SECRET'), NEW_SECRET);
    assert.equal(secretValue(repo, 'SF_CLIENT_ID_EU'), EU_KEY);
    assert.equal(secretValue(repo, 'SF_CLIENT_SECRET_EU'), EU_SECRET);
    const writes = gh
      .secretWrites()
      .filter((w) => w.outcome !== 'refused' && w.status < 300)
      .map((w) => w.name);
    assert.deepEqual([...new Set(writes)].sort(), ['SF_CLIENT_ID', 'SF_CLIENT_SECRET']);

    const files = statusBranch(repo);
    const campaign = assertCampaign(files);

    assert.equal(run.outputs['campaign-id'], campaign.id);
    assert.equal(run.outputs['campaign-orgs'], 'prod,uat');
    assert.equal(run.outputs['app-fingerprint'], appFingerprint(NEW_KEY));
    assert.equal(run.outputs['previous-app-fingerprint'], appFingerprint(OLD_KEY));

    assert.match(run.summary, /0 of 2 orgs re-authorized/);
    for (const [alias, host] of [
      ['prod', 'login.salesforce.com'],
      ['uat', 'test.salesforce.com'],
    ] as const) {
      assert.ok(run.summary.includes(`sfbackup reauth --org ${alias}`), run.summary);
      assert.ok(run.summary.includes(host), run.summary);
    }
    assert.ok(!run.summary.includes('sfbackup reauth --org eu'), 'eu is not part of the campaign');
    assert.ok(run.summary.includes(appFingerprint(NEW_KEY)));

    const issues = gh.issues({ owner: gh.owner, repo, state: 'all' });
    assert.equal(issues.length, 2, JSON.stringify(issues.map((i) => i.title)));
    for (const alias of ['prod', 'uat']) {
      const issue = issues.find((i) => i.title.includes(`org ${alias} `));
      assert.ok(issue, `no issue for ${alias}`);
      assert.equal(issue.state, 'open');
      assert.ok(issue.body?.includes(`sfbackup reauth --org ${alias}`), issue.body ?? '');
      assert.ok(issue.body?.includes('app_changed'), issue.body ?? '');
    }

    const texts: Record<string, string> = {
      stdout: run.stdout,
      stderr: run.stderr,
      summary: run.summary,
      outputs: JSON.stringify(run.outputs),
      issues: JSON.stringify(issues),
      git: git(repo, ['log', '--all', '--format=%B']),
    };
    for (const [f, content] of Object.entries(files)) texts[`status branch ${f}`] = content;
    assertSecretsHidden(texts, { ...NEVER_SHOWN, 'secrets token': writeToken, 'old consumer key': OLD_KEY }, ['new consumer key', 'new consumer secret']);
  });

  test('without secrets-token it fails with the remedy and writes nothing', async () => {
    const repo = await seededRepo();
    const before = gh.secretWrites().length;
    const run = await actionStep(repo, { 'new-client-id': NEW_KEY, 'new-client-secret': NEW_SECRET });
    assert.equal(run.code, 1);
    const error = run.stdout.split('\n').find((l) => l.startsWith('::error::'));
    assert.ok(error, run.stdout);
    assert.match(error, /secrets-token/);
    assert.match(error, /docs\/github-token\.md/);
    assert.match(run.summary, /Connected App rotation failed/);
    assert.match(run.summary, /secrets-token/);
    assert.equal(gh.secretWrites().length, before, 'a secret was written');
    assert.equal(secretValue(repo, 'SF_CLIENT_ID'), OLD_KEY);
    assert.deepEqual(statusBranch(repo), {});
    assert.equal(gh.issues({ owner: gh.owner, repo, state: 'all' }).length, 0);
    assertSecretsHidden({ stdout: run.stdout, stderr: run.stderr, summary: run.summary }, NEVER_SHOWN);
  });

  test('a secrets-token without the secrets permission fails naming the permission, and nothing changes', async () => {
    const repo = await seededRepo();
    // Like GITHUB_TOKEN: contents, actions and issues, but no secrets.
    const weak = gh.createToken({ login: 'no-secrets' });
    const run = await actionStep(repo, { 'new-client-id': NEW_KEY, 'new-client-secret': NEW_SECRET, 'secrets-token': weak });
    assert.equal(run.code, 1);
    const error = run.stdout.split('\n').find((l) => l.startsWith('::error::'));
    assert.ok(error, run.stdout);
    assert.match(error, /SF_CLIENT_ID/);
    assert.match(error, /HTTP 403/);
    assert.match(error, /secrets: write/);
    assert.match(error, /Nothing was written/);
    assert.equal(secretValue(repo, 'SF_CLIENT_ID'), OLD_KEY);
    assert.equal(secretValue(repo, 'SF_CLIENT_SECRET'), OLD_SECRET);
    assert.deepEqual(statusBranch(repo), {});
    assert.equal(gh.issues({ owner: gh.owner, repo, state: 'all' }).length, 0);
    assertSecretsHidden({ stdout: run.stdout, stderr: run.stderr, summary: run.summary }, { ...NEVER_SHOWN, 'weak token': weak });
  });

  test('refuses a new key that every org already uses', async () => {
    const repo = await seededRepo();
    const run = await actionStep(repo, {
      'new-client-id': OLD_KEY,
      'new-client-secret': NEW_SECRET,
      'secrets-token': writeToken,
    });
    assert.equal(run.code, 1);
    assert.match(run.stdout, /\(prod, uat\) already use the new consumer key/);
    assert.equal(secretValue(repo, 'SF_CLIENT_SECRET'), OLD_SECRET);
    assert.deepEqual(statusBranch(repo), {});
  });
});

describe('cli: sfbackup rotate-app', () => {
  function sfbackup(args: string[], env: Record<string, string>) {
    return runNode(CLI, ['rotate-app', ...args], { GITHUB_API_URL: gh.apiUrl, ...env });
  }

  test('identifies the old app by SF_CLIENT_ID, stores the new credentials, publishes the campaign and opens the issues', async () => {
    const repo = await seededRepo();
    const config = path.join(work, `cli-${repo}.yml`);
    writeFileSync(config, CONFIG);
    const env = { SF_NEW_CLIENT_ID: NEW_KEY, SF_NEW_CLIENT_SECRET: NEW_SECRET, SF_CLIENT_ID: OLD_KEY, GH_TOKEN: writeToken };
    const args = ['--config', config, '--repo', `${gh.owner}/${repo}`, '--remote-url', gh.gitUrl(gh.owner, repo)];

    const dry = await sfbackup([...args, '--dry-run'], env);
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    assert.match(dry.stdout, /Dry run: nothing was written/);
    assert.equal(secretValue(repo, 'SF_CLIENT_ID'), OLD_KEY);
    assert.deepEqual(statusBranch(repo), {});

    const ran = await sfbackup(args, env);
    assert.equal(ran.code, 0, ran.stdout + ran.stderr);
    assert.equal(secretValue(repo, 'SF_CLIENT_ID'), NEW_KEY);
    assert.equal(secretValue(repo, 'SF_CLIENT_SECRET'), NEW_SECRET);
    assert.equal(secretValue(repo, 'SF_CLIENT_ID_EU'), EU_KEY);
    assertCampaign(statusBranch(repo));
    assert.match(ran.stdout, /0 of 2 orgs re-authorized/);
    assert.match(ran.stdout, /prod\s+login\.salesforce\.com\s+sfbackup reauth --org prod/);
    assert.match(ran.stdout, /uat\s+test\.salesforce\.com\s+sfbackup reauth --org uat/);
    assert.match(ran.stdout, /Left as it is: eu/);
    const issues = gh.issues({ owner: gh.owner, repo });
    assert.deepEqual(issues.map((i) => i.title).sort(), ['Salesforce org prod needs re-authorization', 'Salesforce org uat needs re-authorization']);
    assertSecretsHidden(
      { dryStdout: dry.stdout, dryStderr: dry.stderr, stdout: ran.stdout, stderr: ran.stderr, issues: JSON.stringify(issues) },
      { ...NEVER_SHOWN, 'github token': writeToken },
    );

    // Run again with the old key: the status branch now says prod and uat wait for the new app,
    // and the secrets already hold it, so the same rotation starts no second campaign for nothing.
    const again = await sfbackup(args, { ...env, SF_CLIENT_ID: '' });
    assert.equal(again.code, 2, again.stdout + again.stderr);
    assert.match(again.stderr, /Cannot tell which app|nothing to rotate/);
  });

  test('--help lists the options and the variables for the secrets', async () => {
    const ran = await sfbackup(['--help'], {});
    assert.equal(ran.code, 0);
    for (const [flag, variable] of [
      ['--client-id', 'SF_NEW_CLIENT_ID'],
      ['--client-secret', 'SF_NEW_CLIENT_SECRET'],
      ['--old-client-id', 'SF_CLIENT_ID'],
    ]) {
      assert.match(ran.stdout, new RegExp(`^  ${flag} \\S+ +${variable} `, 'm'));
    }
    assert.match(ran.stdout, /--dry-run/);
  });

  test('without a GitHub token it stops before writing, with exit code 2', async () => {
    const repo = await seededRepo();
    const config = path.join(work, `cli-${repo}.yml`);
    writeFileSync(config, CONFIG);
    const ran = await sfbackup(['--config', config, '--repo', `${gh.owner}/${repo}`, '--client-id', NEW_KEY, '--client-secret', NEW_SECRET], {});
    assert.equal(ran.code, 2);
    assert.match(ran.stderr, /GitHub token allowed to write the secrets/);
    assert.equal(secretValue(repo, 'SF_CLIENT_ID'), OLD_KEY);
    assertSecretsHidden({ stdout: ran.stdout, stderr: ran.stderr }, NEVER_SHOWN);
  });
});
