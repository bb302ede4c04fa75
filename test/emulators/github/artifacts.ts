// Artifact lifecycle shared by the Twirp results service, the REST API and the control surface.
import type { Artifact, GitHubState, Run } from './state.ts';

const DAY_MS = 24 * 3600 * 1000;

/** Characters the real client refuses in artifact names (checked again here for hand-made clients). */
const BAD_NAME_CHARS = /[":<>|*?\r\n\\/]/;

export function artifactNameProblem(name: string): string | undefined {
  if (!name) return 'artifact name is required';
  if (BAD_NAME_CHARS.test(name)) return `artifact name '${name}' contains an invalid character: none of " : < > | * ? \\r \\n \\ / are allowed`;
  return undefined;
}

export function isExpired(state: GitHubState, a: Artifact): boolean {
  return state.clock.now() >= a.expiresAt;
}

/** Finalized and not expired: what the results service lists and serves. */
export function isLive(state: GitHubState, a: Artifact): boolean {
  return a.finalized && !isExpired(state, a);
}

/**
 * Removes the blobs of artifacts that have expired (their records stay, `expired: true`, as on
 * GitHub) and forgets uploads never finalized within a day. Runs before every API request so a
 * clock advance takes effect at once.
 */
export async function sweepExpired(state: GitHubState): Promise<void> {
  const now = state.clock.now();
  for (const a of [...state.artifacts.values()]) {
    if (a.finalized && !a.purged && now >= a.expiresAt) {
      a.purged = true;
      await state.blobs.delete(a.blobName);
    } else if (!a.finalized && now - a.createdAt > DAY_MS) {
      state.artifacts.delete(a.id);
      await state.blobs.delete(a.blobName);
    }
  }
}

/**
 * When the artifact expires. The client sends `expires_at` computed from real time, so the
 * retention it meant is that distance from real now, applied to the emulator clock; it is clamped
 * to the repository maximum, and absent means the repository default.
 */
export function expiryFor(state: GitHubState, requestedExpiresAt?: number): number {
  const now = state.clock.now();
  if (requestedExpiresAt === undefined) return now + state.retention.defaultDays * DAY_MS;
  const retention = Math.min(requestedExpiresAt - Date.now(), state.retention.maxDays * DAY_MS);
  return now + retention;
}

export function blobFileName(name: string, mimeType: string): string {
  return mimeType === 'application/zip' && !name.toLowerCase().endsWith('.zip') ? `${name}.zip` : name;
}

export function createArtifact(state: GitHubState, run: Run, jobBackendId: string, name: string, mimeType: string, expiresAt: number): Artifact {
  const id = state.seq.artifact++;
  const fileName = blobFileName(name, mimeType);
  const now = state.clock.now();
  const artifact: Artifact = {
    id,
    name,
    run,
    jobBackendId,
    mimeType,
    fileName,
    blobName: `${run.backendId}/${jobBackendId}/${id}/${fileName}`,
    createdAt: now,
    updatedAt: now,
    expiresAt,
    finalized: false,
    size: 0,
  };
  state.artifacts.set(id, artifact);
  return artifact;
}

/** Artifacts of a workflow run, oldest first; `live` keeps only those the results service would show. */
export function artifactsOfRun(state: GitHubState, run: Run, opts: { live?: boolean; finalized?: boolean } = {}): Artifact[] {
  return [...state.artifacts.values()]
    .filter((a) => a.run === run)
    .filter((a) => (opts.live ? isLive(state, a) : opts.finalized ? a.finalized : true))
    .sort((x, y) => x.id - y.id);
}

export async function deleteArtifact(state: GitHubState, a: Artifact): Promise<void> {
  state.artifacts.delete(a.id);
  await state.blobs.delete(a.blobName);
}
