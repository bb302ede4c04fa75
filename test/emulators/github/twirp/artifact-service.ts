// The results service's ArtifactService as @actions/artifact calls it: Twirp over JSON with proto
// field names, int64 values as strings, wrappers as bare values, defaults omitted.
import { randomUUID } from 'node:crypto';
import { artifactNameProblem, artifactsOfRun, createArtifact, deleteArtifact, expiryFor, isLive, sweepExpired } from '../artifacts.ts';
import { readSmallBody, sendJson, TwirpError } from '../http/respond.ts';
import type { Ctx } from '../http/router.ts';
import { type Artifact, findRunByBackendId, type GitHubState, type Run } from '../state.ts';
import { verifyRuntimeToken } from './runtime-token.ts';

export const TWIRP_PREFIX = '/twirp/github.actions.results.api.v1.ArtifactService/';

type Body = Record<string, unknown>;

/** A field by its proto name or its lowerCamelCase JSON name (protojson parsers accept both). */
function field(body: Body, name: string): unknown {
  if (body[name] !== undefined && body[name] !== null) return body[name];
  const camel = name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  const v = body[camel];
  return v === null ? undefined : v;
}

function str(body: Body, name: string, required = false): string | undefined {
  const v = field(body, name);
  if (v === undefined) {
    if (required) throw new TwirpError('invalid_argument', `${name} is required`);
    return undefined;
  }
  if (typeof v !== 'string') throw new TwirpError('malformed', `the json request could not be decoded: ${name} must be a string`);
  return v;
}

function int64(body: Body, name: string): number | undefined {
  const v = field(body, name);
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : typeof v === 'number' && Number.isInteger(v) ? v : Number.NaN;
  if (Number.isNaN(n)) throw new TwirpError('malformed', `the json request could not be decoded: ${name} must be an int64`);
  return n;
}

function timestamp(body: Body, name: string): number | undefined {
  const v = str(body, name);
  if (v === undefined) return undefined;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw new TwirpError('malformed', `the json request could not be decoded: ${name} must be an RFC 3339 timestamp`);
  return ms;
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString();
}

/** The caller's run, from the runtime token, checked against the run id the body names. */
function callerRun(ctx: Ctx, body: Body): { run: Run; jobBackendId: string } {
  const auth = ctx.req.headers.authorization ?? '';
  const m = /^bearer\s+(\S+)$/i.exec(auth);
  if (!m?.[1]) throw new TwirpError('unauthenticated', 'missing or malformed Authorization header: a runtime token is required');
  const ids = verifyRuntimeToken(m[1], ctx.state.runtimeTokenKey, ctx.state.acceptUnsignedRuntimeTokens);
  if ('problem' in ids) throw new TwirpError('unauthenticated', ids.problem);
  const run = findRunByBackendId(ctx.state, ids.runBackendId) ?? adoptRun(ctx.state, ids.runBackendId, ids.jobBackendId);
  const bodyRun = str(body, 'workflow_run_backend_id', true);
  str(body, 'workflow_job_run_backend_id', true);
  if (bodyRun !== run.backendId) throw new TwirpError('permission_denied', 'the workflow run backend id does not match the runtime token');
  return { run, jobBackendId: ids.jobBackendId };
}

/** Hand-made tokens (allowed with acceptUnsignedRuntimeTokens) name runs the emulator never made: file them under the default run's repo. */
function adoptRun(state: GitHubState, backendId: string, jobBackendId: string): Run {
  const first = state.runs.values().next().value;
  if (!state.acceptUnsignedRuntimeTokens || !first) throw new TwirpError('unauthenticated', 'the runtime token names an unknown workflow run');
  const run: Run = {
    ...first,
    id: state.seq.run++,
    runNumber: state.seq.runNumber++,
    backendId,
    jobBackendId,
    createdAt: state.clock.now(),
    headSha: first.headSha || randomUUID().replace(/-/g, ''),
  };
  state.runs.set(run.id, run);
  return run;
}

function newest(list: Artifact[]): Artifact | undefined {
  return list.reduce<Artifact | undefined>((best, a) => (!best || a.id > best.id ? a : best), undefined);
}

function monolith(a: Artifact): Body {
  return {
    workflow_run_backend_id: a.run.backendId,
    workflow_job_run_backend_id: a.jobBackendId,
    database_id: String(a.id),
    name: a.name,
    ...(a.size ? { size: String(a.size) } : {}),
    created_at: rfc3339(a.createdAt),
    ...(a.digest ? { digest: a.digest } : {}),
  };
}

async function createArtifactRpc(ctx: Ctx, body: Body): Promise<Body> {
  const { run, jobBackendId } = callerRun(ctx, body);
  const name = str(body, 'name') ?? '';
  const problem = artifactNameProblem(name);
  if (problem) throw new TwirpError('invalid_argument', problem);
  const mimeType = str(body, 'mime_type') || 'application/zip';
  const requested = timestamp(body, 'expires_at');
  if (requested !== undefined && requested <= Date.now()) throw new TwirpError('invalid_argument', 'expires_at must be in the future');
  const existing = artifactsOfRun(ctx.state, run).filter((a) => a.name === name);
  if (existing.some((a) => isLive(ctx.state, a))) throw new TwirpError('already_exists', 'an artifact with this name already exists on the workflow run');
  // An upload that was never finalized (a crashed job, a retried step) is simply replaced.
  for (const a of existing) if (!a.finalized) await deleteArtifact(ctx.state, a);
  const artifact = createArtifact(ctx.state, run, jobBackendId, name, mimeType, expiryFor(ctx.state, requested));
  return { ok: true, signed_upload_url: ctx.state.blobs.uploadUrl(artifact.blobName) };
}

async function finalizeArtifactRpc(ctx: Ctx, body: Body): Promise<Body> {
  const { run } = callerRun(ctx, body);
  const name = str(body, 'name') ?? '';
  const all = artifactsOfRun(ctx.state, run).filter((a) => a.name === name);
  const artifact = newest(all.filter((a) => !a.finalized));
  if (!artifact) {
    if (all.some((a) => isLive(ctx.state, a))) throw new TwirpError('already_exists', 'an artifact with this name already exists on the workflow run');
    throw new TwirpError('not_found', `artifact '${name}' was not created on this workflow run`);
  }
  const size = int64(body, 'size') ?? 0;
  const hash = str(body, 'hash');
  const stat = await ctx.state.blobs.stat(artifact.blobName);
  if (!stat) throw new TwirpError('failed_precondition', `no content was committed for artifact '${name}'`);
  if (stat.size !== size) throw new TwirpError('invalid_argument', `artifact size mismatch: the client reported ${size} bytes, storage holds ${stat.size}`);
  const digest = `sha256:${stat.sha256}`;
  if (hash !== undefined && hash.toLowerCase() !== digest)
    throw new TwirpError('invalid_argument', `artifact hash mismatch: the client reported ${hash}, storage holds ${digest}`);
  artifact.finalized = true;
  artifact.size = stat.size;
  artifact.digest = digest;
  artifact.updatedAt = ctx.state.clock.now();
  return { ok: true, artifact_id: String(artifact.id) };
}

async function listArtifactsRpc(ctx: Ctx, body: Body): Promise<Body> {
  const { run } = callerRun(ctx, body);
  const nameFilter = str(body, 'name_filter');
  const idFilter = int64(body, 'id_filter');
  const list = artifactsOfRun(ctx.state, run, { live: true })
    .filter((a) => nameFilter === undefined || a.name === nameFilter)
    .filter((a) => idFilter === undefined || a.id === idFilter);
  return list.length ? { artifacts: list.map(monolith) } : {};
}

function liveByName(ctx: Ctx, run: Run, name: string): Artifact {
  const a = newest(artifactsOfRun(ctx.state, run, { live: true }).filter((x) => x.name === name));
  if (!a) throw new TwirpError('not_found', `artifact '${name}' not found`);
  return a;
}

async function getSignedArtifactUrlRpc(ctx: Ctx, body: Body): Promise<Body> {
  const { run } = callerRun(ctx, body);
  const a = liveByName(ctx, run, str(body, 'name', true) ?? '');
  return { signed_url: ctx.state.blobs.downloadUrl(a.blobName, a.fileName) };
}

async function deleteArtifactRpc(ctx: Ctx, body: Body): Promise<Body> {
  const { run } = callerRun(ctx, body);
  const a = liveByName(ctx, run, str(body, 'name', true) ?? '');
  await deleteArtifact(ctx.state, a);
  return { ok: true, artifact_id: String(a.id) };
}

const METHODS: Record<string, (ctx: Ctx, body: Body) => Promise<Body>> = {
  CreateArtifact: createArtifactRpc,
  FinalizeArtifact: finalizeArtifactRpc,
  ListArtifacts: listArtifactsRpc,
  GetSignedArtifactURL: getSignedArtifactUrlRpc,
  DeleteArtifact: deleteArtifactRpc,
};

/** Serves `POST /twirp/github.actions.results.api.v1.ArtifactService/<Method>`; errors are thrown as TwirpError. */
export async function serveTwirp(ctx: Ctx): Promise<void> {
  const method = ctx.path.startsWith(TWIRP_PREFIX) ? ctx.path.slice(TWIRP_PREFIX.length) : '';
  const rpc = METHODS[method];
  if (!rpc) throw new TwirpError('bad_route', `no handler for path ${ctx.path}`);
  if (ctx.req.method !== 'POST') throw new TwirpError('bad_route', `unsupported method ${ctx.req.method} (only POST is allowed)`);
  const contentType = (ctx.req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (contentType !== 'application/json') throw new TwirpError('bad_route', `unexpected Content-Type: ${ctx.req.headers['content-type'] ?? ''}`);
  const raw = await readSmallBody(ctx.req);
  if (!raw) throw new TwirpError('malformed', 'the request body is too large');
  let body: unknown;
  try {
    body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
  } catch {
    throw new TwirpError('malformed', 'the json request could not be decoded');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new TwirpError('malformed', 'the json request could not be decoded');
  if (ctx.entry) ctx.entry.body = body;
  await sweepExpired(ctx.state);
  sendJson(ctx.res, 200, await rpc(ctx, body as Body));
}
