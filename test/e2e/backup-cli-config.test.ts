// `sfbackup backup --config FILE --org ALIAS` on a laptop, through the built CLI (dist/cli.js): the
// org config's objects and storage, each secret read from the environment variable the config names,
// a branch target pushed to the origin of the checkout the command runs in (a local bare
// repository), a refresh token rotated by Salesforce written back to the repository secret through
// the GitHub emulator's secrets API, and the status published to the status branch. Then the same
// for `--all`, and the config-less form's re-authorization remedy.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type GitHubEmulator, startGitHubEmulator } from '../emulators/github/emulator.ts';
import type { Emulator } from '../emulators/salesforce/emulator.ts';
import { CLI_ENTRY, type Ran, runNode } from '../helpers/dist.ts';
import { emulator } from '../helpers/emulator.ts';
import { type AppReply, type GrantReply, newApp, newGrant, newUser, refreshAt, SMALL_ORGS } from '../unit/emulator/oauth-helpers.ts';

let emu: Emulator;
let gh: GitHubEmulator;
let work: string;
/** The bare repository the checkout's origin points at: where the branches land. */
let bare: string;
/** A clone of it: the folder the command runs in. */
let checkout: string;
/** May write the repository's secrets, as a fine-grained token with "Secrets: Read and write". */
let ghToken: string;
const secretValues = new Set<string>();
const outputs: string[] = [];

interface OrgFixture {
  alias: string;
  app: AppReply;
  grant: GrantReply;
  secretName: string;
}

const REPO = { scope: 'repository' as const, owner: 'acme', repo: 'backups' };

before(async () => {
  [emu, gh] = await Promise.all([emulator({ orgs: SMALL_ORGS }), startGitHubEmulator({ owner: 'acme', repo: 'backups' })]);
  work = mkdtempSync(path.join(tmpdir(), 'backup-cli-config-'));
  bare = path.join(work, 'origin.git');
  checkout = path.join(work, 'checkout');
  execFileSync('git', ['init', '-q', '--bare', bare]);
  execFileSync('git', ['init', '-q', checkout]);
  execFileSync('git', ['-C', checkout, 'remote', 'add', 'origin', bare]);
  ghToken = gh.createToken({ permissions: { secrets: 'write' } });
  secretValues.add(ghToken);
});
after(async () => {
  await Promise.all([emu.close(), gh.close()]);
  rmSync(work, { recursive: true, force: true });
});

async function fixture(alias: string, settings: Record<string, unknown>): Promise<OrgFixture> {
  const app = await newApp(emu, settings);
  const user = await newUser(emu, 'prod');
  const grant = await newGrant(emu, { user: user.id, app: app.consumerKey });
  for (const v of [app.consumerKey, app.consumerSecret, grant.refreshToken]) secretValues.add(v);
  const secretName = `SF_REFRESH_TOKEN_${alias.toUpperCase()}`;
  gh.setSecret({ ...REPO, name: secretName }, grant.refreshToken);
  return { alias, app, grant, secretName };
}

function stored(name: string): string {
  const v = gh.secret({ ...REPO, name })?.value;
  assert.ok(v, `secret ${name} is stored`);
  return v;
}

function orgYaml(f: OrgFixture, extra = ''): string {
  return `  - alias: ${f.alias}
    type: ${f.grant.loginUrl}
    refresh-token-secret: ${f.secretName}
    client-id-secret: ${f.secretName}_CLIENT_ID
    client-secret-secret: ${f.secretName}_CLIENT_SECRET
    objects: { include: [Account, Contact] }
    storage: { kind: branch }
${extra}`;
}

function writeConfig(name: string, fixtures: OrgFixture[], extra = ''): string {
  const file = path.join(checkout, '.github', name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `orgs:\n${fixtures.map((f) => orgYaml(f, extra)).join('')}`);
  return path.relative(checkout, file);
}

/** What the person exports before running the command: each secret under the name the config gives it. */
function secretsEnv(fixtures: OrgFixture[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const f of fixtures) {
    env[f.secretName] = stored(f.secretName);
    env[`${f.secretName}_CLIENT_ID`] = f.app.consumerKey;
    env[`${f.secretName}_CLIENT_SECRET`] = f.app.consumerSecret;
  }
  return env;
}

async function sfbackup(args: string[], env: Record<string, string>): Promise<Ran> {
  const ran = await runNode(CLI_ENTRY, args, { HOME: work, GITHUB_API_URL: gh.apiUrl, ...env }, { cwd: checkout });
  outputs.push(ran.stdout, ran.stderr);
  return ran;
}

function git(...args: string[]): string {
  return execFileSync('git', ['--git-dir', bare, ...args], { encoding: 'utf8' });
}

function statusOf(alias: string): {
  auth: { state: string };
  lastBackup: { outcome: string; rows: number; location: string } | null;
  authorizedAt: string | null;
  schedule?: { intervalS: number; graceS: number | null };
} {
  return JSON.parse(git('show', `refs/heads/salesforce-backup-status:orgs/${alias}/status.json`));
}

async function tokenWorks(f: OrgFixture, token: string): Promise<boolean> {
  const r = await refreshAt(f.grant.loginUrl, { clientId: f.app.consumerKey, clientSecret: f.app.consumerSecret }, token);
  return r.status === 200;
}

describe('cli: sfbackup backup --config --org', () => {
  test('into the branch of the checkout origin, the rotated token written back, the status published; twice', async () => {
    const f = await fixture('rot', { rotation: true });
    const config = writeConfig('salesforce-backup.yml', [f], '    schedule: { every: 12h, grace: 3h }\n');
    const first = stored(f.secretName);

    const ran = await sfbackup(['backup', '--config', config, '--org', 'rot', '--repo', 'acme/backups', '--publish-status'], {
      ...secretsEnv([f]),
      GH_TOKEN: ghToken,
    });
    assert.equal(ran.code, 0, ran.stdout + ran.stderr);
    const second = stored(f.secretName);
    secretValues.add(second);
    assert.notEqual(second, first, 'the rotated token is in the secret');
    assert.match(ran.stdout, /token +rotated by Salesforce; the new one is stored in SF_REFRESH_TOKEN_ROT/);
    assert.match(ran.stdout, /snapshot +branch salesforce-backups@[0-9a-f]{40}/);
    assert.match(ran.stdout, /status +branch salesforce-backup-status@[0-9a-f]{40}/);

    // The branch holds the org's snapshot of the objects the config names, and nothing else.
    const files = git('ls-tree', '-r', '--name-only', 'refs/heads/salesforce-backups').trim().split('\n');
    assert.ok(files.includes('rot/manifest.json'), files.join(', '));
    const manifest = JSON.parse(git('show', 'refs/heads/salesforce-backups:rot/manifest.json')) as { objects: { name: string }[] };
    assert.deepEqual(manifest.objects.map((o) => o.name).sort(), ['Account', 'Contact']);
    assert.ok(
      files.every((p) => p.startsWith('rot/')),
      files.join(', '),
    );
    const status = statusOf('rot');
    assert.equal(status.auth.state, 'ok');
    assert.equal(status.lastBackup?.outcome, 'success');
    assert.ok(status.authorizedAt, 'authorizedAt records the rotation');
    assert.deepEqual(status.schedule, { intervalS: 12 * 3600, graceS: 3 * 3600 }, "the config's schedule, for the status page");

    // The next run logs in with what the first one stored (the old value would be dead) and adds a commit.
    const again = await sfbackup(['backup', '--config', config, '--org', 'rot', '--repo', 'acme/backups', '--publish-status', '--json'], {
      ...secretsEnv([f]),
      GH_TOKEN: ghToken,
    });
    assert.equal(again.code, 0, again.stdout + again.stderr);
    const result = JSON.parse(again.stdout) as { alias: string; authState: string; rotated: boolean; rows: number; status: { published: boolean } };
    assert.equal(result.alias, 'rot');
    assert.equal(result.authState, 'ok');
    assert.equal(result.rotated, true);
    assert.equal(result.status.published, true);
    const third = stored(f.secretName);
    secretValues.add(third);
    assert.notEqual(third, second);
    assert.equal(Number(git('rev-list', '--count', 'refs/heads/salesforce-backups').trim()), 2);
    const history = JSON.parse(git('show', 'refs/heads/salesforce-backup-status:orgs/rot/history.json')) as { entries: unknown[] };
    assert.equal(history.entries.length, 2);
    // Last: presenting a rotated-out token makes Salesforce revoke the whole chain.
    assert.equal(await tokenWorks(f, first), false, 'the first token was rotated out');
  });

  test('without --repo a rotation stops the run with exit 8 and a remedy that says what to add; nothing is pushed', async () => {
    const f = await fixture('norepo', { rotation: true });
    const config = writeConfig('norepo.yml', [f]);
    const before = git('for-each-ref').trim();
    const ran = await sfbackup(['backup', '--config', config, '--org', 'norepo'], secretsEnv([f]));
    assert.equal(ran.code, 8, ran.stdout + ran.stderr);
    assert.match(ran.stderr, /--repo OWNER\/NAME with a GH_TOKEN/);
    assert.match(ran.stderr, /sfbackup reauth --org norepo/);
    assert.equal(git('for-each-ref').trim(), before, 'no branch moved');
  });

  test('a secret the config names that is not in the environment: exit 2 naming the variable', async () => {
    const f = await fixture('missing', {});
    const config = writeConfig('missing.yml', [f]);
    const { [f.secretName]: _, ...env } = secretsEnv([f]);
    const ran = await sfbackup(['backup', '--config', config, '--org', 'missing'], env);
    assert.equal(ran.code, 2, ran.stdout + ran.stderr);
    assert.match(ran.stderr, new RegExp(`no environment variable ${f.secretName} is set`));
    assert.match(ran.stderr, new RegExp(`${f.secretName}=… sfbackup backup --config`));
  });

  test('--all backs up every org of the config, one after the other, and reports each', async () => {
    const a = await fixture('alla', {});
    const b = await fixture('allb', {});
    const config = writeConfig('all.yml', [a, b]);
    const ran = await sfbackup(['backup', '--config', config, '--all', '--json'], secretsEnv([a, b]));
    assert.equal(ran.code, 0, ran.stdout + ran.stderr);
    const out = JSON.parse(ran.stdout) as { orgs: { alias: string; authState: string; snapshot: string | null }[] };
    assert.deepEqual(
      out.orgs.map((o) => [o.alias, o.authState, o.snapshot]),
      [
        ['alla', 'ok', 'alla/'],
        ['allb', 'ok', 'allb/'],
      ],
    );
    const files = git('ls-tree', '-r', '--name-only', 'refs/heads/salesforce-backups').split('\n');
    assert.ok(files.includes('alla/manifest.json') && files.includes('allb/manifest.json'));
  });

  test('no secret value appears in anything the command printed or pushed', () => {
    const pushed = git('log', '-p', '--all').toString();
    for (const secret of secretValues) {
      for (const text of [...outputs, pushed]) assert.ok(!text.includes(secret), 'a secret value leaked');
    }
  });
});
