// What the fault suite shares: the built CLI and action run as a user runs them, the emulator's
// credentials as the CLI's environment, and the one guarantee every failed run is held to: the
// previous snapshot is byte-identical afterwards (sha256 of every file, symlink targets included).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Emulator } from '../emulators/salesforce/emulator.ts';
import { ACTION_ENTRY, actionEnvironment, CLI_ENTRY, parseOutputFile, type Ran, runAction, runNode, type Started, startNode } from '../helpers/dist.ts';

export type { Started };

import { creds } from '../helpers/emulator.ts';

const root = path.resolve(import.meta.dirname, '../..');

/**
 * The entry points under test: the built bundles (what users run and what CI checks), or the
 * sources with SFBACKUP_TEST_FROM_SOURCE=1 while developing, so a test needs no rebuild.
 */
export const FROM_SOURCE = process.env.SFBACKUP_TEST_FROM_SOURCE === '1';
export const CLI = FROM_SOURCE ? path.join(root, 'src/cli/bin.ts') : CLI_ENTRY;
export const ACTION = FROM_SOURCE ? path.join(root, 'src/action/main.ts') : ACTION_ENTRY;

/** The CLI's login settings for one emulated org, as a user exports them. */
export function cliEnv(emu: Emulator, alias?: string, extra: Record<string, string> = {}): Record<string, string> {
  const c = creds(emu, alias);
  return {
    SF_LOGIN_URL: c.loginUrl,
    SF_CLIENT_ID: c.clientId,
    SF_CLIENT_SECRET: c.clientSecret,
    SF_REFRESH_TOKEN: c.refreshToken,
    HOME: process.env.HOME ?? '/tmp',
    ...extra,
  };
}

/** `sfbackup ARGS` with only the environment given (plus PATH), to completion. */
export function sfbackup(args: string[], env: Record<string, string>, opts: { cwd?: string } = {}): Promise<Ran> {
  return runNode(CLI, args, env, opts);
}

/** The action as the runner starts it (see test/helpers/dist.ts), from source when FROM_SOURCE. */
export function action(inputs: Record<string, string>): ReturnType<typeof runAction> {
  return runAction(inputs, ACTION);
}

/**
 * `sfbackup ARGS` started and left running, the PID a user would see in `ps` returned, for tests
 * that send signals. `detached` puts it in a process group of its own (pid = pgid), as a shell job.
 */
export function startSfbackup(args: string[], env: Record<string, string>, opts: { detached?: boolean } = {}): Started {
  return startNode(CLI, args, env, opts);
}

/** The action started as the runner starts it in the workspace `dir` (RUNNER_TEMP inside it), left running. */
export function startAction(inputs: Record<string, string>, dir: string): Started {
  const runnerTemp = path.join(dir, 'runner-temp');
  mkdirSync(runnerTemp, { recursive: true });
  return startNode(ACTION, [], actionEnvironment(dir, inputs, runnerTemp).env);
}

export interface Step extends Ran {
  outputs: Record<string, string>;
  summary: string;
  /** GITHUB_WORKSPACE of the step: pass it to the next step to keep its folders (a self-hosted runner). */
  workspace: string;
}

let steps = 0;
/**
 * One job step of the action with `config` as `.github/salesforce-backup.yml` in the workspace, the
 * way a workflow runs it after actions/checkout. Each step gets its own command files and temp
 * folder under `work`; the workspace is kept between steps when `workspace` is given.
 */
export async function actionStep(
  work: string,
  config: string,
  inputs: Record<string, string>,
  opts: { workspace?: string; env?: Record<string, string> } = {},
): Promise<Step> {
  const dir = path.join(work, `step-${++steps}`);
  const workspace = opts.workspace ?? path.join(dir, 'workspace');
  const temp = path.join(dir, 'temp');
  mkdirSync(path.join(workspace, '.github'), { recursive: true });
  mkdirSync(temp, { recursive: true });
  writeFileSync(path.join(workspace, '.github/salesforce-backup.yml'), config);
  const { env, files } = actionEnvironment(dir, { command: 'backup', 'config-file': '.github/salesforce-backup.yml', ...inputs }, temp);
  const ran = await runNode(ACTION, [], { ...env, ...opts.env, GITHUB_WORKSPACE: workspace });
  return {
    ...ran,
    outputs: parseOutputFile(readFileSync(files.GITHUB_OUTPUT as string, 'utf8')),
    summary: readFileSync(files.GITHUB_STEP_SUMMARY as string, 'utf8'),
    workspace,
  };
}

/** sha256 of every file under `dir` (relative path → digest); symlinks by their target, `->target`. */
export function treeHashes(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  const walk = (rel: string) => {
    const abs = path.join(dir, rel);
    const st = lstatSync(abs);
    if (st.isSymbolicLink()) out.set(rel, `->${readlinkSync(abs)}`);
    else if (st.isDirectory()) for (const name of readdirSync(abs).sort()) walk(rel ? path.join(rel, name) : name);
    else out.set(rel, createHash('sha256').update(readFileSync(abs)).digest('hex'));
  };
  walk('');
  return out;
}

/** The guarantee: the tree is exactly as it was (no file added, removed or changed). */
export function assertTreeUnchanged(before: Map<string, string>, dir: string, what = dir): void {
  const after = treeHashes(dir);
  const changed = [...new Set([...before.keys(), ...after.keys()])].filter((k) => before.get(k) !== after.get(k)).sort();
  assert.deepEqual(changed, [], `${what} changed after a failed run: ${changed.slice(0, 10).join(', ')}`);
  assert.ok(before.size > 0, `${what} held nothing to protect: the test proves nothing`);
}

/** Every line of `texts` is searched for every secret of the org. */
export function assertNoSecretsIn(emu: Emulator, texts: Record<string, string>, alias?: string): void {
  const c = creds(emu, alias);
  for (const [where, text] of Object.entries(texts))
    for (const [what, value] of Object.entries({ refreshToken: c.refreshToken, clientSecret: c.clientSecret }))
      assert.ok(!text.includes(value), `the ${what} appears in ${where}`);
}

/** True while a process with this pid exists (signal 0 checks without sending anything). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
