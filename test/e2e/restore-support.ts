// What the restore action's e2e tests share: one job of a workflow run on a fresh runner (its own
// workspace, temp folder and GITHUB_* files), started the way GitHub starts the action, and the
// restore step's `with:` of .github/workflows/restore.yml evaluated for a dispatch as the runner does.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { GitHubEmulator, RunHandle } from '../emulators/github/emulator.ts';
import { ACTION_ENTRY, parseOutputFile, runNode } from '../helpers/dist.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
// SFBACKUP_TEST_FROM_SOURCE=1 runs the sources, so the tests need no rebuild while developing.
const ACTION = process.env.SFBACKUP_TEST_FROM_SOURCE === '1' ? path.join(ROOT, 'src/action/main.ts') : ACTION_ENTRY;

export interface RestoreRunner {
  /** One job of a run (a new one unless `run` is given; `attempt` re-runs its job). */
  step(
    inputs: Record<string, string>,
    opts?: { event?: Record<string, string>; run?: RunHandle; attempt?: number },
  ): Promise<Awaited<ReturnType<typeof runNode>> & { run: RunHandle; outputs: Record<string, string>; summary: string; errors: string }>;
  /** The INPUT_* values restore.yml's step gives the action for a dispatch with these inputs. */
  dispatchInputs(event: Record<string, string>): Record<string, string>;
}

export function restoreRunner(o: { gh: GitHubEmulator; work: string; config: () => string; secrets: () => Record<string, string> }): RestoreRunner {
  let jobs = 0;
  return {
    async step(inputs, opts = {}) {
      const dir = path.join(o.work, `job-${++jobs}`);
      const workspace = path.join(dir, 'workspace');
      const temp = path.join(dir, 'temp');
      mkdirSync(path.join(workspace, '.github'), { recursive: true });
      mkdirSync(temp, { recursive: true });
      writeFileSync(path.join(workspace, '.github/salesforce-backup.yml'), o.config());
      const files = Object.fromEntries(
        ['GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY', 'GITHUB_STATE', 'GITHUB_ENV', 'GITHUB_PATH'].map((k) => [k, path.join(dir, k)]),
      );
      for (const f of Object.values(files)) writeFileSync(f, '');
      const run = opts.run ?? (await o.gh.createRun());
      const env: Record<string, string> = {
        ...run.env(),
        ...files,
        GITHUB_WORKSPACE: workspace,
        RUNNER_TEMP: temp,
        GITHUB_RUN_ATTEMPT: String(opts.attempt ?? 1),
      };
      if (opts.event) {
        const event = path.join(dir, 'event.json');
        writeFileSync(event, JSON.stringify({ inputs: opts.event, ref: 'refs/heads/main', workflow: '.github/workflows/restore.yml' }));
        Object.assign(env, { GITHUB_EVENT_NAME: 'workflow_dispatch', GITHUB_EVENT_PATH: event });
      }
      for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
      const ran = await runNode(ACTION, [], env);
      return {
        ...ran,
        run,
        outputs: parseOutputFile(readFileSync(files.GITHUB_OUTPUT as string, 'utf8')),
        summary: readFileSync(files.GITHUB_STEP_SUMMARY as string, 'utf8'),
        /** What the runner shows as the step's error annotations. */
        errors: ran.stdout
          .split('\n')
          .filter((l) => l.startsWith('::error'))
          .join('\n'),
      };
    },

    dispatchInputs(event) {
      const wf = parseYaml(readFileSync(path.join(ROOT, '.github/workflows/restore.yml'), 'utf8')) as {
        on: { workflow_dispatch: { inputs: Record<string, { default?: unknown }> } };
        jobs: { restore: { steps: { uses?: string; with?: Record<string, string> }[] } };
      };
      const declared = wf.on.workflow_dispatch.inputs;
      const value = (name: string) => {
        assert.ok(name in declared, `restore.yml declares no input ${name}`);
        return event[name] ?? String(declared[name]?.default ?? '');
      };
      const secrets = o.secrets();
      const stepWith = wf.jobs.restore.steps.find((s) => s.uses === './')?.with ?? {};
      const out: Record<string, string> = {};
      for (const [k, expr] of Object.entries(stepWith)) {
        out[k] = String(expr).replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_m, e: string) => {
          if (e === 'toJSON(secrets)') return JSON.stringify(secrets);
          if (e.startsWith('inputs.')) return value(e.slice('inputs.'.length));
          if (e.startsWith('secrets.')) return secrets[e.slice('secrets.'.length)] ?? '';
          throw new Error(`unhandled expression ${e}`);
        });
      }
      for (const name of Object.keys(event)) assert.ok(name in declared, `restore.yml declares no input ${name}`);
      return { ...out, 'github-token': o.gh.token, 'backup-remote': o.gh.gitUrl() };
    },
  };
}
