// Runs the real Salesforce CLI (node_modules/@salesforce/cli, unmodified) on Node 24 in a sealed
// home: every state, config, data, cache and log directory lives under a temp dir, telemetry and
// update checks are off, and a preloaded guard refuses (and records) any connection that is not to
// the loopback interface, so sf can reach nothing but the emulator.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const NODE = path.join(ROOT, 'node_modules/.bin/node');
const SF_RUN = path.join(ROOT, 'node_modules/@salesforce/cli/bin/run.js');
const GUARD = pathToFileURL(path.join(ROOT, 'test/interop/net-guard.ts')).href;

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
    SF_DISABLE_TELEMETRY: 'true',
    SFDX_DISABLE_TELEMETRY: 'true',
    SF_AUTOUPDATE_DISABLE: 'true',
    SFDX_AUTOUPDATE_DISABLE: 'true',
    SF_DISABLE_AUTOUPDATE: 'true',
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
