// The REST client. @actions/github fixes GITHUB_API_URL when first imported (github-api.md §1), so
// it is imported lazily and always given the base URL explicitly.
import type { getOctokit } from '@actions/github';

export type Octokit = ReturnType<typeof getOctokit>;

export async function createOctokit(token: string, apiUrl: string): Promise<Octokit> {
  const github = await import('@actions/github');
  return github.getOctokit(token, { baseUrl: apiUrl.replace(/\/+$/, '') });
}

/** The HTTP status of an Octokit RequestError, if that is what `err` is. */
export function httpStatus(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number') return err.status;
  return undefined;
}
