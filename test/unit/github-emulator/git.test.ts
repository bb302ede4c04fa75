// The real git binary against the emulator's smart HTTP bridge, authenticated the way
// actions/checkout does it: an `http.<url>.extraheader` in a config FILE, never on a command line.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { type GitHubEmulator, startGitHubEmulator } from '../../emulators/github/emulator.ts';
import { control } from './helpers.ts';

let emu: GitHubEmulator;
let tmp: string;

interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A git config file holding the credential header, written with fs like checkout does. */
function configFile(name: string, token: string | undefined): string {
  const file = path.join(tmp, `${name}.gitconfig`);
  const lines = [
    '[user]',
    '\tname = github-actions[bot]',
    '\temail = 41898282+github-actions[bot]@users.noreply.github.com',
    '[init]',
    '\tdefaultBranch = main',
  ];
  if (token !== undefined) {
    const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
    lines.push(`[http "${emu.baseUrl}/"]`, `\textraheader = AUTHORIZATION: basic ${basic}`);
  }
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return file;
}

function git(args: string[], opts: { cwd?: string; config: string }): Promise<GitResult> {
  return new Promise((resolve) => {
    execFile(
      'git',
      args,
      {
        cwd: opts.cwd ?? tmp,
        env: { PATH: process.env.PATH ?? '', HOME: tmp, GIT_CONFIG_GLOBAL: opts.config, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function ok(args: string[], opts: { cwd?: string; config: string }): Promise<string> {
  const r = await git(args, opts);
  assert.equal(r.code, 0, `git ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout.trim();
}

/** Reads the bare repository directly: what GitHub would hold. */
function bare(args: string[]): Promise<string> {
  return ok(['--git-dir', emu.bareRepoPath(), ...args], { config: '/dev/null' });
}

let good: string;

before(async () => {
  emu = await startGitHubEmulator();
  tmp = mkdtempSync(path.join(tmpdir(), 'gh-git-test-'));
  good = configFile('good', emu.token);
});

after(async () => {
  await emu?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('git smart HTTP', () => {
  let backupSha = '';

  test('clones the repository with the token from a config file (lower-case basic, protocol v2)', async () => {
    await ok(['clone', '--quiet', emu.gitUrl(), 'clone-a'], { config: good });
    assert.equal(readFileSync(path.join(tmp, 'clone-a', 'README.md'), 'utf8'), `# ${emu.repo}\n`);
    const gitLog = emu.requests().filter((e) => e.surface === 'git');
    assert.deepEqual(
      gitLog.map((e) => [e.method, e.path.split('.git/')[1], e.status]),
      [
        ['GET', 'info/refs', 200],
        ['POST', 'git-upload-pack', 200],
        ['POST', 'git-upload-pack', 200],
      ],
    );
    assert.equal(gitLog[0]?.query, '?service=git-upload-pack');
    assert.equal(gitLog[0]?.headers.authorization, 'basic <redacted>');
    assert.equal(gitLog[0]?.headers['git-protocol'], 'version=2');
  });

  test('pushes an orphan backup branch; the bare repository holds the commit', async () => {
    const dir = path.join(tmp, 'clone-a');
    await ok(['checkout', '--quiet', '--orphan', 'backup'], { cwd: dir, config: good });
    await ok(['rm', '-rf', '--quiet', '.'], { cwd: dir, config: good });
    mkdirSync(path.join(dir, 'prod', 'data'), { recursive: true });
    writeFileSync(path.join(dir, 'prod', 'manifest.json'), '{"format":1}\n');
    // Over 1 MiB (git's http.postBuffer): git streams the pack with chunked encoding.
    const big = randomBytes(3 * 1024 * 1024);
    writeFileSync(path.join(dir, 'prod', 'data', 'blob.bin'), big);
    await ok(['add', '-A'], { cwd: dir, config: good });
    await ok(['commit', '--quiet', '-m', 'Backup prod'], { cwd: dir, config: good });
    await ok(['push', '--quiet', 'origin', 'HEAD:refs/heads/backup'], { cwd: dir, config: good });
    backupSha = await ok(['rev-parse', 'HEAD'], { cwd: dir, config: good });

    assert.equal(await bare(['rev-parse', 'refs/heads/backup']), backupSha);
    assert.equal(await bare(['log', '--format=%s|%an', 'backup']), 'Backup prod|github-actions[bot]');
    assert.equal(await bare(['rev-list', '--count', 'backup']), '1', 'an orphan: no parent');
    assert.deepEqual((await bare(['ls-tree', '-r', '--name-only', 'backup'])).split('\n'), ['prod/data/blob.bin', 'prod/manifest.json']);
    const stored = await new Promise<Buffer>((resolve, reject) =>
      execFile(
        'git',
        ['--git-dir', emu.bareRepoPath(), 'cat-file', 'blob', 'backup:prod/data/blob.bin'],
        { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 },
        (err, out) => (err ? reject(err) : resolve(out)),
      ),
    );
    assert.ok(stored.equals(big));
    const posts = emu.requests().filter((e) => e.method === 'POST' && e.path.endsWith('/git-receive-pack'));
    assert.ok(posts.every((e) => e.status === 200));
    // git probes with a 4-byte request, then streams the pack chunked.
    assert.ok(posts.some((e) => e.headers['transfer-encoding'] === 'chunked'));
    assert.ok(!JSON.stringify(emu.requests()).includes(emu.token));
  });

  test('a wrong token is refused and changes nothing', async () => {
    const wrong = configFile('wrong', 'ghs_not-a-real-token');
    const ls = await git(['ls-remote', emu.gitUrl()], { config: wrong });
    assert.notEqual(ls.code, 0);
    // As on github.com: the header is refused, git falls back to asking for a user name, and may not prompt.
    assert.match(ls.stderr, /could not read Username for 'http:\/\/127\.0\.0\.1:\d+': terminal prompts disabled/);
    const denied = emu
      .requests()
      .filter((e) => e.surface === 'git')
      .at(-1);
    assert.equal(denied?.status, 401);

    const dir = path.join(tmp, 'clone-a');
    writeFileSync(path.join(dir, 'prod', 'manifest.json'), '{"format":2}\n');
    await ok(['commit', '--quiet', '-am', 'Should not land'], { cwd: dir, config: good });
    const push = await git(['push', 'origin', 'HEAD:refs/heads/backup'], { cwd: dir, config: wrong });
    assert.notEqual(push.code, 0);
    assert.equal(await bare(['rev-parse', 'refs/heads/backup']), backupSha);
    await ok(['reset', '--quiet', '--hard', 'HEAD~1'], { cwd: dir, config: good });
  });

  test('no or bad credentials: 401 with a Basic challenge', async () => {
    const res = await fetch(`${emu.gitUrl()}/info/refs?service=git-upload-pack`);
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), 'Basic realm="GitHub"');
    const bad = await fetch(`${emu.gitUrl()}/info/refs?service=git-upload-pack`, {
      headers: { authorization: `BASIC ${Buffer.from('x-access-token:ghs_nope').toString('base64')}` },
    });
    assert.equal(bad.status, 401);
    assert.equal(await bad.text(), 'Invalid username or token. Password authentication is not supported for Git operations.\n');
    const upper = await fetch(`${emu.gitUrl()}/info/refs?service=git-upload-pack`, {
      headers: { authorization: `BASIC ${Buffer.from(`x-access-token:${emu.token}`).toString('base64')}` },
    });
    assert.equal(upper.status, 200);
    assert.equal(upper.headers.get('content-type'), 'application/x-git-upload-pack-advertisement');
    await upper.arrayBuffer();
    const none = await git(['ls-remote', emu.gitUrl()], { config: configFile('none', undefined) });
    assert.notEqual(none.code, 0);
  });

  test('a non-fast-forward push is rejected and the branch keeps the first push', async () => {
    await ok(['clone', '--quiet', '--branch', 'backup', emu.gitUrl(), 'clone-b'], { config: good });
    const a = path.join(tmp, 'clone-a');
    const b = path.join(tmp, 'clone-b');
    writeFileSync(path.join(a, 'prod', 'manifest.json'), '{"format":1,"run":"a"}\n');
    await ok(['commit', '--quiet', '-am', 'Backup from job A'], { cwd: a, config: good });
    await ok(['push', '--quiet', 'origin', 'HEAD:refs/heads/backup'], { cwd: a, config: good });
    const first = await ok(['rev-parse', 'HEAD'], { cwd: a, config: good });

    writeFileSync(path.join(b, 'prod', 'manifest.json'), '{"format":1,"run":"b"}\n');
    await ok(['commit', '--quiet', '-am', 'Backup from job B'], { cwd: b, config: good });
    const push = await git(['push', 'origin', 'HEAD:refs/heads/backup'], { cwd: b, config: good });
    assert.notEqual(push.code, 0);
    assert.match(push.stderr, /\[rejected\]/);
    assert.match(push.stderr, /fetch first|non-fast-forward/);
    assert.equal(await bare(['rev-parse', 'refs/heads/backup']), first);

    // The documented recovery: fetch, rebase, push again.
    await ok(['pull', '--quiet', '--rebase', '-X', 'theirs', 'origin', 'backup'], { cwd: b, config: good });
    await ok(['push', '--quiet', 'origin', 'HEAD:refs/heads/backup'], { cwd: b, config: good });
    assert.equal(await bare(['rev-list', '--count', 'backup']), '3');
  });

  test('a read-only token clones but may not push', async () => {
    const reader = configFile('reader', emu.createToken({ permissions: { contents: 'read' } }));
    await ok(['clone', '--quiet', emu.gitUrl(), 'clone-r'], { config: reader });
    const dir = path.join(tmp, 'clone-r');
    writeFileSync(path.join(dir, 'x.txt'), 'x\n');
    await ok(['add', 'x.txt'], { cwd: dir, config: reader });
    await ok(['commit', '--quiet', '-m', 'x'], { cwd: dir, config: reader });
    const push = await git(['push', 'origin', 'HEAD:refs/heads/read-only'], { cwd: dir, config: reader });
    assert.notEqual(push.code, 0);
    assert.match(push.stderr, /Permission to .*\.git denied to github-actions\[bot\]/);
    assert.deepEqual(
      Object.keys((await control<{ branches: Record<string, string> }>(emu.baseUrl, 'GET', `/repos/${emu.owner}/${emu.repo}`)).branches).sort(),
      ['backup', 'main'],
    );
  });

  test('repositories made through the control surface, empty or with a first commit; unknown ones are 404', async () => {
    const seeded = await control<{ gitUrl: string; branches: Record<string, string> }>(emu.baseUrl, 'POST', '/repos', { name: 'seeded', initialCommit: true });
    assert.ok(seeded.branches.main);
    assert.equal(await ok(['ls-remote', seeded.gitUrl, 'refs/heads/main'], { config: good }), `${seeded.branches.main}\trefs/heads/main`);

    const empty = await control<{ gitUrl: string; branches: Record<string, string> }>(emu.baseUrl, 'POST', '/repos', { name: 'empty' });
    assert.deepEqual(empty.branches, {});
    const dir = path.join(tmp, 'fresh');
    mkdirSync(dir);
    await ok(['init', '--quiet'], { cwd: dir, config: good });
    writeFileSync(path.join(dir, 'status.json'), '{}\n');
    await ok(['add', '.'], { cwd: dir, config: good });
    await ok(['commit', '--quiet', '-m', 'status'], { cwd: dir, config: good });
    await ok(['push', '--quiet', empty.gitUrl, 'HEAD:refs/heads/data'], { cwd: dir, config: good });
    const after = await control<{ branches: Record<string, string> }>(emu.baseUrl, 'GET', `/repos/${emu.owner}/empty`);
    assert.deepEqual(Object.keys(after.branches), ['data']);

    const missing = await git(['ls-remote', `${emu.baseUrl}/${emu.owner}/missing.git`], { config: good });
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /Repository not found/);
  });

  test('gzip-encoded requests are inflated (git compresses large fetch negotiations)', async () => {
    const main = await bare(['rev-parse', 'refs/heads/main']);
    const pkt = (s: string) => `${(s.length + 4).toString(16).padStart(4, '0')}${s}`;
    const body = gzipSync(Buffer.from(`${pkt(`want ${main}\n`)}0000${pkt('done\n')}`));
    const res = await fetch(`${emu.gitUrl()}/git-upload-pack`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`x-access-token:${emu.token}`).toString('base64')}`,
        'content-type': 'application/x-git-upload-pack-request',
        'content-encoding': 'gzip',
      },
      body,
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/x-git-upload-pack-result');
    const out = Buffer.from(await res.arrayBuffer());
    assert.equal(out.subarray(0, 8).toString(), '0008NAK\n');
    assert.equal(out.subarray(8, 12).toString(), 'PACK');
  });

  test('an injected fault on receive-pack fails one push; the next one lands', async () => {
    await control(emu.baseUrl, 'POST', '/faults', { path: '/git-receive-pack$', method: 'POST', status: 500, times: 1 });
    const dir = path.join(tmp, 'clone-b');
    writeFileSync(path.join(dir, 'prod', 'manifest.json'), '{"format":1,"run":"c"}\n');
    await ok(['commit', '--quiet', '-am', 'Backup C'], { cwd: dir, config: good });
    const failed = await git(['push', 'origin', 'HEAD:refs/heads/backup'], { cwd: dir, config: good });
    assert.notEqual(failed.code, 0);
    await ok(['push', '--quiet', 'origin', 'HEAD:refs/heads/backup'], { cwd: dir, config: good });
    assert.equal(await bare(['log', '-1', '--format=%s', 'backup']), 'Backup C');
  });
});
