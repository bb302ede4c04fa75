// The restore report (plan/ and results/) as a workflow artifact, so a later run can carry on from it.
// The Id map and the ledger live in results/ (src/restore/idmap.ts); a run on a fresh runner has
// neither, so a retry would create again what the first run created. The action therefore uploads
// its report itself, under a name it can find again (`salesforce-restore-<target org>`), and a run
// given `resume-from` downloads that artifact's results/ before applying.
//
// A plan-only run (dry run, or a run that stopped before writing anything) uploads under
// `salesforce-restore-<target org>.plan`: it holds no ledger, so `resume-from: latest` never picks it.
// @actions/artifact reads the environment when first imported, so it is imported lazily.
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { createOctokit, httpStatus } from '../github/octokit.ts';
import { ProductError } from '../runtime/errors.ts';
import { exportApiUrl } from '../runtime/job-context.ts';
import { type ArtifactRef, pickNewest } from '../storage/artifact.ts';

/** What the report folder says about the run that wrote it, beside plan/ and results/. */
export const RUN_FILE = 'restore-run.json';
const LEDGER = path.join('results', 'restore.sqlite');

const runSchema = z.object({
  formatVersion: z.literal(1),
  /** The org written to. */
  targetAlias: z.string(),
  /** The org whose backup was read, and the snapshot as the run was given it and as it resolved. */
  snapshotOrg: z.string(),
  snapshotRef: z.string(),
  snapshotLocation: z.string().optional(),
  runId: z.string().optional(),
  /** The run whose results this one continued. */
  resumedFrom: z.string().optional(),
});
export type RestoreRunInfo = z.output<typeof runSchema>;

/** What a plan says about where it came from and where it goes (src/restore/contracts.ts RestorePlan). */
const planIdentitySchema = z.object({
  snapshot: z.object({ alias: z.string(), orgId: z.string(), finishedAt: z.string() }),
  target: z.object({ orgId: z.string() }),
});
export type PlanIdentity = z.output<typeof planIdentitySchema>;

export type ResumeFailureReason = 'not_in_actions' | 'report_missing' | 'no_results' | 'other_target' | 'other_snapshot' | 'unreadable';

/** A run that cannot continue from the results it was pointed at: nothing has been written to the org. */
export class ResumeError extends ProductError<ResumeFailureReason> {
  override readonly name = 'ResumeError';
  readonly state = 'misconfigured';
}

export function ledgerArtifactName(targetAlias: string): string {
  return `salesforce-restore-${targetAlias}`;
}

/** The dot keeps it apart from every ledger name: an alias has no dot (`plan-prod` is an alias). */
export function planArtifactName(targetAlias: string): string {
  return `salesforce-restore-${targetAlias}.plan`;
}

export function hasLedger(reportDir: string): boolean {
  return existsSync(path.join(reportDir, LEDGER));
}

export function writeRunInfo(reportDir: string, info: RestoreRunInfo): void {
  writeFileSync(path.join(reportDir, RUN_FILE), `${JSON.stringify(info, null, 2)}\n`);
}

function readJson<T>(file: string, schema: z.ZodType<T>, what: string): T {
  try {
    return schema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    throw new ResumeError({
      reason: 'unreadable',
      message: `${what} (${path.basename(file)}) cannot be read: ${(err as Error).message}`,
      remedy: 'Resume from another run, or start the restore afresh without resume-from after checking its results for what it created.',
      cause: err,
    });
  }
}

export function readRunInfo(reportDir: string): RestoreRunInfo {
  return readJson(path.join(reportDir, RUN_FILE), runSchema, 'The earlier run’s report');
}

export function readPlanIdentity(reportDir: string): PlanIdentity {
  return readJson(path.join(reportDir, 'plan', 'plan.json'), planIdentitySchema, 'The earlier run’s plan');
}

/**
 * A `snapshot` value that names exactly the snapshot a location describes (a commit, an artifact id,
 * a dated folder), for remedies; undefined when the location is in no form the storage targets write.
 */
export function pinnedSnapshotRef(location: string | undefined): string | undefined {
  if (!location) return undefined;
  const commit = /^branch \S+@([0-9a-f]{7,40})$/.exec(location);
  if (commit) return commit[1];
  const artifact = /^artifact \S+ \(id (\d+)/.exec(location);
  if (artifact) return artifact[1];
  const folder = path.basename(location);
  return /^\d{4}-\d\d-\d\d/.test(folder) ? folder : undefined;
}

export interface ReportArtifactsContext {
  token: string | undefined;
  repository: { owner: string; repo: string } | undefined;
  apiUrl: string;
  /** This run (GITHUB_RUN_ID). */
  runId: string | undefined;
  log: { info(message: string): void; warning(message: string): void };
}

export interface FoundReport {
  artifact: ArtifactRef;
  /** The run that uploaded it. */
  runId: string;
  /** The downloaded report folder (plan/, results/, restore-run.json). */
  dir: string;
}

export class RestoreReportArtifacts {
  private readonly ctx: ReportArtifactsContext;

  constructor(ctx: ReportArtifactsContext) {
    this.ctx = ctx;
  }

  /** Whether this job can upload artifacts (the runner gives these only to a workflow job). */
  static canUpload(): boolean {
    return Boolean(process.env.ACTIONS_RUNTIME_TOKEN && process.env.ACTIONS_RESULTS_URL);
  }

  /** Every unexpired artifact named `name` across the repository's runs. */
  async list(name: string): Promise<ArtifactRef[]> {
    const { token, repository } = this.ctx;
    if (!token || !repository) {
      throw new ResumeError({
        reason: 'not_in_actions',
        message: `Finding the artifact ${name} of an earlier run needs ${token ? 'the repository (GITHUB_REPOSITORY)' : 'a token'}.`,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a workflow expression users copy, not a template
        remedy: 'Run inside a workflow with `github-token: ${{ github.token }}` (the default) and `permissions: actions: read`.',
      });
    }
    try {
      const octokit = await createOctokit(token, this.ctx.apiUrl);
      const all = await octokit.paginate(octokit.rest.actions.listArtifactsForRepo, { owner: repository.owner, repo: repository.repo, name, per_page: 100 });
      return all
        .filter((a) => a.name === name && !a.expired)
        .map((a) => ({ id: a.id, name: a.name, createdAt: a.created_at ?? '', runId: a.workflow_run?.id, digest: a.digest ?? undefined }));
    } catch (err) {
      const status = httpStatus(err);
      throw new ResumeError({
        reason: 'unreadable',
        message: `Listing the artifacts named ${name} failed: ${(err as Error).message}`,
        remedy:
          status === 403
            ? 'Give the workflow `permissions: actions: read` so it can read the results of earlier runs.'
            : 'Try again later; nothing was written to the org.',
        cause: err,
      });
    }
  }

  /**
   * The report to continue from: this run's own (an earlier attempt of a re-run job) first, as it
   * holds everything; else the one `ref` names (`latest`, or a workflow run id). Undefined when
   * neither exists and nothing was asked for.
   */
  async find(name: string, ref: string | undefined): Promise<{ artifact: ArtifactRef; runId: string } | undefined> {
    const all = await this.list(name);
    const runOf = (a: ArtifactRef) => String(a.runId ?? '');
    const own = this.ctx.runId
      ? pickNewest(
          name,
          all.filter((a) => runOf(a) === this.ctx.runId).map((a) => ({ ...a, expired: false })),
        )
      : undefined;
    if (own) return { artifact: own, runId: runOf(own) };
    if (!ref) return undefined;
    const candidates = ref === 'latest' ? all : all.filter((a) => runOf(a) === ref);
    const pick = pickNewest(
      name,
      candidates.map((a) => ({ ...a, expired: false })),
    );
    return pick ? { artifact: pick, runId: runOf(pick) } : undefined;
  }

  /** Downloads one report artifact into a new folder under `workDir`. */
  async download(found: { artifact: ArtifactRef; runId: string }, workDir: string): Promise<FoundReport> {
    const { token, repository } = this.ctx;
    const { artifact } = found;
    const dir = await mkdtemp(path.join(workDir, 'resume-'));
    try {
      if (!token || !repository) throw new Error('no token or repository');
      // The client's public download path builds its Octokit from GITHUB_API_URL at import time.
      const conflict = exportApiUrl(this.ctx.apiUrl);
      if (conflict) this.ctx.log.warning(conflict);
      const { DefaultArtifactClient } = await import('@actions/artifact');
      const res = await new DefaultArtifactClient().downloadArtifact(artifact.id, {
        path: dir,
        ...(artifact.digest ? { expectedHash: artifact.digest } : {}),
        findBy: { token, workflowRunId: artifact.runId ?? 0, repositoryOwner: repository.owner, repositoryName: repository.repo },
      });
      if (res.digestMismatch) throw new Error('the download does not match the digest GitHub recorded for it');
    } catch (err) {
      throw new ResumeError({
        reason: 'unreadable',
        message: `Downloading artifact ${artifact.name} (id ${artifact.id}, run ${found.runId}) failed: ${(err as Error).message}`,
        remedy: 'Try again later; nothing was written to the org.',
        cause: err,
      });
    }
    return { artifact, runId: found.runId, dir };
  }

  /**
   * Uploads the report folder. A job re-run in the same workflow run finds the artifact of its earlier
   * attempt under the same name (names are unique per run, across attempts): it continued from that
   * artifact, so it replaces it.
   */
  async upload(name: string, reportDir: string, retentionDays: number | undefined): Promise<number | undefined> {
    const files = readdirSync(reportDir, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => path.join(d.parentPath, d.name));
    if (files.length === 0) return undefined;
    const { DefaultArtifactClient } = await import('@actions/artifact');
    const client = new DefaultArtifactClient();
    const options = retentionDays ? { retentionDays } : {};
    try {
      return (await client.uploadArtifact(name, files, reportDir, options)).id;
    } catch (err) {
      if (!/already exists/i.test((err as Error).message)) throw err;
      await client.deleteArtifact(name);
      return (await client.uploadArtifact(name, files, reportDir, options)).id;
    }
  }
}

/** Puts an earlier run's results/ (the Id map and the ledger) into this run's report folder. */
export function adoptResults(found: FoundReport, reportDir: string): void {
  cpSync(path.join(found.dir, 'results'), path.join(reportDir, 'results'), { recursive: true });
}
