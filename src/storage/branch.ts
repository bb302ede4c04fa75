// A branch of the user's repository (default `salesforce-backups`): one directory per org, one
// commit per run, pushed with the workflow token. Matrix jobs push to the same branch, so a push
// refused as non-fast-forward is redone on top of the new tip; each org owns its own directory,
// so redoing it never touches another org's files.
import { randomInt } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BranchStorageConfig, ResolvedContext } from './config.ts';
import type { PreviousSnapshot, PublishResult, StorageTarget } from './contracts.ts';
import { StorageError, TOKEN_INPUT } from './errors.ts';
import { checkAlias, hasManifest, listFiles, stagedSnapshot } from './files.ts';
import { GitCommandError, type GitResult, type GitSession, openGitSession } from './git.ts';

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
    const git = await this.session();
    try {
      const dir = await mkdtemp(path.join(workDir, `branch-${alias}-`));
      await this.init(git, dir, alias);
      const tip = await this.fetchTip(git, dir);
      if (!tip) return undefined;
      await git.ok(['checkout', '-q', '--force', '-B', this.branch, tip], dir);
      if (!hasManifest(path.join(dir, alias))) return undefined;
      return { dir, location: `branch ${this.branch}@${tip}` };
    } catch (err) {
      throw this.classify(err, 'fetch');
    } finally {
      await git.close();
    }
  }

  async publish(alias: string, stagingDir: string, message: string): Promise<PublishResult> {
    checkAlias('branch', alias);
    const source = stagedSnapshot('branch', alias, stagingDir);
    await this.checkSizes(source, alias);
    const git = await this.session();
    const dir = await mkdtemp(path.join(this.ctx.tempDir, `sfbackup-branch-${alias}-`));
    try {
      await this.init(git, dir, alias);
      for (let attempt = 1; ; attempt++) {
        const tip = await this.fetchTip(git, dir);
        if (tip) {
          await git.ok(['checkout', '-q', '--force', '-B', this.branch, tip], dir);
        } else {
          // No branch yet: an orphan root, sharing no history with the default branch.
          await git.ok(['symbolic-ref', 'HEAD', `refs/heads/${this.branch}`], dir);
          await git.ok(['read-tree', '--empty'], dir);
        }
        // rm then copy, so files the new snapshot no longer has disappear from the branch too.
        await rm(path.join(dir, alias), { recursive: true, force: true });
        await cp(source, path.join(dir, alias), { recursive: true });
        await git.ok(['add', '--all', '--', alias], dir);
        // One commit per run even when nothing changed: the history is the point-in-time record.
        await git.ok(['commit', '-q', '--allow-empty', '--no-verify', '-m', message], dir);
        const push = await git.run(['push', '--porcelain', 'origin', `HEAD:refs/heads/${this.branch}`], dir);
        if (push.code === 0) {
          const sha = await git.ok(['rev-parse', 'HEAD'], dir);
          this.ctx.log.info(`Pushed ${alias} to branch ${this.branch} (${sha})`);
          return { location: `branch ${this.branch}@${sha}`, commit: sha, path: `${alias}/` };
        }
        if (!isRace(push)) throw new GitCommandError(['push', 'origin', `HEAD:refs/heads/${this.branch}`], push);
        if (attempt >= this.maxPushAttempts) {
          throw new StorageError({
            target: 'branch',
            reason: 'push_conflict',
            message: `Branch ${this.branch} kept moving: ${attempt} pushes of ${alias} were refused as out of date`,
            remedy:
              'Serialize the backup jobs with a `concurrency:` group or `max-parallel` on the matrix, or raise the number of push attempts; the previous snapshot on the branch is unchanged.',
          });
        }
        this.ctx.log.info(`Branch ${this.branch} moved while pushing ${alias} (attempt ${attempt}); redoing the commit on the new tip`);
        // Jitter keeps matrix jobs that collided from colliding again in lockstep.
        await sleep(randomInt(100, 400) * attempt);
      }
    } catch (err) {
      throw this.classify(err, 'push');
    } finally {
      await rm(dir, { recursive: true, force: true }).catch(() => {});
      await git.close();
    }
  }

  private session(): Promise<GitSession> {
    return openGitSession({ remoteUrl: this.remoteUrl, token: this.ctx.token, tempDir: this.ctx.tempDir, mask: this.ctx.mask });
  }

  /** An empty repository that will only ever materialize `<alias>/`: other orgs' files stay packed. */
  private async init(git: GitSession, dir: string, alias: string): Promise<void> {
    await git.ok(['init', '-q'], dir);
    await git.ok(['remote', 'add', 'origin', this.remoteUrl], dir);
    await git.ok(['sparse-checkout', 'set', '--cone', alias], dir);
  }

  /** Fetches the branch tip (depth 1); undefined when the branch does not exist yet. */
  private async fetchTip(git: GitSession, dir: string): Promise<string | undefined> {
    const ref = `refs/remotes/origin/${this.branch}`;
    const r = await git.run(['fetch', '-q', '--depth=1', '--no-tags', 'origin', `+refs/heads/${this.branch}:${ref}`], dir);
    if (r.code !== 0) {
      if (/couldn't find remote ref/i.test(r.stderr)) return undefined;
      throw new GitCommandError(['fetch', 'origin', this.branch], r);
    }
    return git.ok(['rev-parse', ref], dir);
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
    const text = err.stderr;
    const where = `${op === 'push' ? 'Pushing to' : 'Fetching'} branch ${this.branch} of ${this.remoteUrl} failed`;
    const make = (reason: StorageError['reason'], remedy: string) =>
      new StorageError({ target: 'branch', reason, message: `${where}: ${lastLines(text)}`, remedy, cause: err });
    if (/could not read Username|Authentication failed|Invalid username or token|returned error: 401/i.test(text)) {
      return make(
        'auth_failed',
        this.ctx.token
          ? `The token was refused. Pass the workflow token (${TOKEN_INPUT}, the default) or a valid token with access to this repository.`
          : `No token was given. Pass the workflow token (${TOKEN_INPUT}) or set GITHUB_TOKEN.`,
      );
    }
    if (/Permission to .* denied|returned error: 403|Resource not accessible/i.test(text)) {
      return make(
        'permission_denied',
        'Give the workflow `permissions: contents: write` (the default token is read-only in many repositories), and let github-actions[bot] push to the backup branch if rulesets or branch protection cover it.',
      );
    }
    if (/Repository not found|repository '[^']*' not found|returned error: 404/i.test(text)) {
      return make('repo_not_found', 'Check the repository name, and that the token can see it (a token of another repository cannot).');
    }
    if (/GH001|Large files detected|exceeds maximum allowed size/i.test(text)) {
      return make('file_too_large', 'Store this org in a workflow artifact (storage type `artifact`) instead of a branch.');
    }
    if (/GH006|GH013|protected branch|rule violations/i.test(text)) {
      return make(
        'push_rejected',
        `Allow github-actions[bot] to push to ${this.branch} in the branch protection or ruleset settings, or pick another backup branch.`,
      );
    }
    return make(
      'network',
      'Try again later; if it persists, check that the runner can reach the git server. The previous snapshot on the branch is unchanged.',
    );
  }
}

/** A push refused because someone else moved the branch first: redo and retry. */
function isRace(r: GitResult): boolean {
  return /\(fetch first\)|\(non-fast-forward\)|failed to update ref|cannot lock ref|incorrect old value|stale info/i.test(`${r.stdout}\n${r.stderr}`);
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ');
}
