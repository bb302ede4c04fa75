// A branch of the user's repository (default `salesforce-backups`): one directory per org, one
// commit per run, pushed with the workflow token through the one branch publisher (src/git/branch.ts),
// which redoes a push refused as out of date on the new tip; each org owns its own directory, so
// redoing it never touches another org's files.
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { BranchKeptMovingError, checkoutBranch, checkoutBranchRevision, publishToBranch } from '../git/branch.ts';
import { GitCommandError, type GitRemote, gitFailureReason, lastLines } from '../git/git.ts';
import type { BranchStorageConfig, ResolvedContext } from './config.ts';
import { endOfDay, type PreviousSnapshot, type PublishResult, type StorageTarget } from './contracts.ts';
import { StorageError, TOKEN_INPUT } from './errors.ts';
import { checkAlias, hasManifest, listFiles, stagedSnapshot } from './files.ts';

const MiB = 1024 * 1024;
/** GitHub warns above 50 MiB per file and rejects pushes with a file above 100 MiB. */
const WARN_FILE_BYTES = 50 * MiB;
const MAX_FILE_BYTES = 100 * MiB;

export class BranchTarget implements StorageTarget {
  readonly kind = 'branch';
  // Every earlier snapshot stays in the branch's history: a shrinking run can publish.
  readonly onShrink = 'history';
  readonly branch: string;
  readonly remoteUrl: string;
  private readonly maxPushAttempts: number;
  private readonly ctx: ResolvedContext;
  /** The work tree fetchPrevious checked out per org: publish commits there instead of checking out the tip again. */
  private readonly checkouts = new Map<string, { dir: string; tip: string | undefined }>();

  constructor(config: BranchStorageConfig, ctx: ResolvedContext) {
    this.branch = config.branch;
    this.maxPushAttempts = config.maxPushAttempts;
    this.ctx = ctx;
    if (config.remoteUrl) {
      this.remoteUrl = config.remoteUrl;
    } else if (ctx.repository) {
      this.remoteUrl = `${ctx.serverUrl}/${ctx.repository.owner}/${ctx.repository.repo}.git`;
    } else {
      throw new StorageError({
        target: 'branch',
        reason: 'bad_config',
        message: 'Branch storage needs a repository: neither a remote URL nor GITHUB_REPOSITORY is set',
        remedy: 'Run inside a GitHub Actions job, or give the repository (owner/repo) or its git URL.',
      });
    }
  }

  async fetchPrevious(alias: string, workDir: string): Promise<PreviousSnapshot | undefined> {
    checkAlias('branch', alias);
    try {
      const dir = await mkdtemp(path.join(workDir, `branch-${alias}-`));
      const tip = await checkoutBranch(this.remote(), this.branch, [alias], dir);
      this.checkouts.set(alias, { dir, tip });
      if (!tip || !hasManifest(path.join(dir, alias))) return undefined;
      return { dir, location: `branch ${this.branch}@${tip}` };
    } catch (err) {
      throw this.classify(err, 'fetch');
    }
  }

  async fetchSnapshot(alias: string, ref: string, workDir: string): Promise<PreviousSnapshot> {
    checkAlias('branch', alias);
    let found: PreviousSnapshot | undefined;
    try {
      if (ref === 'latest') found = await this.fetchPrevious(alias, workDir);
      else {
        const day = endOfDay(ref);
        if (!day && !/^[0-9a-f]{7,40}$/i.test(ref)) {
          throw new StorageError({
            target: 'branch',
            reason: 'snapshot_missing',
            message: `"${ref}" names no snapshot of a backup branch`,
            remedy: 'Give latest, a date (YYYY-MM-DD), or a commit of the backup branch (7 to 40 hex digits).',
          });
        }
        const dir = await mkdtemp(path.join(workDir, `branch-${alias}-`));
        const commit = await checkoutBranchRevision(this.remote(), this.branch, [alias], dir, day ? { before: day } : { commit: ref });
        if (commit && hasManifest(path.join(dir, alias))) found = { dir, location: `branch ${this.branch}@${commit}` };
      }
    } catch (err) {
      throw this.classify(err, 'fetch');
    }
    if (found) return found;
    throw new StorageError({
      target: 'branch',
      reason: 'snapshot_missing',
      message: `Branch ${this.branch} has no snapshot of ${alias}${ref === 'latest' ? '' : ` at "${ref}"`}`,
      remedy: `List its snapshots with \`git log --format='%h %cI %s' origin/${this.branch} -- ${alias}\`, then give one of those commits, a date, or latest.`,
    });
  }

  async publish(alias: string, stagingDir: string, message: string): Promise<PublishResult> {
    checkAlias('branch', alias);
    const source = stagedSnapshot('branch', alias, stagingDir);
    await this.checkSizes(source, alias);
    // Once: a second publish of the org in this run starts from a fresh checkout.
    const reuse = this.checkouts.get(alias);
    this.checkouts.delete(alias);
    try {
      const { commit } = await publishToBranch({
        remote: this.remote(),
        branch: this.branch,
        dirs: [alias],
        // The tip's copy of the org is in the work tree (its manifest at <alias>/manifest.json): make
        // it the new snapshot, touching only the files that differ (see syncSnapshot).
        apply: async ({ dir }) => {
          await syncSnapshot(source, path.join(dir, alias));
        },
        message,
        maxAttempts: this.maxPushAttempts,
        onRace: (attempt) => this.ctx.log.info(`Branch ${this.branch} moved while pushing ${alias} (attempt ${attempt}); redoing the commit on the new tip`),
        label: `branch-${alias}`,
        ...(reuse ? { reuse } : {}),
      });
      this.ctx.log.info(`Pushed ${alias} to branch ${this.branch} (${commit})`);
      return { location: `branch ${this.branch}@${commit}`, commit, path: `${alias}/` };
    } catch (err) {
      if (err instanceof BranchKeptMovingError) {
        throw new StorageError({
          target: 'branch',
          reason: 'push_conflict',
          message: `Branch ${this.branch} kept moving: ${err.attempts} pushes of ${alias} were refused as out of date`,
          remedy:
            'Serialize the backup jobs with a `concurrency:` group or `max-parallel` on the matrix, or raise the number of push attempts; the previous snapshot on the branch is unchanged.',
        });
      }
      throw this.classify(err, 'push');
    }
  }

  private remote(): GitRemote {
    return { url: this.remoteUrl, token: this.ctx.token, tempDir: this.ctx.tempDir, mask: this.ctx.mask };
  }

  private async checkSizes(source: string, alias: string): Promise<void> {
    const files = await listFiles(source);
    const tooBig = files.filter((f) => f.size > MAX_FILE_BYTES);
    if (tooBig.length > 0) {
      throw new StorageError({
        target: 'branch',
        reason: 'file_too_large',
        message: `GitHub refuses files above 100 MiB; ${alias} has ${tooBig.map((f) => `${f.rel} (${(f.size / MiB).toFixed(1)} MiB)`).join(', ')}`,
        remedy: 'Store this org in a workflow artifact (storage type `artifact`) instead of a branch.',
      });
    }
    for (const f of files.filter((f) => f.size > WARN_FILE_BYTES)) {
      this.ctx.log.warning(
        `${alias}/${f.rel} is ${(f.size / MiB).toFixed(1)} MiB: GitHub warns above 50 MiB and refuses files above 100 MiB. Consider artifact storage for this org.`,
      );
    }
  }

  private classify(err: unknown, op: 'fetch' | 'push'): unknown {
    if (err instanceof StorageError) return err;
    if (!(err instanceof GitCommandError)) {
      return new StorageError({
        target: 'branch',
        reason: 'unexpected',
        message: `Could not ${op} branch ${this.branch}: ${(err as Error).message}`,
        remedy: 'Check that git is installed and the runner has disk space; the previous snapshot on the branch is unchanged.',
        cause: err,
      });
    }
    const where = `${op === 'push' ? 'Pushing to' : 'Fetching'} branch ${this.branch} of ${this.remoteUrl} failed`;
    const make = (reason: StorageError['reason'], remedy: string) =>
      new StorageError({ target: 'branch', reason, message: `${where}: ${lastLines(err.stderr)}`, remedy, cause: err });
    switch (gitFailureReason(err.stderr)) {
      case 'auth_failed':
        return make(
          'auth_failed',
          this.ctx.token
            ? `The token was refused. Pass the workflow token (${TOKEN_INPUT}, the default) or a valid token with access to this repository.`
            : `No token was given. Pass the workflow token (${TOKEN_INPUT}) or set GITHUB_TOKEN.`,
        );
      case 'permission_denied':
        return make(
          'permission_denied',
          'Give the workflow `permissions: contents: write` (the default token is read-only in many repositories), and let github-actions[bot] push to the backup branch if rulesets or branch protection cover it.',
        );
      case 'repo_not_found':
        return make('repo_not_found', 'Check the repository name, and that the token can see it (a token of another repository cannot).');
      case 'file_too_large':
        return make('file_too_large', 'Store this org in a workflow artifact (storage type `artifact`) instead of a branch.');
      case 'push_rejected':
        return make(
          'push_rejected',
          `Allow github-actions[bot] to push to ${this.branch} in the branch protection or ruleset settings, or pick another backup branch.`,
        );
      case 'network':
        return make(
          'network',
          'Try again later; if it persists, check that the runner can reach the git server. The previous snapshot on the branch is unchanged.',
        );
    }
  }
}

/** Data file path → sha256, from a snapshot folder's manifest; empty when there is none or it does not parse. */
function manifestDigests(snapshotDir: string): Map<string, string> {
  const file = path.join(snapshotDir, 'manifest.json');
  const out = new Map<string, string>();
  if (!existsSync(file)) return out;
  try {
    const m = JSON.parse(readFileSync(file, 'utf8')) as { objects?: { files?: { path?: unknown; sha256?: unknown }[] }[] };
    for (const o of m.objects ?? []) for (const f of o.files ?? []) if (typeof f.path === 'string' && typeof f.sha256 === 'string') out.set(f.path, f.sha256);
  } catch {
    // An unreadable tip manifest only means nothing is known to be unchanged: every file is copied.
  }
  return out;
}

/**
 * Makes `dest` (the tip's copy of the org, fresh from git) hold exactly the files of `source` (the
 * staged snapshot). A data file that both manifests list with the same sha256 is left as git checked
 * it out, so `git add` skips it by its index stat and a run that changed 1 % of the org re-hashes
 * and commits the files it changed, not every byte of the org. Everything else is copied, and files
 * the new snapshot no longer has are removed (they leave the branch with the commit).
 */
export async function syncSnapshot(source: string, dest: string): Promise<void> {
  const before = manifestDigests(dest);
  const after = manifestDigests(source);
  const wanted = await listFiles(source);
  const keep = new Set(wanted.map((f) => f.rel));
  if (existsSync(dest)) for (const f of await listFiles(dest)) if (!keep.has(f.rel)) await rm(f.abs, { force: true });
  for (const f of wanted) {
    const target = path.join(dest, f.rel);
    const digest = after.get(f.rel);
    if (digest !== undefined && before.get(f.rel) === digest && existsSync(target)) continue;
    await mkdir(path.dirname(target), { recursive: true });
    // Replace, never write through: the old file may be hard-linked into the staging folder.
    await rm(target, { force: true });
    await copyFile(f.abs, target);
  }
}
