// The GitHub emulator: one loopback HTTP server for the REST API, the Actions results service
// (Twirp), git smart HTTP and the /__gh control surface, plus an Azurite child process that holds
// the artifact blobs behind the signed URLs.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Clock } from '../salesforce/clock.ts';
import { FaultInjector } from '../salesforce/control/faults.ts';
import {
  addSecretFailure,
  createEnvironment,
  initSodium,
  newActionsStore,
  type OrgVisibility,
  rotateKey,
  type ScopeRef,
  type SecretWriteFailure,
  type SecretWriteFailureInput,
  type SecretWriteRecord,
  scopeOrThrow,
} from './actions-store.ts';
import { type Azurite, startAzurite } from './blob/azurite.ts';
import { BlobStore } from './blob/store.ts';
import {
  type IssueView,
  issueView,
  type KeyPairView,
  keyPairView,
  registerActionsControlRoutes,
  type SecretView,
  secretView,
  seedSecret,
  seedVariable,
  type VariableView,
  variableView,
} from './control/actions.ts';
import { playFault } from './control/faults.ts';
import { gitUrlOf, registerControlRoutes } from './control/routes.ts';
import { registerWorkflowControlRoutes, type WorkflowView, workflowOrThrow, workflowView } from './control/workflows.ts';
import { GitBackend, matchGitPath } from './git/http-backend.ts';
import { RestError, sendJson, sendRestError, sendText, sendTwirpError, TwirpError } from './http/respond.ts';
import { type Ctx, Router } from './http/router.ts';
import { newIssuesStore, repoIssues } from './issues-store.ts';
import {
  type CreateRepoOptions,
  type CreateTokenOptions,
  createRepo,
  createRun,
  createToken,
  runEnv,
  runtimeToken,
  type SeedArtifactOptions,
  SetupError,
  seedArtifact,
} from './operations.ts';
import { registerArtifactRoutes } from './rest/artifacts.ts';
import { authenticateRest } from './rest/auth.ts';
import { registerIssueRoutes } from './rest/issues.ts';
import { registerRepoRoutes } from './rest/repos.ts';
import { registerSecretRoutes } from './rest/secrets.ts';
import { registerVariableRoutes } from './rest/variables.ts';
import { registerWorkflowRoutes } from './rest/workflows.ts';
import { type Artifact, findRepo, type GitHubState, type Repo, type RequestLogEntry, type Run } from './state.ts';
import { serveTwirp } from './twirp/artifact-service.ts';
import { type AddWorkflowOptions, addWorkflow, newWorkflowsStore, setWorkflowState, type WorkflowState } from './workflows-store.ts';

export type { ScopeRef, SecretWriteFailure, SecretWriteFailureInput, SecretWriteRecord } from './actions-store.ts';
export type { IssueView, KeyPairView, SecretView, VariableView } from './control/actions.ts';
export type { WorkflowView } from './control/workflows.ts';
export type { WorkflowState } from './workflows-store.ts';

export interface GitHubEmulatorOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** The repository the default run belongs to. */
  owner?: string;
  repo?: string;
  /** Give the default repository a first commit on `main` (default true). */
  initialCommit?: boolean;
  /** The default token's value (a random `ghs_…` otherwise). */
  token?: string;
  /** Repository default retention (GITHUB_RETENTION_DAYS) and the maximum a client may ask for. */
  retentionDays?: number;
  maxRetentionDays?: number;
  requestLogLimit?: number;
  /** Accept runtime tokens the emulator did not sign (e.g. hand-made `{"scp":"Actions.Results:r:j"}`). */
  acceptUnsignedRuntimeTokens?: boolean;
}

export interface EnvOptions {
  workspace?: string;
  runnerTemp?: string;
  token?: string;
}

/** A secret's or variable's place plus its name; src/github/contracts.ts `SecretTarget` fits as it is. */
export type NamedScopeRef = ScopeRef & { name: string };

export interface RunHandle {
  /** GITHUB_RUN_ID */
  id: number;
  backendId: string;
  jobBackendId: string;
  owner: string;
  repo: string;
  runtimeToken: string;
  env(opts?: EnvOptions): Record<string, string>;
}

export interface GitHubEmulator {
  /** `http://127.0.0.1:PORT`: REST base (GITHUB_API_URL), results service origin, git host and control. */
  baseUrl: string;
  apiUrl: string;
  /** ACTIONS_RESULTS_URL (with the trailing slash the runner gives it). */
  resultsUrl: string;
  controlUrl: string;
  /** Azurite's blob endpoint for the development account, and its process id. */
  blobUrl: string;
  azuritePid: number;
  /** Temp directory of the bare repositories; removed by close(). */
  dataDir: string;
  owner: string;
  repo: string;
  /** The default token: contents and actions read/write, valid for REST and git. */
  token: string;
  /** The default run (of owner/repo) and its runtime token. */
  run: RunHandle;
  runtimeToken: string;
  state: GitHubState;
  blobs: BlobStore;
  gitUrl(owner?: string, repo?: string): string;
  bareRepoPath(owner?: string, repo?: string): string;
  /** The ACTIONS_* / GITHUB_* variables of a job of the default run. */
  env(opts?: EnvOptions): Record<string, string>;
  createRepo(opts: CreateRepoOptions): Promise<Repo>;
  createRun(opts?: { owner?: string; repo?: string; headBranch?: string }): Promise<RunHandle>;
  createToken(opts?: CreateTokenOptions): string;
  seedArtifact(opts: Omit<SeedArtifactOptions, 'run'> & { runId?: number }): Promise<Artifact>;
  advanceClock(ms: number): void;
  requests(): RequestLogEntry[];
  /** Creates a deployment environment of a repository (default: the default one); env secrets need it. */
  createEnvironment(name: string, opts?: { owner?: string; repo?: string }): string;
  /** A stored secret with its decrypted value and what the writer sent; undefined when absent. */
  secret(target: NamedScopeRef): SecretView | undefined;
  /** Every secret of a scope (default: the default repository). */
  secrets(scope?: ScopeRef): SecretView[];
  /** Stores a secret as if written through the API (sealed with the scope's current key). */
  setSecret(target: NamedScopeRef, value: string, opts?: { visibility?: OrgVisibility; selectedRepositoryIds?: number[] }): SecretView;
  /** The scope's current X25519 key pair (base64) and key id: for decrypting in an independent implementation. */
  secretKeyPair(scope?: ScopeRef): KeyPairView;
  /** A new key pair and key id for the scope; writes carrying the old key id then get 422. */
  rotateSecretKey(scope?: ScopeRef): KeyPairView;
  /** Makes the next matching secret PUTs fail with `status` (`times` default 1, 0 = until cleared). */
  failSecretWrites(rule: SecretWriteFailureInput): SecretWriteFailure;
  clearSecretFailures(): void;
  /** Every secret PUT received, refused ones included (key id and sealed box, never the plaintext). */
  secretWrites(): SecretWriteRecord[];
  variable(target: NamedScopeRef): VariableView | undefined;
  variables(scope?: ScopeRef): VariableView[];
  setVariable(target: NamedScopeRef, value: string): VariableView;
  /** Issues of a repository (default: the default one), oldest first, with labels and comments. */
  issues(opts?: { owner?: string; repo?: string; state?: 'open' | 'closed' | 'all' }): IssueView[];
  issue(number: number, opts?: { owner?: string; repo?: string }): IssueView | undefined;
  /** Adds a workflow file to a repository (default: the default one), `active` unless `state` says otherwise. */
  addWorkflow(opts: AddWorkflowOptions & { owner?: string; repo?: string }): WorkflowView;
  /** Sets a workflow's state as GitHub (`disabled_inactivity`) or a person (`disabled_manually`) would. */
  setWorkflowState(workflow: string | number, state: WorkflowState, opts?: { owner?: string; repo?: string }): WorkflowView;
  /** A workflow by id or file name, with the dispatches it received; undefined when absent. */
  workflow(workflow: string | number, opts?: { owner?: string; repo?: string }): WorkflowView | undefined;
  close(): Promise<void>;
}

const LOGGED_HEADERS = [
  'user-agent',
  'content-type',
  'accept',
  'content-encoding',
  'content-length',
  'transfer-encoding',
  'git-protocol',
  'x-github-api-version',
];
const SECRET_PARAMS = /^(sig|token|access_token|code|client_secret)$/i;

function redactQuery(search: string): string {
  if (!search) return '';
  const params = new URLSearchParams(search);
  for (const k of [...params.keys()]) if (SECRET_PARAMS.test(k)) params.set(k, '<redacted>');
  return `?${params.toString()}`;
}

function logRequest(state: GitHubState, req: IncomingMessage, res: ServerResponse, url: URL, surface: RequestLogEntry['surface']): RequestLogEntry {
  const headers: Record<string, string> = {};
  for (const h of LOGGED_HEADERS) {
    const v = req.headers[h];
    if (typeof v === 'string') headers[h] = v;
  }
  // Keep the scheme word (tests check git's `basic`, Octokit's `token`), never the credential.
  const auth = req.headers.authorization;
  if (auth) headers.authorization = `${auth.split(/\s+/)[0]} <redacted>`;
  const entry: RequestLogEntry = {
    seq: state.seq.request++,
    at: state.clock.now(),
    surface,
    method: req.method ?? 'GET',
    path: url.pathname,
    query: redactQuery(url.search),
    headers,
  };
  state.requestLog.push(entry);
  if (state.requestLog.length > state.requestLogLimit) state.requestLog.splice(0, state.requestLog.length - state.requestLogLimit);
  res.on('finish', () => {
    entry.status = res.statusCode;
  });
  res.on('close', () => {
    entry.status ??= res.writableFinished ? res.statusCode : 0;
  });
  return entry;
}

function sendFailure(res: ServerResponse, surface: RequestLogEntry['surface'] | 'control', err: unknown, what: string): void {
  const known = err instanceof TwirpError || err instanceof RestError || err instanceof SetupError;
  if (!known) process.stderr.write(`github emulator: ${what}: ${(err as Error).stack ?? String(err)}\n`);
  if (res.headersSent) {
    res.destroy(err instanceof Error ? err : undefined);
    return;
  }
  if (err instanceof TwirpError) sendTwirpError(res, err);
  else if (err instanceof RestError) sendRestError(res, err);
  else if (err instanceof SetupError) sendJson(res, err.status, { error: err.message });
  else if (surface === 'twirp') sendTwirpError(res, new TwirpError('internal', 'internal error'));
  else if (surface === 'git') sendText(res, 500, 'internal error\n');
  else if (surface === 'control') sendJson(res, 500, { error: (err as Error).message });
  else sendRestError(res, new RestError(500, 'Server Error'));
}

export async function startGitHubEmulator(options: GitHubEmulatorOptions = {}): Promise<GitHubEmulator> {
  const host = options.host ?? '127.0.0.1';
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gh-emu-'));
  const reposDir = path.join(dataDir, 'repos');
  mkdirSync(reposDir);
  const gitBackend = new GitBackend();
  let azurite: Azurite | undefined;
  let server: http.Server | undefined;

  const cleanup = async () => {
    gitBackend.closeAll();
    if (server) {
      const s = server;
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections();
      });
    }
    if (azurite) await azurite.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    await initSodium();
    azurite = await startAzurite(host);
    const blobs = new BlobStore(azurite.accountUrl);
    await blobs.init();
    const state: GitHubState = {
      clock: new Clock(),
      faults: new FaultInjector(),
      requestLog: [],
      requestLogLimit: options.requestLogLimit ?? 5000,
      repos: new Map(),
      runs: new Map(),
      artifacts: new Map(),
      tokens: new Map(),
      actions: newActionsStore(),
      issues: newIssuesStore(),
      workflows: newWorkflowsStore(),
      rate: new Map(),
      seq: { repo: 700001, run: 9100000001, runNumber: 1, artifact: 3100000001, request: 1 },
      retention: { defaultDays: options.retentionDays ?? 90, maxDays: options.maxRetentionDays ?? 90 },
      runtimeTokenKey: randomBytes(32),
      acceptUnsignedRuntimeTokens: options.acceptUnsignedRuntimeTokens ?? false,
      reposDir,
      blobs,
      baseUrl: '',
    };

    let defaultRepo: Repo | undefined;
    let defaultToken = '';
    const rest = new Router();
    registerRepoRoutes(rest);
    registerArtifactRoutes(rest);
    registerSecretRoutes(rest);
    registerVariableRoutes(rest);
    registerIssueRoutes(rest);
    registerWorkflowRoutes(rest);
    const control = new Router();
    registerControlRoutes(control, {
      token: () => defaultToken,
      repo: () => defaultRepo as Repo,
    });
    registerActionsControlRoutes(control);
    registerWorkflowControlRoutes(control);

    const handle = async (req: IncomingMessage, res: ServerResponse) => {
      // Concatenated, not resolved: a path starting `//` must not be read as a host.
      const url = new URL(`${state.baseUrl}${req.url ?? '/'}`);
      const base: Omit<Ctx, 'path'> = { req, res, url, params: {}, state };
      if (url.pathname === '/__gh' || url.pathname.startsWith('/__gh/')) {
        const ctx: Ctx = { ...base, path: url.pathname.replace(/\/+$/, '') };
        const m = control.match(req.method ?? 'GET', ctx.path);
        try {
          if (!m) throw new SetupError(404, `no control route ${req.method} ${ctx.path}`);
          if ('allowed' in m) throw new SetupError(405, `allowed: ${m.allowed.join(', ')}`);
          ctx.params = m.params;
          await m.handler(ctx);
        } catch (err) {
          sendFailure(res, 'control', err, `${req.method} ${ctx.path}`);
        }
        return;
      }
      const gitRoute = matchGitPath(url.pathname);
      const surface: RequestLogEntry['surface'] = url.pathname.startsWith('/twirp/') ? 'twirp' : gitRoute ? 'git' : 'rest';
      const entry = logRequest(state, req, res, url, surface);
      const ctx: Ctx = { ...base, path: surface === 'rest' ? url.pathname.replace(/(.)\/+$/, '$1') : url.pathname, entry };
      try {
        const fault = state.faults.take(entry.method, url.pathname);
        if (fault) {
          entry.fault = fault.id;
          if (await playFault(fault, surface, res)) return;
        }
        if (surface === 'twirp') return await serveTwirp(ctx);
        if (gitRoute) return await gitBackend.serve(ctx, gitRoute);
        const m = rest.match(entry.method, ctx.path);
        if (!m) throw new RestError(404, 'Not Found');
        if ('allowed' in m) throw new RestError(404, 'Not Found');
        ctx.params = m.params;
        ctx.auth = authenticateRest(ctx);
        await m.handler(ctx);
      } catch (err) {
        sendFailure(res, surface, err, `${entry.method} ${url.pathname}`);
      }
    };

    const srv = http.createServer((req, res) => {
      handle(req, res).catch((err: unknown) => sendFailure(res, 'rest', err, 'dispatch'));
    });
    server = srv;
    // Git pushes and blob-sized bodies can be slow: no server-side request timeout.
    srv.requestTimeout = 0;
    srv.keepAliveTimeout = 5000;
    const port = await new Promise<number>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(options.port ?? 0, host, () => {
        srv.off('error', reject);
        resolve((srv.address() as AddressInfo).port);
      });
    });
    state.baseUrl = `http://${host}:${port}`;

    const owner = options.owner ?? 'octo-org';
    const repoName = options.repo ?? 'salesforce-backups';
    defaultRepo = await createRepo(state, { owner, name: repoName, initialCommit: options.initialCommit ?? true });
    defaultToken = createToken(state, options.token ? { token: options.token } : {}).token;

    const repoOrThrow = (o?: string, r?: string): Repo => {
      const repo = findRepo(state, o ?? owner, r ?? repoName);
      if (!repo) throw new Error(`no repository ${o}/${r}`);
      return repo;
    };
    const runHandle = (run: Run): RunHandle => ({
      id: run.id,
      backendId: run.backendId,
      jobBackendId: run.jobBackendId,
      owner: run.repo.owner,
      repo: run.repo.name,
      runtimeToken: runtimeToken(state, run),
      env: (opts = {}) => runEnv(state, run, { token: opts.token ?? defaultToken, ...opts }),
    });
    const scopeOf = (ref?: ScopeRef) => scopeOrThrow(state, ref ?? { scope: 'repository', owner, repo: repoName });
    const defaultRun = runHandle(await createRun(state, { repo: defaultRepo }));
    const azur = azurite;

    let closed = false;
    return {
      baseUrl: state.baseUrl,
      apiUrl: state.baseUrl,
      resultsUrl: `${state.baseUrl}/`,
      controlUrl: `${state.baseUrl}/__gh`,
      blobUrl: azur.accountUrl,
      azuritePid: azur.pid,
      dataDir,
      owner,
      repo: repoName,
      token: defaultToken,
      run: defaultRun,
      runtimeToken: defaultRun.runtimeToken,
      state,
      blobs,
      gitUrl: (o, r) => gitUrlOf(state, repoOrThrow(o, r)),
      bareRepoPath: (o, r) => repoOrThrow(o, r).gitDir,
      env: (opts) => defaultRun.env(opts),
      createRepo: (opts) => createRepo(state, opts),
      createRun: async (opts = {}) =>
        runHandle(await createRun(state, { repo: repoOrThrow(opts.owner, opts.repo), ...(opts.headBranch ? { headBranch: opts.headBranch } : {}) })),
      createToken: (opts) => createToken(state, opts).token,
      seedArtifact: (opts) => {
        const run = opts.runId === undefined ? state.runs.get(defaultRun.id) : state.runs.get(opts.runId);
        if (!run) throw new Error(`no run ${opts.runId}`);
        return seedArtifact(state, { ...opts, run });
      },
      advanceClock: (ms) => state.clock.advance(ms),
      requests: () => state.requestLog,
      createEnvironment: (name, opts = {}) => createEnvironment(state, repoOrThrow(opts.owner, opts.repo), name),
      secret: (target) => {
        const scope = scopeOf(target);
        const s = scope.secrets.get(target.name.toUpperCase());
        return s ? secretView(scope, s) : undefined;
      },
      secrets: (ref) => {
        const scope = scopeOf(ref);
        return [...scope.secrets.values()].map((s) => secretView(scope, s));
      },
      setSecret: (target, value, opts = {}) => seedSecret(state, scopeOf(target), target.name, value, opts),
      secretKeyPair: (ref) => keyPairView(scopeOf(ref)),
      rotateSecretKey: (ref) => {
        const scope = scopeOf(ref);
        rotateKey(state, scope);
        return keyPairView(scope);
      },
      failSecretWrites: (rule) => addSecretFailure(state, rule),
      clearSecretFailures: () => {
        state.actions.failures.length = 0;
      },
      secretWrites: () => state.actions.writes,
      variable: (target) => {
        const scope = scopeOf(target);
        const v = scope.variables.get(target.name.toUpperCase());
        return v ? variableView(scope, v) : undefined;
      },
      variables: (ref) => {
        const scope = scopeOf(ref);
        return [...scope.variables.values()].map((v) => variableView(scope, v));
      },
      setVariable: (target, value) => seedVariable(state, scopeOf(target), target.name, value),
      issues: (opts = {}) => {
        const repo = repoOrThrow(opts.owner, opts.repo);
        const want = opts.state ?? 'all';
        return repoIssues(state, repo)
          .issues.filter((i) => want === 'all' || i.state === want)
          .map((i) => issueView(state, repo, i));
      },
      addWorkflow: ({ owner: o, repo: r, ...opts }) => workflowView(addWorkflow(state, repoOrThrow(o, r), opts)),
      setWorkflowState: (workflow, next, opts = {}) => {
        const w = workflowOrThrow(state, repoOrThrow(opts.owner, opts.repo), String(workflow));
        setWorkflowState(state, w, next);
        return workflowView(w);
      },
      workflow: (workflow, opts = {}) => {
        const repo = repoOrThrow(opts.owner, opts.repo);
        try {
          return workflowView(workflowOrThrow(state, repo, String(workflow)));
        } catch (err) {
          if (err instanceof SetupError) return undefined;
          throw err;
        }
      },
      issue: (n, opts = {}) => {
        const repo = repoOrThrow(opts.owner, opts.repo);
        const i = repoIssues(state, repo).issues.find((x) => x.number === n);
        return i ? issueView(state, repo, i) : undefined;
      },
      async close() {
        if (closed) return;
        closed = true;
        await cleanup();
      },
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
