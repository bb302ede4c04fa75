// The product as a user runs it: `sfbackup backup` in its own process, under /usr/bin/time -v for
// its peak RSS (or, where that tool is missing, by sampling VmHWM from /proc while it runs).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { EmulatorCredentials } from './emulator-child.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const NODE = path.join(ROOT, 'node_modules/.bin/node');
export const ENTRIES = {
  dist: path.join(ROOT, 'dist/cli.js'),
  src: path.join(ROOT, 'src/cli/bin.ts'),
  driver: path.join(ROOT, 'test/bench/ours-driver.ts'),
  incremental: path.join(ROOT, 'test/bench/incremental-driver.ts'),
} as const;
const TIME = '/usr/bin/time';

export interface OursResult {
  seconds: number;
  peakRssMb: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface OursOptions {
  entry: keyof typeof ENTRIES;
  creds: EmulatorCredentials;
  out: string;
  args: string[];
  /** Extra Node flags for the product's process (e.g. a heap cap), before the entry file. */
  nodeFlags: string[];
  /** Progress lines of the product, passed through. */
  log: (line: string) => void;
  /** Arguments after the entry file instead of `backup --out <out> <args>`. */
  argv?: string[];
  /** A script to run instead of the entry's (a bundle the bench made). */
  script?: string;
  /** Extra environment for the product. */
  env?: Record<string, string>;
}

function readHwmKb(pid: number): number {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmHWM:\s+(\d+) kB/);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

export function runOurs(o: OursOptions): Promise<OursResult> {
  const nodeArgs = [
    '--disable-warning=ExperimentalWarning',
    ...o.nodeFlags,
    o.script ?? ENTRIES[o.entry],
    ...(o.argv ?? ['backup', '--out', o.out, ...o.args]),
  ];
  const useTime = existsSync(TIME);
  const [cmd, args] = useTime ? [TIME, ['-v', NODE, ...nodeArgs]] : [NODE, nodeArgs];
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    SF_LOGIN_URL: o.creds.loginUrl,
    SF_CLIENT_ID: o.creds.clientId,
    SF_CLIENT_SECRET: o.creds.clientSecret,
    SF_REFRESH_TOKEN: o.creds.refreshToken,
    // The product's one tuning knob read from the environment: parse threads (docs/performance.md).
    ...(process.env.SFBACKUP_PARSE_THREADS ? { SFBACKUP_PARSE_THREADS: process.env.SFBACKUP_PARSE_THREADS } : {}),
    ...o.env,
  };
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let hwmKb = 0;
    const sampler = useTime
      ? undefined
      : setInterval(() => {
          if (child.pid) hwmKb = Math.max(hwmKb, readHwmKb(child.pid));
        }, 50);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
    });
    // /usr/bin/time's report lines start with a tab: kept for parsing, not echoed as progress.
    createInterface({ input: child.stderr }).on('line', (line) => {
      if (line.trim() && !line.startsWith('\t')) o.log(`  ours +${((performance.now() - started) / 1000).toFixed(1)}s: ${line}`);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (sampler) clearInterval(sampler);
      const m = stderr.match(/Maximum resident set size \(kbytes\): (\d+)/);
      if (m) hwmKb = Number(m[1]);
      // /usr/bin/time exits with the command's code.
      resolve({ seconds, peakRssMb: hwmKb / 1024, code, stdout, stderr });
    });
  });
}
