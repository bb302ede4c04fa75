// A small wrapper around the git binary. Authentication works like actions/checkout: an
// `http.<origin>/.extraheader` in a config FILE that git reads through GIT_CONFIG_GLOBAL, so the
// token is never on a command line, in a remote URL or in the environment of the git process.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const BOT_NAME = 'github-actions[bot]';
export const BOT_EMAIL = '41898282+github-actions[bot]@users.noreply.github.com';

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class GitCommandError extends Error {
  override readonly name = 'GitCommandError';
  readonly args: string[];
  readonly code: number;
  readonly stderr: string;

  constructor(args: string[], result: GitResult) {
    super(`git ${args.join(' ')} failed (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim()}`);
    this.args = args;
    this.code = result.code;
    this.stderr = result.stderr;
  }
}

export interface GitSession {
  /** Runs git in `cwd`; resolves with the exit code, never rejects on a non-zero exit. */
  run(args: string[], cwd: string): Promise<GitResult>;
  /** Runs git and throws GitCommandError on a non-zero exit. */
  ok(args: string[], cwd: string): Promise<string>;
  close(): Promise<void>;
}

export interface GitSessionOptions {
  /** Remote URL whose origin the credential header is scoped to. */
  remoteUrl: string;
  token: string | undefined;
  tempDir: string;
  mask: (secret: string) => void;
}

/** Proxy and CA settings self-hosted runners rely on; nothing that could carry credentials. */
const PASSED_VARS = [
  'TMPDIR',
  'HTTPS_PROXY',
  'https_proxy',
  'HTTP_PROXY',
  'http_proxy',
  'NO_PROXY',
  'no_proxy',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'GIT_SSL_CAINFO',
];

function passThrough(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const name of PASSED_VARS) if (env[name]) out[name] = env[name];
  return out;
}

/** Quotes a value for a git config file. */
function configValue(v: string): string {
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export async function openGitSession(opts: GitSessionOptions): Promise<GitSession> {
  const home = await mkdtemp(path.join(opts.tempDir, 'sfbackup-git-'));
  const configFile = path.join(home, 'gitconfig');
  const secrets: string[] = [];
  const lines = [
    '[user]',
    `\tname = ${configValue(BOT_NAME)}`,
    `\temail = ${configValue(BOT_EMAIL)}`,
    '[init]',
    '\tdefaultBranch = main',
    '[core]',
    '\tautocrlf = false',
    // Snapshot files are data, never scripts: no hooks, no signing prompts, no line-ending rewrites.
    `\thooksPath = ${configValue(path.join(home, 'no-hooks'))}`,
    '[commit]',
    '\tgpgsign = false',
    '[advice]',
    '\tdetachedHead = false',
  ];
  const url = new URL(opts.remoteUrl);
  if (opts.token && (url.protocol === 'https:' || url.protocol === 'http:')) {
    const basic = Buffer.from(`x-access-token:${opts.token}`, 'utf8').toString('base64');
    secrets.push(opts.token, basic);
    opts.mask(opts.token);
    opts.mask(basic);
    lines.push(`[http ${configValue(`${url.origin}/`)}]`, `\textraheader = ${configValue(`AUTHORIZATION: basic ${basic}`)}`);
  }
  await writeFile(configFile, `${lines.join('\n')}\n`, { mode: 0o600 });

  // Only what git needs from the parent: a user's own config, credential helpers or askpass
  // programs must not answer for us or leak into the run.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    GIT_CONFIG_GLOBAL: configFile,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '',
    SSH_ASKPASS: '',
    LC_ALL: 'C',
    ...passThrough(process.env),
  };

  const scrub = (s: string): string => secrets.reduce((acc, secret) => acc.split(secret).join('***'), s);

  const run = (args: string[], cwd: string): Promise<GitResult> =>
    new Promise((resolve, reject) => {
      const child = spawn('git', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.on('error', reject);
      child.on('close', (code) =>
        resolve({ code: code ?? 1, stdout: scrub(Buffer.concat(out).toString('utf8')), stderr: scrub(Buffer.concat(err).toString('utf8')) }),
      );
    });

  return {
    run,
    async ok(args, cwd) {
      const r = await run(args, cwd);
      if (r.code !== 0) throw new GitCommandError(args, r);
      return r.stdout.trim();
    },
    async close() {
      await rm(home, { recursive: true, force: true });
    },
  };
}

/** Where a remote is and how to reach it: the token goes into the session's config file only. */
export interface GitRemote {
  url: string;
  token: string | undefined;
  tempDir: string;
  mask: (secret: string) => void;
}

export function openRemoteSession(remote: GitRemote): Promise<GitSession> {
  return openGitSession({ remoteUrl: remote.url, token: remote.token, tempDir: remote.tempDir, mask: remote.mask });
}

/** A push refused because someone else moved the branch first: fetch, redo and retry. */
export function isPushRace(r: GitResult): boolean {
  return /\(fetch first\)|\(non-fast-forward\)|failed to update ref|cannot lock ref|incorrect old value|stale info/i.test(`${r.stdout}\n${r.stderr}`);
}

export type GitFailureReason = 'auth_failed' | 'permission_denied' | 'repo_not_found' | 'file_too_large' | 'push_rejected' | 'network';

/**
 * Why a git command against a remote failed, read from what git and GitHub print. Callers turn the
 * reason into their own error and remedy (a backup branch and the status branch advise differently).
 */
export function gitFailureReason(output: string): GitFailureReason {
  if (/could not read Username|Authentication failed|Invalid username or token|returned error: 401/i.test(output)) return 'auth_failed';
  if (/Permission to .* denied|returned error: 403|Resource not accessible/i.test(output)) return 'permission_denied';
  if (/Repository not found|repository '[^']*' not found|returned error: 404/i.test(output)) return 'repo_not_found';
  if (/GH001|Large files detected|exceeds maximum allowed size/i.test(output)) return 'file_too_large';
  if (/GH006|GH013|protected branch|rule violations/i.test(output)) return 'push_rejected';
  return 'network';
}

/** The end of git's output, where the reason is: for a one-line message. */
export function lastLines(text: string, n = 3): string {
  return text.trim().split('\n').slice(-n).join(' | ');
}
