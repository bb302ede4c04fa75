// Runs the real Salesforce CLI (node_modules/@salesforce/cli, unmodified) on Node 24 in a sealed
// home: every state, config, data, cache and log directory lives under a temp dir, telemetry and
// update checks are off, and a preloaded guard refuses (and records) any connection that is not to
// the loopback interface, so sf can reach nothing but the emulator.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const NODE = path.join(ROOT, 'node_modules/.bin/node');
const SF_RUN = path.join(ROOT, 'node_modules/@salesforce/cli/bin/run.js');
const GUARD = pathToFileURL(path.join(ROOT, 'test/interop/net-guard.ts')).href;

/**
 * What every spawn of the Salesforce CLI gets, here and in the bench (and in .ci/run, ci.yml and
 * docs/development.md, which the harness test holds to this list): no telemetry, and no self-update.
 * Both update variables are needed: sf's own code reads SF_AUTOUPDATE_DISABLE, but the update hook of
 * @oclif/plugin-update reads only SF_DISABLE_AUTOUPDATE and otherwise starts a detached
 * `sf update --autoupdate` that outlives the command.
 */
export const SF_QUIET_ENV = {
  SF_DISABLE_TELEMETRY: 'true',
  SF_AUTOUPDATE_DISABLE: 'true',
  SF_DISABLE_AUTOUPDATE: 'true',
} as const;

/**
 * Set on every sf this process spawns, and inherited by whatever sf spawns in turn (a detached
 * updater included, which leaves both the process tree and the session): how a leftover is traced
 * back to the test process that started it.
 */
export const OWNER_VAR = 'SFBACKUP_INTEROP_OWNER';

export interface SfHome {
  /** The temp HOME; everything sf writes ends up below it. */
  dir: string;
  /** Where sf runs (no sfdx-project.json above it, so no project config leaks in). */
  cwd: string;
  env: Record<string, string>;
  /** Hosts the guard refused, one JSON line each. */
  netLog: string;
  /** Removes the whole home. */
  remove(): void;
}

export interface SfResult {
  args: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Parsed stdout when the command ran with --json and printed JSON. */
  json: SfJson | undefined;
  /** Non-loopback connections sf attempted during this run. */
  blocked: { host: string; port: string; argv: string[] }[];
  timedOut: boolean;
  ms: number;
}

/** The envelope sf prints with --json. */
export interface SfJson {
  status: number;
  result?: unknown;
  warnings?: string[];
  name?: string;
  message?: string;
  exitCode?: number;
  stack?: string;
  data?: unknown;
  context?: string;
}

/** A fresh sealed home for one test file. */
export function sfHome(extraEnv: Record<string, string> = {}): SfHome {
  const dir = mkdtempSync(path.join(tmpdir(), 'sf-interop-'));
  const sub = (p: string) => {
    const d = path.join(dir, p);
    mkdirSync(d, { recursive: true });
    return d;
  };
  const cwd = sub('work');
  const netLog = path.join(dir, 'blocked-hosts.jsonl');
  const env: Record<string, string> = {
    HOME: dir,
    USERPROFILE: dir,
    TMPDIR: sub('tmp'),
    PATH: [path.join(ROOT, 'node_modules/.bin'), '/usr/local/bin', '/usr/bin', '/bin'].join(path.delimiter),
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    // oclif: config, data and cache dirs (defaults would be $XDG_*_HOME/sf, set those too).
    XDG_CONFIG_HOME: sub('.config'),
    XDG_DATA_HOME: sub('.local/share'),
    XDG_CACHE_HOME: sub('.cache'),
    XDG_STATE_HOME: sub('.local/state'),
    SF_CONFIG_DIR: sub('.config/sf'),
    SF_DATA_DIR: sub('.local/share/sf'),
    SF_CACHE_DIR: sub('.cache/sf'),
    SFDX_CONFIG_DIR: sub('.config/sf'),
    SFDX_DATA_DIR: sub('.local/share/sf'),
    SFDX_CACHE_DIR: sub('.cache/sf'),
    // @salesforce/core keeps auth files, aliases and the generic keychain key in ~/.sfdx and ~/.sf
    // (os.homedir(), i.e. HOME above).
    SF_USE_GENERIC_UNIX_KEYCHAIN: 'true',
    SFDX_USE_GENERIC_UNIX_KEYCHAIN: 'true',
    USE_GENERIC_UNIX_KEYCHAIN: 'true',
    ...SF_QUIET_ENV,
    SFDX_DISABLE_TELEMETRY: 'true',
    SFDX_AUTOUPDATE_DISABLE: 'true',
    SFDX_DISABLE_AUTOUPDATE: 'true',
    SF_SKIP_NEW_VERSION_CHECK: 'true',
    SFDX_SKIP_NEW_VERSION_CHECK: 'true',
    SF_HIDE_RELEASE_NOTES: 'true',
    SFDX_HIDE_RELEASE_NOTES: 'true',
    SF_HIDE_RELEASE_NOTES_FOOTER: 'true',
    SF_DISABLE_DNS_CHECK: 'true',
    SFDX_DISABLE_DNS_CHECK: 'true',
    SF_DISABLE_LOG_FILE: 'true',
    SFDX_DISABLE_LOG_FILE: 'true',
    SF_LOG_LEVEL: 'warn',
    SF_USE_PROGRESS_BAR: 'false',
    SFDX_USE_PROGRESS_BAR: 'false',
    SF_INTEROP_NET_LOG: netLog,
    NODE_OPTIONS: `--import=${GUARD} --disable-warning=ExperimentalWarning --no-deprecation`,
    [OWNER_VAR]: String(process.pid),
    ...extraEnv,
  };
  return { dir, cwd, env, netLog, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function blockedSince(netLog: string, offset: number): { entries: SfResult['blocked']; size: number } {
  if (!existsSync(netLog)) return { entries: [], size: offset };
  const text = readFileSync(netLog, 'utf8');
  const entries = text
    .slice(offset)
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as SfResult['blocked'][number]);
  return { entries, size: text.length };
}

export interface SfRunOptions {
  env?: Record<string, string>;
  /** Hard limit for the whole invocation; the process group is killed after it. */
  timeoutMs?: number;
  stdin?: string;
}

/** Runs `sf <args>` in the sealed home and collects everything it printed. Never throws on exit codes. */
export function sf(home: SfHome, args: string[], options: SfRunOptions = {}): Promise<SfResult> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 120_000;
  const before = blockedSince(home.netLog, 0).size;
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [SF_RUN, ...args], {
      cwd: home.cwd,
      env: { ...home.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      // Own process group, so a timeout can end sf and anything it spawned.
      detached: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.end(options.stdin ?? '');
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      let json: SfJson | undefined;
      if (args.includes('--json')) {
        try {
          json = JSON.parse(stdout) as SfJson;
        } catch {
          json = undefined;
        }
      }
      const blocked = blockedSince(home.netLog, before).entries;
      resolve({ args, code, signal, stdout, stderr, json, blocked, timedOut, ms: Date.now() - started });
    });
  });
}

/** A readable account of one run, for assertion messages. */
export function describeRun(r: SfResult): string {
  const cut = (s: string) => (s.length > 4000 ? `${s.slice(0, 4000)}… (${s.length} chars)` : s);
  return [
    `sf ${r.args.join(' ')}`,
    `exit ${r.code}${r.signal ? ` signal ${r.signal}` : ''}${r.timedOut ? ' (TIMED OUT)' : ''} after ${r.ms} ms`,
    r.blocked.length ? `blocked hosts: ${r.blocked.map((b) => `${b.host}:${b.port}`).join(', ')}` : '',
    `stdout:\n${cut(r.stdout)}`,
    `stderr:\n${cut(r.stderr)}`,
  ]
    .filter(Boolean)
    .join('\n');
}

/**
 * Runs `sf <args> --json` and returns `result` when sf reports success; otherwise throws with
 * everything sf printed. Also fails when sf tried to reach any host but the emulator.
 */
export async function sfOk<T = unknown>(home: SfHome, args: string[], options: SfRunOptions = {}): Promise<{ result: T; run: SfResult }> {
  const run = await sf(home, [...args, '--json'], options);
  if (run.blocked.length > 0) throw new Error(`sf tried to reach a non-emulator host\n${describeRun(run)}`);
  if (run.timedOut || run.code !== 0 || !run.json || run.json.status !== 0) throw new Error(`sf failed\n${describeRun(run)}`);
  return { result: run.json.result as T, run };
}

/** A process left behind by sf. */
export interface SfLeftover {
  pid: number;
  cmdline: string;
  /** Why it counts as ours: the owner mark in its environment, an ancestor, or the session. */
  via: string;
}

function procText(pid: number | string, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'latin1');
  } catch {
    return undefined; // gone, or not ours to read
  }
}

/** ppid and session id from /proc/PID/stat (the command name in parentheses may hold anything). */
function statOf(pid: number | string): { ppid: number; sid: number } | undefined {
  const stat = procText(pid, 'stat');
  if (!stat) return undefined;
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(rest[1]), sid: Number(rest[3]) };
}

function hasAncestor(pid: number, ancestor: number): boolean {
  let p = pid;
  for (let hops = 0; hops < 64 && p > 1; hops++) {
    const st = statOf(p);
    if (!st) return false;
    if (st.ppid === ancestor) return true;
    p = st.ppid;
  }
  return false;
}

// `sf update --autoupdate` as @oclif/plugin-update's init hook starts it, or anything running that
// plugin's code.
const UPDATER = /(^|[\s/])(sf|sfdx|run\.js)\s+update(\s|$)|plugin-update/;

/**
 * Processes that sf started for `owner` (this test process by default) and that are still running:
 * anything carrying the owner mark in its environment, and any sf updater that has `owner` as an
 * ancestor or shares its session. Linux only (/proc); elsewhere the list is empty.
 */
export function sfLeftovers(owner: number = process.pid): SfLeftover[] {
  if (!existsSync('/proc/self/stat')) return [];
  const ownSid = statOf(owner)?.sid;
  const mark = `\0${OWNER_VAR}=${owner}\0`;
  const found: SfLeftover[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === owner || pid === process.pid) continue;
    const raw = procText(pid, 'cmdline');
    if (!raw) continue; // kernel thread or gone
    const cmdline = raw.replace(/\0+$/, '').replaceAll('\0', ' ');
    let via: string | undefined;
    if (`\0${procText(pid, 'environ') ?? ''}`.includes(mark)) via = `${OWNER_VAR}=${owner} in its environment`;
    else if (UPDATER.test(cmdline)) {
      if (hasAncestor(pid, owner)) via = `a descendant of ${owner}`;
      else if (ownSid !== undefined && statOf(pid)?.sid === ownSid) via = `in the session of ${owner}`;
    }
    if (via) found.push({ pid, cmdline, via });
  }
  return found;
}

/**
 * Fails, naming each, when sf left a process behind (a self-updater above all); ends them first, by
 * their PIDs, so one failing run does not leave them to the next.
 */
export function assertNoSfLeftovers(): void {
  const left = sfLeftovers();
  if (left.length === 0) return;
  for (const p of left) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  throw new Error(
    `the Salesforce CLI left ${left.length} process(es) running (now killed); an \`sf update\` means SF_DISABLE_AUTOUPDATE was not set:\n${left
      .map((p) => `  pid ${p.pid} (${p.via}): ${p.cmdline}`)
      .join('\n')}`,
  );
}
