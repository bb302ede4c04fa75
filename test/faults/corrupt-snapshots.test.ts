// Fault class: corrupt and tampered snapshots. `sfbackup verify` names the file and what is wrong
// (exit 7) for every kind of damage; the next incremental backup never merges into a damaged base:
// it takes a full run with a warning and publishes a good snapshot. Also the small CLI contracts
// around them: a closed stdout (`| head -1`) ends quietly, and --json failures are one JSON object.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Emulator } from '../emulators/salesforce/emulator.ts';
import { startCommand } from '../helpers/dist.ts';
import { control, emulator } from '../helpers/emulator.ts';
import { assertNoSecretsIn, CLI, cliEnv, sfbackup } from './support.ts';

interface ManifestLike {
  objects: Array<{ name: string; rows: number; files: Array<{ path: string; rows: number; bytes: number; sha256: string }> }>;
  totals: { rows: number; bytes: number };
}

let emu: Emulator;
let work: string;
let out: string;
/** The good snapshot's own folder (the one holding manifest.json). */
let good: string;

/** The folder holding manifest.json: `<alias>/latest` (dated snapshots), or `<alias>` itself. */
function snapshotDir(aliasDir: string): string {
  const latest = path.join(aliasDir, 'latest');
  if (existsSync(path.join(latest, 'manifest.json'))) return realpathSync(latest);
  return aliasDir;
}

function manifestOf(dir: string): ManifestLike {
  return JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as ManifestLike;
}

/** A copy of the good snapshot to damage, and the path (relative) of one of its Contact files. */
function copyOfGood(name: string): { dir: string; file: string } {
  const dir = path.join(work, 'copies', name);
  cpSync(good, dir, { recursive: true });
  const file = manifestOf(dir).objects.find((o) => o.name === 'Contact')?.files[0]?.path;
  assert.ok(file, 'the snapshot has a Contact file');
  return { dir, file };
}

before(async () => {
  emu = await emulator({ orgs: [{ alias: 'prod', records: 200, seed: 23 }] });
  await control(emu, 'POST', '/bulk', { pollsBeforeComplete: 0 });
  work = mkdtempSync(path.join(tmpdir(), 'faults-corrupt-'));
  out = path.join(work, 'out');
  const ran = await sfbackup(['backup', '--alias', 'prod', '--out', out], cliEnv(emu, 'prod'));
  assert.equal(ran.code, 0, ran.stdout + ran.stderr);
  good = snapshotDir(path.join(out, 'prod'));
  mkdirSync(path.join(work, 'copies'));
});

after(async () => {
  await emu.close();
  rmSync(work, { recursive: true, force: true });
});

/** `sfbackup verify DIR` must exit 7 and name `file` with `what` in its report. */
async function assertVerifyFails(dir: string, file: string, what: RegExp): Promise<void> {
  const ran = await sfbackup(['verify', dir], {});
  assert.equal(ran.code, 7, `exit ${ran.code}\n${ran.stdout}\n${ran.stderr}`);
  const line = ran.stderr.split('\n').find((l) => l.includes(file));
  assert.ok(line, `the report names ${file}:\n${ran.stderr}`);
  assert.match(ran.stderr, what);
  assert.match(ran.stderr, /To fix: /);
  assert.doesNotMatch(ran.stderr, /\n\s+at /, 'no stack trace');
}

describe('verify: damaged and tampered snapshots exit 7, naming the file and what is wrong', () => {
  test('the good snapshot verifies', async () => {
    const ran = await sfbackup(['verify', good], {});
    assert.equal(ran.code, 0, ran.stderr);
  });

  // defect 4 (what a short write left behind) and the verify contract
  test('a flipped byte in a CSV', async () => {
    const { dir, file } = copyOfGood('flipped');
    const bytes = readFileSync(path.join(dir, file));
    const at = Math.floor(bytes.length / 2);
    bytes[at] = (bytes[at] as number) ^ 0x01;
    writeFileSync(path.join(dir, file), bytes);
    await assertVerifyFails(dir, file, /sha256 does not match manifest\.json/);
  });

  // defect 4: a full disk truncated CSV files
  test('a truncated CSV', async () => {
    const { dir, file } = copyOfGood('truncated');
    const m = manifestOf(dir);
    const entry = m.objects.flatMap((o) => o.files).find((f) => f.path === file);
    assert.ok(entry);
    truncateSync(path.join(dir, file), Math.floor(entry.bytes / 2));
    await assertVerifyFails(dir, file, new RegExp(`${Math.floor(entry.bytes / 2)} bytes, manifest\\.json says ${entry.bytes}`));
  });

  test('a deleted data file', async () => {
    const { dir, file } = copyOfGood('deleted');
    unlinkSync(path.join(dir, file));
    await assertVerifyFails(dir, file, new RegExp(`${file.replace(/[.]/g, '\\.')}: missing`));
  });

  test('an extra row', async () => {
    const { dir, file } = copyOfGood('extra-row');
    const text = readFileSync(path.join(dir, file), 'latin1');
    const width = (text.split('\n')[0] as string).split(',').length;
    // A well-formed row with a new Id, appended: valid CSV, but not what the manifest counted.
    writeFileSync(path.join(dir, file), `${text}003zzzzzzzzzzzzAAA${','.repeat(width - 1)}\n`, 'latin1');
    await assertVerifyFails(dir, file, /rows, manifest\.json says/);
  });

  test('a manifest edited to match a tampered file (rows, bytes) but not its sha256', async () => {
    const { dir, file } = copyOfGood('tampered');
    const csvPath = path.join(dir, file);
    const text = readFileSync(csvPath, 'latin1');
    // Same length, other content: a changed value the manifest's row and byte counts cannot see.
    const tampered = text.replace(/,([A-Za-z])/, (_m, c: string) => `,${c === 'X' ? 'Y' : 'X'}`);
    assert.notEqual(tampered, text);
    writeFileSync(csvPath, tampered, 'latin1');
    const m = manifestOf(dir);
    for (const o of m.objects) for (const f of o.files) if (f.path === file) f.bytes = Buffer.byteLength(tampered, 'latin1');
    writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify(m, null, 2)}\n`);
    await assertVerifyFails(dir, file, /sha256 does not match manifest\.json/);
  });

  test('a manifest that is not JSON', async () => {
    const { dir } = copyOfGood('manifest-not-json');
    writeFileSync(path.join(dir, 'manifest.json'), '{"formatVersion": 1, "objects": [');
    await assertVerifyFails(dir, 'manifest.json', /not JSON/);
  });

  // defect 8: verify of a folder without a manifest exited 2 ("usage or configuration error")
  test('a folder without manifest.json', async () => {
    const { dir } = copyOfGood('no-manifest');
    unlinkSync(path.join(dir, 'manifest.json'));
    await assertVerifyFails(dir, 'manifest.json', /missing/);
    // A path that does not exist at all is a typo, not a damaged snapshot.
    const typo = await sfbackup(['verify', path.join(work, 'no-such-folder')], {});
    assert.equal(typo.code, 2, typo.stderr);
  });

  test('verify --json reports the damage as one JSON object', async () => {
    const { dir, file } = copyOfGood('json-report');
    unlinkSync(path.join(dir, file));
    const ran = await sfbackup(['verify', dir, '--json'], {});
    assert.equal(ran.code, 7);
    const j = JSON.parse(ran.stdout) as Record<string, unknown>;
    assert.equal(j.ok, false);
    assert.equal(j.state, 'corrupt');
    assert.equal(j.exitCode, 7);
    assert.match(String(j.remedy), /full backup/);
    assert.ok((j.problems as Array<{ file?: string }>).some((p) => p.file === file));
  });
});

describe('backup --incremental onto a corrupt base', () => {
  // The base is checked before it is trusted: a damaged one is never merged into the next snapshot.
  test('takes a full run with a warning and publishes a good snapshot', async () => {
    const base = snapshotDir(path.join(out, 'prod'));
    const file = manifestOf(base).objects.find((o) => o.name === 'Account')?.files[0]?.path;
    assert.ok(file);
    const original = readFileSync(path.join(base, file));
    const damaged = Buffer.from(original);
    const at = damaged.length - 3;
    damaged[at] = (damaged[at] as number) ^ 0x01;
    writeFileSync(path.join(base, file), damaged);

    const ran = await sfbackup(['backup', '--alias', 'prod', '--out', out, '--incremental'], cliEnv(emu, 'prod'));
    assert.equal(ran.code, 0, ran.stdout + ran.stderr);
    assert.match(ran.stderr, /Warning: The previous snapshot at .* cannot be trusted [\s\S]*sha256 does not match[\s\S]*taking a full backup/);
    assert.match(ran.stdout, /full run/);
    const fresh = snapshotDir(path.join(out, 'prod'));
    assert.notEqual(fresh, base, 'a new snapshot was published');
    const verified = await sfbackup(['verify', path.join(out, 'prod')], {});
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    // The org did not change: the new file has the good bytes, not the damaged ones.
    assert.deepEqual(readFileSync(path.join(fresh, file)), original);
    assertNoSecretsIn(emu, { stdout: ran.stdout, stderr: ran.stderr }, 'prod');
  });
});

/** `sh -c '{ sfbackup ARGS; echo "exit=$?" >&2; } | READER'`: the CLI's own exit code and stderr. */
async function piped(args: string[], reader: string): Promise<{ stdout: string; stderr: string; exit: number | undefined }> {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const cmd = `{ ${[process.execPath, '--disable-warning=ExperimentalWarning', CLI, ...args].map(quote).join(' ')}; echo "exit=$?" >&2; } | ${reader}`;
  const started = startCommand('sh', ['-c', cmd], {});
  await started.exited;
  const stderr = started.stderr();
  const m = /exit=(\d+)/.exec(stderr);
  return { stdout: started.stdout(), stderr, exit: m ? Number(m[1]) : undefined };
}

// defect 8: `verify … | head -1` and `diff … | head -1` crashed with an EPIPE stack trace
describe('a reader that closes stdout early', () => {
  for (const reader of ['head -1', 'head -n 0']) {
    test(`verify | ${reader} ends quietly`, async () => {
      const r = await piped(['verify', path.join(out, 'prod')], reader);
      assert.doesNotMatch(r.stderr, /EPIPE|\n\s+at /, r.stderr);
      assert.equal(r.exit, 0, r.stderr);
      if (reader === 'head -1') assert.match(r.stdout, /^Snapshot .* is intact/);
    });

    test(`diff | ${reader} ends quietly`, async () => {
      const r = await piped(['diff', good, path.join(out, 'prod')], reader);
      assert.doesNotMatch(r.stderr, /EPIPE|\n\s+at /, r.stderr);
      assert.equal(r.exit, 0, r.stderr);
      if (reader === 'head -1') assert.match(r.stdout, /^object\s+rows\s+added/);
    });
  }
});

// defect 8: check --json and backup --json printed nothing on stdout when they failed
describe('--json failures print one JSON error object on stdout', () => {
  const revoked = () => cliEnv(emu, 'prod', { SF_REFRESH_TOKEN: '5Aep861notARealTokenAtAll0000000000000000000000000000' });

  for (const args of [
    ['check', '--json'],
    ['backup', '--json', '--alias', 'prod', '--out', path.join('OUT')],
  ]) {
    test(`${args[0]} --json with a refresh token the org does not know`, async () => {
      const env = revoked();
      const ran = await sfbackup(
        args.map((a) => (a === 'OUT' ? path.join(work, 'json-out') : a)),
        env,
      );
      assert.equal(ran.code, 3, ran.stdout + ran.stderr);
      const lines = ran.stdout.trim().split('\n');
      assert.equal(lines.length, 1, `one JSON object on stdout:\n${ran.stdout}`);
      const j = JSON.parse(lines[0] as string) as Record<string, unknown>;
      assert.deepEqual(Object.keys(j).sort(), ['exitCode', 'message', 'ok', 'reason', 'remedy', 'state']);
      assert.equal(j.ok, false);
      assert.equal(j.state, 'reauth_required');
      assert.equal(j.exitCode, 3);
      assert.ok(typeof j.reason === 'string' && j.reason.length > 0);
      assert.ok(typeof j.remedy === 'string' && j.remedy.length > 0);
      // The human text still goes to stderr.
      assert.match(ran.stderr, /To fix: /);
      assertNoSecretsIn(emu, { stdout: ran.stdout, stderr: ran.stderr }, 'prod');
      assert.ok(!ran.stdout.includes(env.SF_REFRESH_TOKEN as string), 'the refresh token appears on stdout');
    });
  }

  test('diff --json of a folder that does not exist', async () => {
    const ran = await sfbackup(['diff', good, path.join(work, 'nowhere'), '--json'], {});
    assert.equal(ran.code, 2, ran.stdout + ran.stderr);
    const j = JSON.parse(ran.stdout.trim()) as Record<string, unknown>;
    assert.equal(j.ok, false);
    assert.equal(j.state, 'misconfigured');
    assert.equal(j.exitCode, 2);
    assert.match(String(j.message), /nowhere/);
  });
});
