// Contracts between the GitHub wrappers (secrets, issues) and their callers (the action's token
// lifecycle, `sfbackup reauth`, `rotate-app`). Kept apart so callers can be written and tested
// against the shape before and independently of the REST details.

/** Where one GitHub Actions secret lives. Names follow GitHub's rules: [A-Za-z0-9_], not GITHUB_*. */
export type SecretTarget =
  | { scope: 'repository'; owner: string; repo: string; name: string }
  | { scope: 'environment'; owner: string; repo: string; environment: string; name: string }
  | {
      scope: 'organization';
      org: string;
      name: string;
      /** Required by GitHub when the org secret is created; kept as it is when it exists. */
      visibility?: 'all' | 'private' | 'selected';
      selectedRepositoryIds?: number[];
    };

/** Writes one secret value (sealed with the scope's public key). Throws SecretWriteError when it cannot. */
export interface SecretWriter {
  write(target: SecretTarget, value: string): Promise<void>;
}

/** A human-readable place, for messages: `repository secret SF_REFRESH_TOKEN_PROD of acme/backups`. */
export function describeSecretTarget(t: SecretTarget): string {
  if (t.scope === 'repository') return `repository secret ${t.name} of ${t.owner}/${t.repo}`;
  if (t.scope === 'environment') return `environment secret ${t.name} (environment ${t.environment}) of ${t.owner}/${t.repo}`;
  return `organization secret ${t.name} of ${t.org}`;
}
