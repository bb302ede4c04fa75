// A workflow artifact per org (`<prefix><alias>`), uploaded with the real @actions/artifact client.
// The previous snapshot is the newest unexpired artifact of that name in any run of the repository.
// @actions/artifact reads the environment when first imported, so it is imported lazily.
import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { createOctokit, httpStatus } from '../github/octokit.ts';
import { exportApiUrl } from '../runtime/job-context.ts';
import type { ArtifactStorageConfig, ResolvedContext } from './config.ts';
import { endOfDay, type PreviousSnapshot, type PublishResult, type StorageTarget } from './contracts.ts';
import { StorageError, type StorageFailureReason, TOKEN_INPUT } from './errors.ts';
import { checkAlias, hasManifest, listFiles, stagedSnapshot } from './files.ts';

export interface ArtifactRef {
  id: number;
  name: string;
  createdAt: string;
  runId: number | undefined;
  digest: string | undefined;
}

/**
 * The newest unexpired artifact of that exact name. The server's order is not documented, so sort
 * here: newest `created_at` first, the higher id breaking ties within a second.
 */
export function pickNewest(name: string, artifacts: (ArtifactRef & { expired: boolean })[]): ArtifactRef | undefined {
  const time = (a: ArtifactRef) => Date.parse(a.createdAt) || 0;
  const [newest] = artifacts.filter((a) => a.name === name && !a.expired).sort((a, b) => time(b) - time(a) || b.id - a.id);
  if (!newest) return undefined;
  const { expired: _, ...ref } = newest;
  return ref;
}

export class ArtifactTarget implements StorageTarget {
  readonly kind = 'artifact';
  // Older artifacts expire (retention-days): a shrinking run could leave no copy of what it drops.
  readonly onShrink = 'hold';
  private readonly config: ArtifactStorageConfig;
  private readonly ctx: ResolvedContext;

  constructor(config: ArtifactStorageConfig, ctx: ResolvedContext) {
    this.config = config;
    this.ctx = ctx;
  }

  artifactName(alias: string): string {
    return this.config.name ?? `${this.config.prefix}${alias}`;
  }

  async publish(alias: string, stagingDir: string, _message: string): Promise<PublishResult> {
    checkAlias('artifact', alias);
    const source = stagedSnapshot('artifact', alias, stagingDir);
    const name = this.artifactName(alias);
    if (!process.env.ACTIONS_RUNTIME_TOKEN || !process.env.ACTIONS_RESULTS_URL) {
      throw new StorageError({
        target: 'artifact',
        reason: 'not_in_actions',
        message: 'Artifact storage works only inside a GitHub Actions job (ACTIONS_RUNTIME_TOKEN / ACTIONS_RESULTS_URL are not set)',
        remedy: 'Run the action in a workflow, or use storage type `local` or `branch` from the command line.',
      });
    }
    const files = (await listFiles(source)).map((f) => f.abs);
    const retention = this.config.retentionDays ? { retentionDays: this.config.retentionDays } : {};
    try {
      const { DefaultArtifactClient } = await import('@actions/artifact');
      // rootDirectory is the staging dir, so paths inside the zip start with `<alias>/`.
      const res = await new DefaultArtifactClient().uploadArtifact(name, files, stagingDir, retention);
      if (res.id === undefined) throw new Error('the artifact service returned no artifact id');
      this.ctx.log.info(`Uploaded ${alias} as artifact ${name} (id ${res.id}, ${res.size ?? '?'} bytes)`);
      return { location: `artifact ${name} (id ${res.id})`, artifactId: res.id, artifactName: name };
    } catch (err) {
      throw this.classify(err, `Uploading artifact ${name} failed`);
    }
  }

  async fetchPrevious(alias: string, workDir: string): Promise<PreviousSnapshot | undefined> {
    checkAlias('artifact', alias);
    const name = this.artifactName(alias);
    let newest: ArtifactRef | undefined;
    try {
      this.requireJob(name);
      newest = await this.newest(name);
    } catch (err) {
      throw this.classify(err, `Listing the artifacts named ${name} failed`);
    }
    if (!newest) return undefined;
    const found = await this.download(alias, newest, workDir);
    if (!found) this.ctx.log.warning(`Artifact ${name} (id ${newest.id}) holds no ${alias}/manifest.json; treating this run as the first`);
    return found;
  }

  async fetchSnapshot(alias: string, ref: string, workDir: string): Promise<PreviousSnapshot> {
    checkAlias('artifact', alias);
    const name = this.artifactName(alias);
    let pick: ArtifactRef | undefined;
    let all: (ArtifactRef & { expired: boolean })[] = [];
    try {
      this.requireJob(name);
      all = (await this.list(name)).filter((a) => !a.expired);
    } catch (err) {
      throw this.classify(err, `Listing the artifacts named ${name} failed`);
    }
    const day = endOfDay(ref);
    if (ref === 'latest') pick = pickNewest(name, all);
    else if (day)
      pick = pickNewest(
        name,
        all.filter((a) => a.createdAt <= day),
      );
    // A number is an artifact id, or the workflow run that uploaded it.
    else if (/^\d+$/.test(ref))
      pick =
        all.find((a) => String(a.id) === ref) ??
        pickNewest(
          name,
          all.filter((a) => String(a.runId) === ref),
        );
    const found = pick ? await this.download(alias, pick, workDir) : undefined;
    if (found) return found;
    throw new StorageError({
      target: 'artifact',
      reason: 'snapshot_missing',
      message: `No unexpired artifact ${name} ${ref === 'latest' ? 'holds a snapshot' : `matches "${ref}"`}`,
      remedy: all.length
        ? `Give latest, a date (YYYY-MM-DD), an artifact id or a workflow run id: ${all
            .slice(0, 10)
            .map((a) => `${a.id} (run ${a.runId ?? '?'}, ${a.createdAt.slice(0, 10)})`)
            .join(', ')}.`
        : 'Artifacts expire after their retention days: restore from a backup branch, or from a copy kept elsewhere.',
    });
  }

  private requireJob(name: string): void {
    const { token, repository } = this.ctx;
    if (!token || !repository) {
      throw new StorageError({
        target: 'artifact',
        reason: 'bad_config',
        message: `Finding the artifact ${name} needs ${token ? 'the repository (GITHUB_REPOSITORY)' : 'a token'}`,
        remedy: `Pass the workflow token (${TOKEN_INPUT}, the default) and run inside a workflow.`,
      });
    }
  }

  /** Downloads one artifact; undefined when it holds no snapshot of the org. */
  private async download(alias: string, artifact: ArtifactRef, workDir: string): Promise<PreviousSnapshot | undefined> {
    const name = this.artifactName(alias);
    const { token, repository } = this.ctx;
    if (!token || !repository) return undefined;
    const dest = await mkdtemp(path.join(workDir, `artifact-${alias}-`));
    try {
      // The client's public download path builds its Octokit from GITHUB_API_URL at import time.
      const conflict = exportApiUrl(this.ctx.apiUrl);
      if (conflict) this.ctx.log.warning(conflict);
      const { DefaultArtifactClient } = await import('@actions/artifact');
      const res = await new DefaultArtifactClient().downloadArtifact(artifact.id, {
        path: dest,
        ...(artifact.digest ? { expectedHash: artifact.digest } : {}),
        findBy: { token, workflowRunId: artifact.runId ?? 0, repositoryOwner: repository.owner, repositoryName: repository.repo },
      });
      if (res.digestMismatch) {
        throw new StorageError({
          target: 'artifact',
          reason: 'unexpected',
          message: `Artifact ${name} (id ${artifact.id}) does not match its recorded digest after download`,
          remedy: 'Run again; if it repeats, delete that artifact so the run before it becomes the previous snapshot.',
        });
      }
    } catch (err) {
      throw this.classify(err, `Downloading artifact ${name} (id ${artifact.id}) failed`);
    }
    if (!hasManifest(path.join(dest, alias))) return undefined;
    return { dir: dest, location: `artifact ${name} (id ${artifact.id}, run ${artifact.runId ?? '?'})` };
  }

  /** Every artifact named `name` across the repository's runs. */
  private async list(name: string): Promise<(ArtifactRef & { expired: boolean })[]> {
    const { token, repository } = this.ctx;
    if (!token || !repository) return [];
    const octokit = await createOctokit(token, this.ctx.apiUrl);
    const all = await octokit.paginate(octokit.rest.actions.listArtifactsForRepo, { owner: repository.owner, repo: repository.repo, name, per_page: 100 });
    return all.map((a) => ({
      id: a.id,
      name: a.name,
      expired: a.expired,
      createdAt: a.created_at ?? '',
      runId: a.workflow_run?.id,
      digest: a.digest ?? undefined,
    }));
  }

  /** The newest unexpired artifact named `name` across the repository's runs. */
  async newest(name: string): Promise<ArtifactRef | undefined> {
    return pickNewest(name, await this.list(name));
  }

  private classify(err: unknown, what: string): StorageError {
    if (err instanceof StorageError) return err;
    const e = err instanceof Error ? err : new Error(String(err));
    const make = (reason: StorageFailureReason, remedy: string) =>
      new StorageError({ target: 'artifact', reason, message: `${what}: ${e.message}`, remedy, cause: err });
    const status = httpStatus(err);
    if (e.name === 'UsageError' || /insufficient usage|storage quota/i.test(e.message)) {
      return make(
        'quota_exceeded',
        "The account's Actions storage quota is used up: delete old artifacts, lower `retention-days`, raise the spending limit, or store backups on a branch.",
      );
    }
    if (e.name === 'GHESNotSupportedError') {
      return make('ghes_unsupported', 'GitHub Enterprise Server does not support artifacts v4: use storage type `branch`.');
    }
    if (/already exists/i.test(e.message)) {
      return make('bad_config', 'Two jobs of this run publish the same artifact name: give every org its own alias or artifact name.');
    }
    if (/ACTIONS_RUNTIME_TOKEN|ACTIONS_RESULTS_URL|backend IDs/i.test(e.message)) {
      return make('not_in_actions', 'Run the action in a workflow, or use storage type `local` or `branch` from the command line.');
    }
    if (status === 401 || /Bad credentials/i.test(e.message)) {
      return make('auth_failed', `The token was refused: pass the workflow token (${TOKEN_INPUT}, the default).`);
    }
    if (status === 403 || /Resource not accessible/i.test(e.message)) {
      return make('permission_denied', 'Give the workflow `permissions: actions: read` so it can find the previous backup artifact.');
    }
    if (status === 404) return make('repo_not_found', 'Check GITHUB_REPOSITORY and that the token can see the repository.');
    if (e.name === 'NetworkError') return make('network', 'Try again later; self-hosted runners need access to the GitHub artifact endpoints.');
    return make('unexpected', 'Try again later; the previous snapshot is unchanged.');
  }
}
