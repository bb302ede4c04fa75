// Who this job is and where it runs: the repository, the token, GitHub's API and web URLs, the run,
// scratch space, and how a secret is hidden from the log. The one reader of the runner's
// environment (GITHUB_*, RUNNER_TEMP), so the action, the CLI and the storage targets agree on the
// defaults. Masking is what the entry point passes in (the action passes core.setSecret): this
// module knows nothing of @actions/core.
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const DEFAULT_GITHUB_API_URL = 'https://api.github.com';
export const DEFAULT_GITHUB_SERVER_URL = 'https://github.com';

/** What a caller knows better than the environment (a flag, an input); each wins over its variable. */
export interface JobContextOverrides {
  /** GITHUB_TOKEN by default. */
  token?: string | undefined;
  /** `owner/name`; GITHUB_REPOSITORY by default. */
  repository?: string | undefined;
  /** GITHUB_API_URL by default, then https://api.github.com. */
  apiUrl?: string | undefined;
  /** GITHUB_SERVER_URL by default, then https://github.com. */
  serverUrl?: string | undefined;
  /** RUNNER_TEMP by default, then the OS temp dir. */
  tempDir?: string | undefined;
  /** Registers a value to be masked in logs; nothing by default (outside Actions a mask would print it). */
  mask?: ((secret: string) => void) | undefined;
}

export interface JobContext {
  token: string | undefined;
  /** `owner/name` as given; undefined when unknown. `repositoryRef` splits it. */
  repository: string | undefined;
  /** Without a trailing slash. */
  apiUrl: string;
  /** Without a trailing slash. */
  serverUrl: string;
  tempDir: string;
  /** GITHUB_WORKSPACE: the checkout the workflow runs in; undefined outside Actions. */
  workspace: string | undefined;
  /**
   * The running workflow's file in the checkout (from GITHUB_WORKFLOW_REF,
   * `owner/repo/.github/workflows/backup.yml@refs/heads/main`); undefined outside Actions.
   */
  workflowFile: string | undefined;
  /** GITHUB_RUN_ID; undefined outside Actions. */
  runId: string | undefined;
  /** The workflow run's page; null on a laptop (or when the runner does not say where it is). */
  runUrl: string | null;
  mask: (secret: string) => void;
}

function trimSlashes(url: string): string {
  return url.replace(/\/+$/, '');
}

/** The job as the overrides and the environment describe it. An empty value counts as unset. */
export function jobContext(overrides: JobContextOverrides = {}, env: NodeJS.ProcessEnv = process.env): JobContext {
  const repository = overrides.repository || env.GITHUB_REPOSITORY || undefined;
  const runId = env.GITHUB_RUN_ID || undefined;
  // Only a runner that names its server has a run page; the default host is not guessed for it.
  const runServer = env.GITHUB_SERVER_URL;
  return {
    token: overrides.token || env.GITHUB_TOKEN || undefined,
    repository,
    apiUrl: trimSlashes(overrides.apiUrl || env.GITHUB_API_URL || DEFAULT_GITHUB_API_URL),
    serverUrl: trimSlashes(overrides.serverUrl || env.GITHUB_SERVER_URL || DEFAULT_GITHUB_SERVER_URL),
    tempDir: overrides.tempDir || env.RUNNER_TEMP || tmpdir(),
    workspace: env.GITHUB_WORKSPACE || undefined,
    workflowFile: workflowFileOf(env),
    runId,
    runUrl: runServer && repository && runId ? `${trimSlashes(runServer)}/${repository}/actions/runs/${runId}` : null,
    mask: overrides.mask ?? (() => {}),
  };
}

/** `owner/name` split; undefined unless both parts are there. */
export function repositoryRef(repository: string | undefined): { owner: string; repo: string } | undefined {
  const [owner, repo] = repository?.split('/') ?? [];
  return owner && repo ? { owner, repo } : undefined;
}

/**
 * Points GITHUB_API_URL at `apiUrl` for a toolkit library that reads the variable itself
 * (@actions/artifact's download). A variable already set to another URL wins: says so.
 */
export function exportApiUrl(apiUrl: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const current = env.GITHUB_API_URL;
  if (!current) {
    env.GITHUB_API_URL = apiUrl;
    return undefined;
  }
  return trimSlashes(current) === apiUrl
    ? undefined
    : `GITHUB_API_URL (${current}) differs from the API URL given (${apiUrl}); the download uses GITHUB_API_URL`;
}

function workflowFileOf(env: NodeJS.ProcessEnv): string | undefined {
  const m = /^[^/]+\/[^/]+\/(.+?)@/.exec(env.GITHUB_WORKFLOW_REF ?? '');
  const workspace = env.GITHUB_WORKSPACE;
  return m?.[1] && workspace ? join(workspace, m[1]) : undefined;
}
