import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { git } from './exec.ts';

export interface CommitIdentity {
  name: string;
  email: string;
  /** Epoch ms of the commit (the emulator clock). */
  at: number;
}

/** `git init --bare` with the default branch as HEAD; pushes to any branch are accepted, force pushes too (no protection). */
export async function initBareRepo(gitDir: string, defaultBranch: string): Promise<void> {
  mkdirSync(path.dirname(gitDir), { recursive: true });
  await git(['init', '--quiet', '--bare', `--initial-branch=${defaultBranch}`, gitDir]);
  await git(['--git-dir', gitDir, 'config', 'http.receivepack', 'true']);
}

/**
 * Commits `files` straight into a bare repository (no work tree): blobs, a tree through a
 * throw-away index, a commit, then the branch ref. Returns the commit sha.
 */
export async function commitFiles(gitDir: string, branch: string, files: Record<string, string>, message: string, who: CommitIdentity): Promise<string> {
  const scratch = mkdtempSync(path.join(tmpdir(), 'gh-index-'));
  const date = `${Math.floor(who.at / 1000)} +0000`;
  const env = {
    GIT_DIR: gitDir,
    GIT_INDEX_FILE: path.join(scratch, 'index'),
    GIT_AUTHOR_NAME: who.name,
    GIT_AUTHOR_EMAIL: who.email,
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_NAME: who.name,
    GIT_COMMITTER_EMAIL: who.email,
    GIT_COMMITTER_DATE: date,
  };
  try {
    for (const [file, content] of Object.entries(files)) {
      const blob = await git(['hash-object', '-w', '--stdin'], { env, input: content });
      await git(['update-index', '--add', '--cacheinfo', `100644,${blob},${file}`], { env });
    }
    const tree = await git(['write-tree'], { env });
    const parent = await git(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], { env }).catch(() => '');
    const sha = await git(['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', message], { env });
    await git(['update-ref', `refs/heads/${branch}`, sha], { env });
    return sha;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Branch name → commit sha. */
export async function listBranches(gitDir: string): Promise<Record<string, string>> {
  const out = await git(['--git-dir', gitDir, 'for-each-ref', '--format=%(refname:short) %(objectname)', 'refs/heads']);
  const branches: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const [name, sha] = line.split(' ');
    if (name && sha) branches[name] = sha;
  }
  return branches;
}
