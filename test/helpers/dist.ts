// Runs the BUILT entry points the way their users do: dist/index.js as the Actions runner starts it
// (INPUT_* variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files), dist/cli.js as a shell would.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
export const ACTION_ENTRY = path.join(root, 'dist/index.js');
export const CLI_ENTRY = path.join(root, 'dist/cli.js');

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Started {
  pid: number;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts a command with only the environment given (plus PATH), as `env -i` would, capturing its
 * output. `detached` puts it in a process group of its own (pid = pgid), as a shell job.
 */
export function startCommand(command: string, args: string[], env: Record<string, string>, opts: { cwd?: string; detached?: boolean } = {}): Started {
  const child = spawn(command, args, {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: opts.detached ?? false,
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString('utf8');
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString('utf8');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  if (child.pid === undefined) throw new Error(`${command} did not start`);
  return { pid: child.pid, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Starts a file with this Node (see startCommand). */
export function startNode(file: string, args: string[], env: Record<string, string>, opts: { cwd?: string; detached?: boolean } = {}): Started {
  return startCommand(process.execPath, ['--disable-warning=ExperimentalWarning', file, ...args], env, opts);
}

/** Runs a file with this Node and only the environment given (plus PATH), to completion. */
export async function runNode(file: string, args: string[], env: Record<string, string>, opts: { cwd?: string } = {}): Promise<Ran> {
  const started = startNode(file, args, env, opts);
  const { code } = await started.exited;
  return { code, stdout: started.stdout(), stderr: started.stderr() };
}

export interface ActionRun extends Ran {
  outputs: Record<string, string>;
  summary: string;
}

/**
 * The environment the runner gives a `runs.using: node24` step whose files live in `dir`: each input
 * as INPUT_<NAME> (upper-case, spaces to underscores), the GITHUB_* command files created empty.
 */
export function actionEnvironment(
  dir: string,
  inputs: Record<string, string>,
  runnerTemp = dir,
): { env: Record<string, string>; files: Record<string, string> } {
  const files = Object.fromEntries(['GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY', 'GITHUB_STATE', 'GITHUB_ENV', 'GITHUB_PATH'].map((k) => [k, path.join(dir, k)]));
  for (const f of Object.values(files)) writeFileSync(f, '');
  const env: Record<string, string> = {
    ...files,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: dir,
    RUNNER_TEMP: runnerTemp,
    GITHUB_REPOSITORY: 'acme/salesforce-backups',
    GITHUB_RUN_ID: '1',
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  return { env, files };
}

/** `runs.using: node24` as the runner does it, to completion, in a fresh workspace. */
export async function runAction(inputs: Record<string, string>, entry: string = ACTION_ENTRY): Promise<ActionRun> {
  const dir = mkdtempSync(path.join(tmpdir(), 'action-run-'));
  try {
    const { env, files } = actionEnvironment(dir, inputs);
    const ran = await runNode(entry, [], env);
    return {
      ...ran,
      outputs: parseOutputFile(readFileSync(files.GITHUB_OUTPUT as string, 'utf8')),
      summary: readFileSync(files.GITHUB_STEP_SUMMARY as string, 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** GITHUB_OUTPUT holds `name<<DELIMITER … DELIMITER` blocks (from @actions/core) and `name=value` lines. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc as unknown as [string, string, string];
      const end = lines.indexOf(delimiter, i + 1);
      assert.ok(end > i, `unterminated output ${name}`);
      out[name] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

/**
 * No secret may appear anywhere except in its own `::add-mask::` command (which the runner swallows).
 * `maskedFirst` secrets must be masked before the first line that is not a mask command.
 */
export function assertSecretsHidden(texts: Record<string, string>, secrets: Record<string, string>, maskedFirst: string[] = []): void {
  for (const [where, text] of Object.entries(texts)) {
    for (const [what, value] of Object.entries(secrets)) {
      const leaks = text.split('\n').filter((l) => l.includes(value) && l !== `::add-mask::${value}`);
      assert.deepEqual(leaks, [], `${what} appears in ${where}`);
    }
  }
  const stdout = texts.stdout ?? '';
  const lines = stdout.split('\n');
  const firstOther = lines.findIndex((l) => !l.startsWith('::add-mask::'));
  for (const what of maskedFirst) {
    const value = secrets[what] as string;
    const at = lines.indexOf(`::add-mask::${value}`);
    assert.ok(at >= 0 && (firstOther < 0 || at < firstOther), `${what} is not masked before the first log line`);
  }
}
