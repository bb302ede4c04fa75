// Configuration faults, run as a user runs them (the CLI, and the action with an org config) against
// the emulators: a selection that matches nothing, typos in --include, an exclude that drops an
// object, and what the targets do with a run that shrinks the backup (the local folder publishes and
// pins the previous snapshot; the artifact target holds the run until allow-shrink). Every failed
// run leaves the previous snapshot byte-identical.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type GitHubEmulator, startGitHubEmulator } from '../emulators/github/emulator.ts';
import type { Emulator } from '../emulators/salesforce/emulator.ts';
import { control, creds, emulator } from '../helpers/emulator.ts';
import { actionStep, assertNoSecretsIn, assertTreeUnchanged, cliEnv, type Step, sfbackup, treeHashes } from './support.ts';

let emu: Emulator;
let gh: GitHubEmulator;
let work: string;
let env: Record<string, string>;

before(async () => {
  [emu, gh] = await Promise.all([emulator({ orgs: [{ alias: 'prod', records: 200, seed: 11 }] }), startGitHubEmulator()]);
  work = mkdtempSync(path.join(tmpdir(), 'faults-config-'));
  env = cliEnv(emu, 'prod');
});
after(async () => {
  await Promise.all([emu.close(), gh.close()]);
  rmSync(work, { recursive: true, force: true });
});

const STAMP = /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ(-\d+)?$/;
const dated = (aliasDir: string) => readdirSync(aliasDir).filter((n) => STAMP.test(n));
const latestOf = (aliasDir: string) => readlinkSync(path.join(aliasDir, 'latest'));

async function backup(out: string, ...args: string[]) {
  return sfbackup(['backup', '--alias', 'prod', '--out', out, ...args], env);
}

/** A folder with one good snapshot of the org. */
async function seeded(name: string, ...args: string[]): Promise<string> {
  const out = path.join(work, name);
  const first = await backup(out, ...args);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  return out;
}

describe('CLI: the object selection', () => {
  let out: string;
  before(async () => {
    out = await seeded('selection');
  });

  // defect 1
  test('a pattern that matches nothing exits 2, names it and the objects there are, and replaces nothing', async () => {
    const before = treeHashes(out);
    const run = await backup(out, '--include', 'Zzz*');
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.match(run.stderr, /Zzz\* matched nothing/);
    assert.match(run.stderr, /Exportable objects in this org \(\d+\): .*\bAccount\b.*\bContact\b/);
    assert.match(run.stderr, /To fix: /);
    assertTreeUnchanged(before, out);
    assertNoSecretsIn(emu, { stdout: run.stdout, stderr: run.stderr }, 'prod');
  });

  // defect 1
  test('a misspelt pattern gets the closest name suggested', async () => {
    const before = treeHashes(out);
    const run = await backup(out, '--include', 'Acount*');
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.match(run.stderr, /Acount\* matched nothing; did you mean Account\?/);
    assertTreeUnchanged(before, out);
  });

  // defect 8
  test('several missing --include names are all named, not just the first', async () => {
    const before = treeHashes(out);
    const run = await backup(out, '--include', 'Acount,Account,Contcat,Nope__c', '--json');
    assert.equal(run.code, 2, run.stdout + run.stderr);
    for (const name of ['Acount does not exist', 'Contcat does not exist', 'Nope__c does not exist']) assert.ok(run.stderr.includes(name), run.stderr);
    assert.match(run.stderr, /Contcat does not exist in this org \(describeGlobal does not list it\); did you mean Contact\?/);
    assertTreeUnchanged(before, out);
  });

  // defect 8
  test('a failed run says the comparison was skipped, not "first snapshot", when a previous snapshot exists', async () => {
    const before = treeHashes(out);
    await control(emu, 'POST', '/bulk/rules', { kind: 'query', object: 'Contact', fail: true, times: 0 });
    try {
      const run = await backup(out, '--include', 'Account,Contact');
      assert.equal(run.code, 6, run.stdout + run.stderr);
      assert.match(run.stdout, /changes {5}not compared: the run failed/);
      assert.ok(!run.stdout.includes('first snapshot'), run.stdout);
    } finally {
      await control(emu, 'DELETE', '/bulk/rules');
    }
    assertTreeUnchanged(before, out);
  });

  // defect 1
  test('an exclude that leaves nothing is refused the same way', async () => {
    const before = treeHashes(out);
    const run = await backup(out, '--exclude', '*');
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.match(run.stderr, /leaves nothing to back up/);
    assertTreeUnchanged(before, out);
  });
});

describe('CLI: a run that drops an object', () => {
  // defect 1
  test('publishes, names the dropped object everywhere, and pins the previous snapshot through --keep 1 runs', async () => {
    const out = await seeded('dropped');
    const aliasDir = path.join(out, 'prod');
    const [first] = dated(aliasDir);
    assert.ok(first);
    const leadRows = (
      JSON.parse(readFileSync(path.join(aliasDir, first, 'manifest.json'), 'utf8')) as { objects: { name: string; rows: number }[] }
    ).objects.find((o) => o.name === 'Lead')?.rows;
    assert.ok(leadRows && leadRows > 0);

    const run = await backup(out, '--exclude', 'Lead', '--json');
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const json = JSON.parse(run.stdout) as {
      droppedObjects: { name: string; rows: number; reason: string }[];
      snapshot: string;
      published: { pinned?: { path: string; reason: string } };
    };
    assert.deepEqual(json.droppedObjects, [{ name: 'Lead', rows: leadRows, reason: 'excluded' }]);
    assert.equal(json.published.pinned?.path, path.join(aliasDir, first));
    assert.equal(path.dirname(json.snapshot), aliasDir, 'the printed location is the dated folder');
    assert.match(run.stderr, /Lead \(\d+ rows in the previous snapshot\) is not in this snapshot: excluded by the selection/);
    assert.match(run.stderr, /Kept .* for good \(KEPT\.json\)/);
    const kept = JSON.parse(readFileSync(path.join(aliasDir, first, 'KEPT.json'), 'utf8')) as { reason: string; pinnedAt: string };
    assert.match(kept.reason, /dropped 1 object\(s\) \(Lead\)/);

    // The text output says the same, and the pin survives retention.
    const text = await backup(out, '--keep', '1');
    assert.equal(text.code, 0, text.stdout + text.stderr);
    const again = await backup(out, '--keep', '1', '--exclude', 'Lead');
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /DROPPED {5}Lead \([\d,]+ rows, excluded by the selection\)/);
    assert.match(again.stdout, /kept {8}.* for good \(KEPT\.json\): the run after it dropped 1 object/);
    const last = await backup(out, '--keep', '1', '--exclude', 'Lead');
    assert.equal(last.code, 0, last.stdout + last.stderr);
    const left = dated(aliasDir);
    assert.ok(left.includes(first), `the pinned first snapshot is gone: ${left.join(', ')}`);
    assert.equal(latestOf(aliasDir), left.sort().at(-1), 'latest points at the newest');
    const verify = await sfbackup(['verify', path.join(aliasDir, first)], {});
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  });

  // defect 1
  test('retention keeps the newest N; verify and diff take <out>, <out>/<alias>, latest and a dated folder', async () => {
    const out = await seeded('retention', '--keep', '2');
    for (let i = 0; i < 2; i++) {
      const run = await backup(out, '--keep', '2');
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(run.stdout, /changes {5}\+0 added, ~0 changed, -0 deleted/);
    }
    const aliasDir = path.join(out, 'prod');
    const left = dated(aliasDir).sort();
    assert.equal(left.length, 2, left.join(', '));
    assert.equal(latestOf(aliasDir), left[1]);
    for (const dir of [out, aliasDir, path.join(aliasDir, 'latest'), path.join(aliasDir, left[0] as string)]) {
      const v = await sfbackup(['verify', dir], {});
      assert.equal(v.code, 0, `${dir}: ${v.stdout}${v.stderr}`);
    }
    const v = await sfbackup(['verify', aliasDir], {});
    assert.ok(v.stdout.includes(path.join(aliasDir, left[1] as string)), v.stdout);
    const diff = await sfbackup(['diff', path.join(aliasDir, left[0] as string), out], {});
    assert.equal(diff.code, 0, diff.stderr);
    assert.match(diff.stdout, /^total +[\d,]+ +\+0 +~0 +-0$/m);
  });

  // defect 1
  test('an old-layout folder is moved into a dated folder by the first publish', async () => {
    const seed = await seeded('old-seed');
    const out = path.join(work, 'old-layout');
    mkdirSync(out);
    cpSync(path.join(seed, 'prod', 'latest'), path.join(out, 'prod'), { recursive: true, dereference: true });
    assert.ok(existsSync(path.join(out, 'prod', 'manifest.json')));
    const verifyOld = await sfbackup(['verify', out], {});
    assert.equal(verifyOld.code, 0, verifyOld.stderr);

    const run = await backup(out, '--incremental');
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /incremental run/, 'the old-layout snapshot served as the base');
    const aliasDir = path.join(out, 'prod');
    assert.equal(existsSync(path.join(aliasDir, 'manifest.json')), false);
    assert.equal(dated(aliasDir).length, 2);
    assert.deepEqual(readdirSync(out), ['prod']);
  });
});

describe('CLI: leftovers of killed runs', () => {
  // defect 7
  test('verify reports leftovers (exit 0, --json leftovers) and the next backup removes them', async () => {
    const out = await seeded('leftovers');
    const aliasDir = path.join(out, 'prod');
    // A publish killed while moving the snapshot in, and one killed after its rename but before the swap.
    const incoming = path.join(aliasDir, '.incoming-2026-12-02T16-50-00Z-999999');
    cpSync(path.join(aliasDir, 'latest'), incoming, { recursive: true, dereference: true });
    rmSync(path.join(incoming, 'manifest.json'));
    const unpublished = path.join(aliasDir, '2999-01-01T00-00-00Z');
    cpSync(path.join(aliasDir, 'latest'), unpublished, { recursive: true, dereference: true });
    const oldLayout = path.join(out, '.prod.old-999999-abcd');
    mkdirSync(path.join(oldLayout, 'data'), { recursive: true });

    const v = await sfbackup(['verify', aliasDir], {});
    assert.equal(v.code, 0, v.stdout + v.stderr);
    assert.match(v.stdout, /is intact/);
    assert.ok(!v.stdout.includes('2999-01-01'), 'verify checked latest, not the unpublished folder');
    for (const p of [incoming, unpublished, oldLayout]) assert.ok(v.stderr.includes(`Warning: leftover ${p}`), v.stderr);
    assert.match(v.stderr, /never published/);
    const j = await sfbackup(['verify', aliasDir, '--json'], {});
    assert.equal(j.code, 0, j.stderr);
    const leftovers = (JSON.parse(j.stdout) as { leftovers: { path: string }[] }).leftovers.map((l) => l.path).sort();
    assert.deepEqual(leftovers, [incoming, unpublished, oldLayout].sort());

    const run = await backup(out);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    for (const p of [incoming, unpublished, oldLayout]) assert.equal(existsSync(p), false, `${p} is still there`);
    const after = await sfbackup(['verify', aliasDir], {});
    assert.equal(after.code, 0, after.stderr);
    assert.ok(!after.stderr.includes('leftover'), after.stderr);
  });
});

// ---- the action ----

/** One job step with the org config in the workspace (kept between steps when `workspace` is given). */
function step(config: string, inputs: Record<string, string>, opts: { workspace?: string; env?: Record<string, string> } = {}): Promise<Step> {
  const c = creds(emu, 'prod');
  const secrets = { SF_CLIENT_ID: c.clientId, SF_CLIENT_SECRET: c.clientSecret, SF_REFRESH_TOKEN_PROD: c.refreshToken };
  return actionStep(
    work,
    config,
    { 'github-token': gh.token, secrets: JSON.stringify(secrets), 'publish-status': 'false', 'open-issues': 'false', ...inputs },
    { ...(opts.workspace ? { workspace: opts.workspace } : {}), env: opts.env ?? gh.env() },
  );
}

function config(storage: string, objects = ''): string {
  return `orgs:
  - alias: prod
    type: ${creds(emu, 'prod').loginUrl}
    refresh-token-secret: SF_REFRESH_TOKEN_PROD
    storage: ${storage}
${objects ? `    objects: ${objects}\n` : ''}`;
}

describe('action: the object selection and shrinking runs', () => {
  // defect 1
  test('include: ["Acount*"] fails the step naming the pattern and Account; auth stays ok; the folder is unchanged', async () => {
    const ok = await step(config('{ kind: local, dir: backups }'), {});
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    const out = path.join(ok.workspace, 'backups');
    const before = treeHashes(out);
    const bad = await step(config('{ kind: local, dir: backups }', '{ include: ["Acount*"] }'), {}, { workspace: ok.workspace });
    assert.equal(bad.code, 1, bad.stdout + bad.stderr);
    assert.match(bad.stdout, /::error::.*Acount\* matched nothing; did you mean Account\?/);
    assert.match(bad.stdout, /Exportable objects in this org/);
    assert.notEqual(bad.outputs['auth-state'] ?? 'ok', 'misconfigured', 'a selection typo is not an authorization problem');
    assert.equal(bad.outputs['snapshot-location'] ?? '', '');
    assertTreeUnchanged(before, out);

    // defect 1: an exclude that drops an object publishes into the folder, and says so everywhere.
    const drop = await step(config('{ kind: local, dir: backups, keep: 3 }', '{ exclude: ["Lead"] }'), {}, { workspace: ok.workspace });
    assert.equal(drop.code, 0, drop.stdout + drop.stderr);
    assert.equal(drop.outputs['dropped-objects'], 'Lead');
    assert.match(drop.stdout, /::warning title=Object left the backup of prod%3A Lead::Lead had \d+ rows in the previous snapshot/);
    assert.match(drop.summary, /object\(s\) left the snapshot/);
    assert.match(drop.summary, /<code>Lead<\/code>: [\d,]+ rows in the previous snapshot; excluded by the selection/);
    assert.match(drop.summary, /Kept <code>.*<\/code> for good \(KEPT\.json\)/);
    const aliasDir = path.join(out, 'prod');
    assert.equal(dated(aliasDir).filter((d) => existsSync(path.join(aliasDir, d, 'KEPT.json'))).length, 1);
    const logged = drop.stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n');
    assertNoSecretsIn(emu, { stdout: logged, summary: drop.summary }, 'prod');
  });

  // defect 1
  test('the artifact target holds a run that drops an object until allow-shrink: true', async () => {
    const first = await step(config('{ kind: artifact }'), {});
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const firstId = first.outputs['artifact-id'];
    const list = async () => {
      const res = await fetch(`${gh.apiUrl}/repos/${gh.owner}/${gh.repo}/actions/artifacts?name=salesforce-backup-prod`, {
        headers: { authorization: `token ${gh.token}` },
      });
      return ((await res.json()) as { artifacts: { id: number }[] }).artifacts.map((a) => a.id).sort();
    };
    const before = await list();

    const held = await step(config('{ kind: artifact }', '{ exclude: ["Lead"] }'), {}, { env: (await gh.createRun()).env() });
    assert.equal(held.code, 1, held.stdout + held.stderr);
    assert.match(held.stdout, /::error::Backup of prod not published\..*Held: this run dropped 1 object\(s\) \(Lead\)/);
    assert.match(held.stdout, /allow-shrink: true/);
    assert.equal(held.outputs['dropped-objects'], 'Lead');
    assert.equal(held.outputs['artifact-id'] ?? '', '');
    assert.match(held.summary, /Salesforce backup of prod: held/);
    assert.deepEqual(await list(), before, 'no artifact was uploaded');

    const allowed = await step(config('{ kind: artifact }', '{ exclude: ["Lead"] }'), { 'allow-shrink': 'true' }, { env: (await gh.createRun()).env() });
    assert.equal(allowed.code, 0, allowed.stdout + allowed.stderr);
    assert.equal(allowed.outputs['dropped-objects'], 'Lead');
    assert.ok(Number(allowed.outputs['artifact-id']) > Number(firstId));
  });
});
