import type { Clock } from '../salesforce/clock.ts';
import type { FaultInjector } from '../salesforce/control/faults.ts';
import type { BlobStore } from './blob/store.ts';

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

export interface TokenInfo {
  token: string;
  /** Who the token acts as (git's `REMOTE_USER`, permission error texts). */
  login: string;
  permissions: { actions: Permission; contents: Permission };
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
