import { execFile } from 'node:child_process';

/** An environment for git children that ignores the user's and the system's git config. */
export function isolatedGitEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    LC_ALL: 'C',
    ...extra,
  };
}

/** Runs git with arguments (never a shell) and returns trimmed stdout; rejects with stderr on failure. */
export function git(args: string[], opts: { cwd?: string; env?: Record<string, string>; input?: string | Buffer } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      args,
      { cwd: opts.cwd, env: isolatedGitEnv(opts.env), maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`git ${args.join(' ')}: ${stderr.trim() || err.message}`));
        else resolve(stdout.trim());
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}
