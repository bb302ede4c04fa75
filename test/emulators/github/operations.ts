// Setting the world up: repositories, workflow runs, tokens and ready-made artifacts. Used by the
// emulator handle and by the /__gh control routes alike.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { artifactNameProblem, artifactsOfRun, createArtifact } from './artifacts.ts';
import { zipStored } from './blob/zip.ts';
import { commitFiles, initBareRepo, listBranches } from './git/repos.ts';
import {
  type Artifact,
  findRepo,
  type GitHubState,
  PERMISSION_NAMES,
  type Permission,
  type Repo,
  type Run,
  repoKey,
  type TokenInfo,
  type TokenKind,
} from './state.ts';
import { mintRuntimeToken } from './twirp/runtime-token.ts';

const DAY_MS = 24 * 3600 * 1000;
const NAME = /^[A-Za-z0-9_.-]+$/;
export const BOT = { name: 'github-actions[bot]', email: '41898282+github-actions[bot]@users.noreply.github.com' };

export class SetupError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export interface CreateRepoOptions {
  owner: string;
  name: string;
  defaultBranch?: string;
  /** Commit a README (or `files`) on the default branch, as "Initialize this repository with a README" does. */
  initialCommit?: boolean;
  files?: Record<string, string>;
}

export async function createRepo(state: GitHubState, opts: CreateRepoOptions): Promise<Repo> {
  if (!NAME.test(opts.owner) || !NAME.test(opts.name) || opts.name.toLowerCase().endsWith('.git')) {
    throw new SetupError(422, `invalid repository name ${opts.owner}/${opts.name}`);
  }
  if (findRepo(state, opts.owner, opts.name)) throw new SetupError(422, `repository ${opts.owner}/${opts.name} already exists`);
  const repo: Repo = {
    id: state.seq.repo++,
    owner: opts.owner,
    name: opts.name,
    defaultBranch: opts.defaultBranch ?? 'main',
    gitDir: path.join(state.reposDir, opts.owner, `${opts.name}.git`),
    createdAt: state.clock.now(),
  };
  await initBareRepo(repo.gitDir, repo.defaultBranch);
  if (opts.initialCommit || opts.files) {
    const files = opts.files ?? { 'README.md': `# ${opts.name}\n` };
    await commitFiles(repo.gitDir, repo.defaultBranch, files, 'Initial commit', { ...BOT, at: state.clock.now() });
  }
  state.repos.set(repoKey(repo.owner, repo.name), repo);
  return repo;
}

export interface CreateRunOptions {
  repo: Repo;
  headBranch?: string;
  workflow?: string;
  job?: string;
}

/** A workflow run (one job) of a repository; its head sha is the branch tip when the branch exists. */
export async function createRun(state: GitHubState, opts: CreateRunOptions): Promise<Run> {
  const headBranch = opts.headBranch ?? opts.repo.defaultBranch;
  const branches = await listBranches(opts.repo.gitDir);
  const run: Run = {
    id: state.seq.run++,
    backendId: randomUUID(),
    jobBackendId: randomUUID(),
    runNumber: state.seq.runNumber++,
    repo: opts.repo,
    headBranch,
    headSha: branches[headBranch] ?? createHash('sha1').update(randomBytes(16)).digest('hex'),
    workflow: opts.workflow ?? 'Salesforce backup',
    job: opts.job ?? 'backup',
    createdAt: state.clock.now(),
  };
  state.runs.set(run.id, run);
  return run;
}

export interface CreateTokenOptions {
  token?: string;
  login?: string;
  /** `installation` (default, `ghs_…`) or `fine_grained` (`github_pat_…`). */
  kind?: TokenKind;
  permissions?: Partial<TokenInfo['permissions']>;
}

const PERMISSIONS: Permission[] = ['none', 'read', 'write'];

/**
 * Permissions a token has unless told otherwise: what a workflow's GITHUB_TOKEN usually gets
 * (contents, actions, issues). Secrets and variables need a token that asks for them, as on GitHub.
 */
export const DEFAULT_PERMISSIONS: TokenInfo['permissions'] = {
  actions: 'write',
  contents: 'write',
  issues: 'write',
  secrets: 'none',
  environments: 'none',
  organization_secrets: 'none',
  actions_variables: 'none',
  organization_actions_variables: 'none',
};

/** A token for REST and git; by default GITHUB_TOKEN-like (see DEFAULT_PERMISSIONS). */
export function createToken(state: GitHubState, opts: CreateTokenOptions = {}): TokenInfo {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const kind = opts.kind ?? 'installation';
  if (kind !== 'installation' && kind !== 'fine_grained') throw new SetupError(422, 'kind must be installation or fine_grained');
  const prefix = kind === 'fine_grained' ? 'github_pat_' : 'ghs_';
  const token = opts.token ?? `${prefix}${[...randomBytes(36)].map((b) => alphabet[b % alphabet.length]).join('')}`;
  for (const k of Object.keys(opts.permissions ?? {})) {
    if (!(PERMISSION_NAMES as readonly string[]).includes(k)) throw new SetupError(422, `unknown permission ${k}; known: ${PERMISSION_NAMES.join(', ')}`);
  }
  const permissions = { ...DEFAULT_PERMISSIONS, ...opts.permissions };
  for (const p of Object.values(permissions)) if (!PERMISSIONS.includes(p)) throw new SetupError(422, `permission must be one of ${PERMISSIONS.join(', ')}`);
  const info: TokenInfo = { token, login: opts.login ?? BOT.name, kind, permissions };
  state.tokens.set(token, info);
  return info;
}

export function runtimeToken(state: GitHubState, run: Run): string {
  return mintRuntimeToken(state.runtimeTokenKey, { runBackendId: run.backendId, jobBackendId: run.jobBackendId });
}

export interface RunEnvOptions {
  token: string;
  workspace?: string;
  runnerTemp?: string;
}

/**
 * The variables a JavaScript action sees in a job of this run, pointed at the emulator.
 * `GITHUB_SERVER_URL` stays https://github.com: @actions/artifact refuses any other host as GHES,
 * so git remotes must come from gitUrl() rather than from the server URL.
 */
export function runEnv(state: GitHubState, run: Run, opts: RunEnvOptions): Record<string, string> {
  const repo = run.repo;
  return {
    ACTIONS_RUNTIME_TOKEN: runtimeToken(state, run),
    ACTIONS_RESULTS_URL: `${state.baseUrl}/`,
    GITHUB_API_URL: state.baseUrl,
    GITHUB_GRAPHQL_URL: `${state.baseUrl}/graphql`,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: `${repo.owner}/${repo.name}`,
    GITHUB_REPOSITORY_OWNER: repo.owner,
    GITHUB_REPOSITORY_ID: String(repo.id),
    GITHUB_RUN_ID: String(run.id),
    GITHUB_RUN_NUMBER: String(run.runNumber),
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_WORKFLOW: run.workflow,
    GITHUB_JOB: run.job,
    GITHUB_SHA: run.headSha,
    GITHUB_REF: `refs/heads/${run.headBranch}`,
    GITHUB_REF_NAME: run.headBranch,
    GITHUB_REF_TYPE: 'branch',
    GITHUB_ACTOR: 'octocat',
    GITHUB_EVENT_NAME: 'workflow_dispatch',
    GITHUB_RETENTION_DAYS: String(state.retention.defaultDays),
    GITHUB_TOKEN: opts.token,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    RUNNER_OS: 'Linux',
    ...(opts.workspace ? { GITHUB_WORKSPACE: opts.workspace } : {}),
    ...(opts.runnerTemp ? { RUNNER_TEMP: opts.runnerTemp } : {}),
  };
}

export interface SeedArtifactOptions {
  run: Run;
  name: string;
  /** Zipped (stored entries) into the artifact, as an upload of these files would be. */
  files?: Record<string, string>;
  /** Raw content instead (an upload with skipArchive); `mimeType` then says what it is. */
  content?: Buffer;
  mimeType?: string;
  retentionDays?: number;
}

/** An artifact that is already uploaded and finalized, as if an earlier job had made it. */
export async function seedArtifact(state: GitHubState, opts: SeedArtifactOptions): Promise<Artifact> {
  const problem = artifactNameProblem(opts.name);
  if (problem) throw new SetupError(422, problem);
  if (artifactsOfRun(state, opts.run, { live: true }).some((a) => a.name === opts.name)) {
    throw new SetupError(409, 'an artifact with this name already exists on the workflow run');
  }
  if (!opts.files === !opts.content) throw new SetupError(422, 'give exactly one of files or content');
  if (opts.files && opts.mimeType && opts.mimeType !== 'application/zip') throw new SetupError(422, 'files make a zip: mimeType must be application/zip');
  const data = opts.files ? zipStored(opts.files) : (opts.content as Buffer);
  const mimeType = opts.files ? 'application/zip' : (opts.mimeType ?? 'application/octet-stream');
  const days = Math.min(opts.retentionDays ?? state.retention.defaultDays, state.retention.maxDays);
  const artifact = createArtifact(state, opts.run, opts.run.jobBackendId, opts.name, mimeType, state.clock.now() + days * DAY_MS);
  await state.blobs.put(artifact.blobName, data, mimeType);
  artifact.finalized = true;
  artifact.size = data.length;
  artifact.digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
  return artifact;
}
