// The flags that say which GitHub repository holds an org's secrets and how to reach its API, the
// same for every command that writes secrets (backup's write-back, reauth, rotate-app).
import { DEFAULT_GITHUB_API_URL } from '../../runtime/job-context.ts';
import type { Flags } from '../command.ts';

export const GITHUB_FLAGS = {
  repo: { kind: 'string', value: 'OWNER/NAME', env: 'GITHUB_REPOSITORY', help: "the repository holding the org's secrets" },
  // GH_TOKEN (the gh CLI's) comes before the job's GITHUB_TOKEN on a laptop.
  'github-token': {
    kind: 'string',
    value: 'TOKEN',
    env: ['GH_TOKEN', 'GITHUB_TOKEN'],
    help: 'a token allowed to write its secrets (and to push over https, open issues)',
    secret: true,
  },
  'github-api-url': { kind: 'string', value: 'URL', env: 'GITHUB_API_URL', help: `GitHub API (default ${DEFAULT_GITHUB_API_URL})` },
} as const satisfies Flags;
