// The one way a run commits to a branch of the user's repository (the backup branch, the status
// branch): a sparse work tree holding only the paths the change owns, one commit per run on the
// branch tip (an orphan root when the branch does not exist yet), pushed with the run's token.
// Matrix jobs push to the same branch at the same time, so a push refused as out of date is redone:
// fetch the new tip, apply the change to it again, commit, push, with jittered pauses between tries.
// Each change owns its own paths, so redoing it never touches what another job wrote.
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { type BackoffPolicy, jitteredExponential, retry } from '../runtime/backoff.ts';
import { GitCommandError, type GitRemote, type GitResult, type GitSession, isPushRace, openRemoteSession } from './git.ts';

/** Pauses between redone pushes: 150–300 ms after the first refusal, doubling, at most 8 s. */
export const PUSH_RACE_BACKOFF: Pick<BackoffPolicy, 'minTimeoutMs' | 'maxTimeoutMs'> = { minTimeoutMs: 150, maxTimeoutMs: 8000 };

/** The work tree a change is applied to. */
export interface BranchWorktree {
  /** The root of the work tree: the owned paths as the tip has them, nothing else materialized. */
  dir: string;
  /** The commit the change is applied on; undefined for the first commit of a new branch. */
  tip: string | undefined;
  /** 1, then n when redone after n - 1 pushes were refused as out of date. */
  attempt: number;
}

export interface BranchPublishRequest<T> {
  remote: GitRemote;
  branch: string;
  /** Folders the change owns (`prod`, `orgs/prod`): the only ones checked out, added whole (deletions too). */
  dirs: readonly string[];
  /** Top-level files the change owns (`campaigns.json`); a sparse work tree always has those. */
  files?: readonly string[];
  /**
   * Writes the change into the work tree. Called again on the new tip after every refused push, so
   * it must read what it merges from `tree.dir`, not from an earlier call. Files it leaves as the
   * tip had them are not hashed again by `git add`.
   */
  apply: (tree: BranchWorktree) => Promise<T>;
  message: string;
  /** Pushes tried in all before giving up with BranchKeptMovingError. */
  maxAttempts: number;
  /** Hears each refused push that will be redone (for a log line). */
  onRace?: (attempt: number) => void;
  /** Names the temporary work tree (`sfbackup-<label>-…`), for whoever finds one left behind. */
  label: string;
  /**
   * A work tree `checkoutBranch` made of the same `dirs` earlier in the run (the backup target's
   * previous snapshot): used instead of fetching and checking out the tip a second time. The caller
   * keeps it and removes it.
   */
  reuse?: { dir: string; tip: string | undefined };
  /** Tests run the pauses on their own clock. */
  sleep?: (ms: number) => Promise<void>;
}

export interface BranchPublished<T> {
  commit: string;
  /** Pushes it took (1 unless another job pushed meanwhile). */
  attempts: number;
  /** What `apply` returned on the attempt that was pushed. */
  value: T;
}

/** Every push was refused as out of date: other jobs kept moving the branch. Nothing of this run landed. */
export class BranchKeptMovingError extends Error {
  override readonly name = 'BranchKeptMovingError';
  readonly attempts: number;
  constructor(branch: string, attempts: number, push: GitResult) {
    super(`Branch ${branch} kept moving: ${attempts} pushes were refused as out of date`, { cause: new GitCommandError(['push'], push) });
    this.attempts = attempts;
  }
}

/** An empty repository whose work tree will only ever hold `dirs` (and top-level files). */
async function initSparse(git: GitSession, dir: string, url: string, dirs: readonly string[]): Promise<void> {
  await git.ok(['init', '-q'], dir);
  await git.ok(['remote', 'add', 'origin', url], dir);
  await git.ok(['sparse-checkout', 'set', '--cone', ...dirs], dir);
  // The backup hard-links unchanged files of this work tree into its staging folder, which changes
  // their ctime: without this, `git add` would read every one of them again to see they are the same.
  await git.ok(['config', 'core.trustctime', 'false'], dir);
}

/** Fetches the branch tip (depth 1); undefined when the branch does not exist yet. */
async function fetchTip(git: GitSession, dir: string, branch: string): Promise<string | undefined> {
  const ref = `refs/remotes/origin/${branch}`;
  const r = await git.run(['fetch', '-q', '--depth=1', '--no-tags', 'origin', `+refs/heads/${branch}:${ref}`], dir);
  if (r.code !== 0) {
    if (/couldn't find remote ref/i.test(r.stderr)) return undefined;
    throw new GitCommandError(['fetch', 'origin', branch], r);
  }
  return git.ok(['rev-parse', ref], dir);
}

/**
 * Checks out `dirs` of the branch tip into `dir` (a new folder the caller keeps). Undefined when
 * the branch does not exist. Throws GitCommandError; the caller names the failure.
 */
export async function checkoutBranch(remote: GitRemote, branch: string, dirs: readonly string[], dir: string): Promise<string | undefined> {
  const git = await openRemoteSession(remote);
  try {
    await initSparse(git, dir, remote.url, dirs);
    const tip = await fetchTip(git, dir, branch);
    if (tip) await git.ok(['checkout', '-q', '--force', '-B', branch, tip], dir);
    return tip;
  } finally {
    await git.close();
  }
}

/**
 * Checks out `dirs` of one commit of the branch into `dir`: `commit` (a full or abbreviated hash on
 * the branch) or the last commit at or `before` an ISO time. The branch's history is fetched without
 * file contents where the server allows it (`--filter=blob:none`); only the commit checked out brings
 * its files. Undefined when the branch or such a commit does not exist.
 */
export async function checkoutBranchRevision(
  remote: GitRemote,
  branch: string,
  dirs: readonly string[],
  dir: string,
  revision: { commit: string } | { before: string },
): Promise<string | undefined> {
  const git = await openRemoteSession(remote);
  try {
    await initSparse(git, dir, remote.url, dirs);
    const ref = `refs/remotes/origin/${branch}`;
    const fetched = await git.run(['fetch', '-q', '--no-tags', '--filter=blob:none', 'origin', `+refs/heads/${branch}:${ref}`], dir);
    if (fetched.code !== 0) {
      if (/couldn't find remote ref/i.test(fetched.stderr)) return undefined;
      throw new GitCommandError(['fetch', 'origin', branch], fetched);
    }
    let commit: string;
    if ('commit' in revision) {
      const found = await git.run(['rev-parse', '--verify', '--quiet', `${revision.commit}^{commit}`], dir);
      if (found.code !== 0) return undefined;
      commit = found.stdout.trim();
      // Only a commit of this branch is one of its snapshots.
      if ((await git.run(['merge-base', '--is-ancestor', commit, ref], dir)).code !== 0) return undefined;
    } else {
      commit = await git.ok(['rev-list', '-1', `--before=${revision.before}`, ref], dir);
      if (!commit) return undefined;
    }
    await git.ok(['checkout', '-q', '--force', '--detach', commit], dir);
    return commit;
  } finally {
    await git.close();
  }
}

/** A push refused as out of date, carried from one attempt to the loop that redoes it. */
class PushRefused extends Error {
  readonly push: GitResult;
  constructor(push: GitResult) {
    super('push refused as out of date');
    this.push = push;
  }
}

/**
 * Commits `apply`'s change on the branch tip and pushes it, redoing it on the new tip while other
 * jobs move the branch. Throws BranchKeptMovingError when they kept moving it, GitCommandError
 * when git failed (read the reason with gitFailureReason), and whatever `apply` threw.
 */
export async function publishToBranch<T>(req: BranchPublishRequest<T>): Promise<BranchPublished<T>> {
  const { branch, dirs } = req;
  const owned = [...(req.files ?? []), ...dirs];
  const git = await openRemoteSession(req.remote);
  const reuse = req.reuse;
  const dir = reuse?.dir ?? (await mkdtemp(path.join(req.remote.tempDir, `sfbackup-${req.label}-`)));
  try {
    if (!reuse) await initSparse(git, dir, req.remote.url, dirs);
    return await retry(
      async (attempt) => {
        const tip = await fetchTip(git, dir, branch);
        if (tip && attempt === 1 && reuse && tip === reuse.tip) {
          // The work tree already holds this tip's owned paths, checked out earlier in the run.
        } else if (tip) {
          await git.ok(['checkout', '-q', '--force', '-B', branch, tip], dir);
        } else {
          // No branch yet: an orphan root, sharing no history with the code; nothing of an earlier try stays.
          await git.ok(['symbolic-ref', 'HEAD', `refs/heads/${branch}`], dir);
          await git.ok(['read-tree', '--empty'], dir);
          for (const rel of owned) await rm(path.join(dir, rel), { recursive: true, force: true });
        }
        const value = await req.apply({ dir, tip, attempt });
        await git.ok(['add', '--all', '--', ...owned], dir);
        // One commit per run even when nothing changed: the history is the point-in-time record.
        await git.ok(['commit', '-q', '--allow-empty', '--no-verify', '-m', req.message], dir);
        const push = await git.run(['push', '--porcelain', 'origin', `HEAD:refs/heads/${branch}`], dir);
        if (push.code === 0) return { commit: await git.ok(['rev-parse', 'HEAD'], dir), attempts: attempt, value };
        if (isPushRace(push)) throw new PushRefused(push);
        throw new GitCommandError(['push', 'origin', `HEAD:refs/heads/${branch}`], push);
      },
      {
        retries: Math.max(0, req.maxAttempts - 1),
        retryable: (err) => err instanceof PushRefused,
        delayMs: jitteredExponential(PUSH_RACE_BACKOFF),
        onRetry: (_err, attempt) => req.onRace?.(attempt),
        ...(req.sleep ? { sleep: req.sleep } : {}),
      },
    );
  } catch (err) {
    if (err instanceof PushRefused) throw new BranchKeptMovingError(branch, Math.max(1, req.maxAttempts), err.push);
    throw err;
  } finally {
    if (!reuse) await rm(dir, { recursive: true, force: true }).catch(() => {});
    await git.close();
  }
}
