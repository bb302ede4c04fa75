import type { Clock } from '../salesforce/clock.ts';
import type { FaultInjector } from '../salesforce/control/faults.ts';
import type { ActionsStore } from './actions-store.ts';
import type { BlobStore } from './blob/store.ts';
import type { IssuesStore } from './issues-store.ts';
import type { WorkflowsStore } from './workflows-store.ts';

export interface Repo {
  id: number;
  owner: string;
  name: string;
  defaultBranch: string;
  /** The bare repository on disk: `<reposDir>/<owner>/<name>.git`. */
  gitDir: string;
  createdAt: number;
}

export interface Run {
  /** `GITHUB_RUN_ID`, what REST paths use. */
  id: number;
  /** The results service's ids for the run and for the job holding the runtime token. */
  backendId: string;
  jobBackendId: string;
  runNumber: number;
  repo: Repo;
  headBranch: string;
  headSha: string;
  workflow: string;
  job: string;
  createdAt: number;
}

export interface Artifact {
  /** Twirp `database_id` and REST `id`. */
  id: number;
  name: string;
  run: Run;
  jobBackendId: string;
  mimeType: string;
  /** Blob path inside the container; ends with the file name a download is saved under. */
  blobName: string;
  fileName: string;
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
  finalized: boolean;
  size: number;
  /** `sha256:<hex>` once finalized. */
  digest?: string;
  /** Set once an expired artifact's blob has been removed. */
  purged?: boolean;
}

export type Permission = 'none' | 'read' | 'write';

/**
 * The permission names of GitHub App installation tokens (fine-grained tokens have the same set).
 * `secrets`/`actions_variables` cover repository scope, `environments` environment scope, the
 * `organization_*` ones organization scope. GITHUB_TOKEN has no secrets or variables permission.
 */
export const PERMISSION_NAMES = [
  'actions',
  'contents',
  'issues',
  'secrets',
  'environments',
  'organization_secrets',
  'actions_variables',
  'organization_actions_variables',
] as const;
export type PermissionName = (typeof PERMISSION_NAMES)[number];

/** `installation` (`ghs_…`, GitHub App or GITHUB_TOKEN) or `fine_grained` (`github_pat_…`): they word 403s differently. */
export type TokenKind = 'installation' | 'fine_grained';

export interface TokenInfo {
  token: string;
  /** Who the token acts as (git's `REMOTE_USER`, permission error texts). */
  login: string;
  kind: TokenKind;
  permissions: Record<PermissionName, Permission>;
}

export interface RequestLogEntry {
  seq: number;
  at: number;
  surface: 'rest' | 'twirp' | 'git';
  method: string;
  path: string;
  /** Query string with signatures and tokens redacted. */
  query: string;
  headers: Record<string, string>;
  status?: number;
  /** Twirp requests: the decoded JSON body (holds ids and names, nothing secret). */
  body?: unknown;
  /** Fault rule that fired on this request. */
  fault?: number;
}

export interface GitHubState {
  clock: Clock;
  faults: FaultInjector;
  requestLog: RequestLogEntry[];
  requestLogLimit: number;
  /** Keyed by lower-case `owner/name`: GitHub names are case-insensitive. */
  repos: Map<string, Repo>;
  runs: Map<number, Run>;
  artifacts: Map<number, Artifact>;
  tokens: Map<string, TokenInfo>;
  /** Secrets and variables, per scope (see actions-store.ts); environments by `repoKey` + name. */
  actions: ActionsStore;
  /** Issues, labels and comments per repository (see issues-store.ts). */
  issues: IssuesStore;
  /** Workflows (state, dispatches) per repository (see workflows-store.ts). */
  workflows: WorkflowsStore;
  /** Per-token request counts behind the `x-ratelimit-*` headers (never enforced). */
  rate: Map<string, { resetAt: number; used: number }>;
  seq: { repo: number; run: number; runNumber: number; artifact: number; request: number };
  retention: { defaultDays: number; maxDays: number };
  /** HMAC key of the runtime tokens the emulator mints. */
  runtimeTokenKey: Buffer;
  acceptUnsignedRuntimeTokens: boolean;
  reposDir: string;
  blobs: BlobStore;
  /** `http://127.0.0.1:PORT`, known once the server listens. */
  baseUrl: string;
}

export function repoKey(owner: string, name: string): string {
  return `${owner}/${name}`.toLowerCase();
}

export function findRepo(state: GitHubState, owner: string, name: string): Repo | undefined {
  return state.repos.get(repoKey(owner, name));
}

export function findRunByBackendId(state: GitHubState, backendId: string): Run | undefined {
  for (const run of state.runs.values()) if (run.backendId === backendId) return run;
  return undefined;
}
