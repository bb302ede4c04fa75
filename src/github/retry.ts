// Which GitHub REST failures heal by waiting, and the short backoff the wrappers share. @actions/github's
// Octokit has no retry plugin, so this is the only retrying between the action and the REST API.
import { type BackoffPolicy, retryTransient } from '../runtime/backoff.ts';
import { gitHubMessage } from './errors.ts';
import { httpStatus } from './octokit.ts';

export type GitHubRetryPolicy = BackoffPolicy;

/** About 15 s in all: long enough for a blip, short enough that a broken write is reported promptly. */
export const DEFAULT_GITHUB_RETRY: GitHubRetryPolicy = { retries: 4, minTimeoutMs: 1000, maxTimeoutMs: 8000 };

function headerOf(err: unknown, name: string): string | undefined {
  if (typeof err !== 'object' || err === null || !('response' in err)) return undefined;
  const response = err.response;
  if (typeof response !== 'object' || response === null || !('headers' in response)) return undefined;
  const headers = response.headers;
  if (typeof headers !== 'object' || headers === null) return undefined;
  const v = (headers as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : undefined;
}

/** True for 5xx, 429, network failures and the 403s GitHub uses for (secondary) rate limits. */
export function isTransientGitHubError(err: unknown): boolean {
  const status = httpStatus(err);
  // Octokit reports a failed fetch as status 500; no status at all means the socket, not GitHub, failed.
  if (status === undefined || status >= 500 || status === 429) return true;
  if (status !== 403) return false;
  return headerOf(err, 'retry-after') !== undefined || headerOf(err, 'x-ratelimit-remaining') === '0' || /rate limit/i.test(gitHubMessage(err));
}

/** Runs `fn` again after transient failures; anything else, and the last transient one, is rethrown as it came. */
export function withGitHubRetry<T>(
  fn: () => Promise<T>,
  policy: GitHubRetryPolicy = DEFAULT_GITHUB_RETRY,
  onRetry?: (err: unknown, attempt: number) => void,
): Promise<T> {
  return retryTransient(() => fn(), isTransientGitHubError, policy, onRetry);
}
