// Failures of the GitHub wrappers, shaped like the Salesforce and storage errors: a reason a program
// can branch on, a message naming the place (never a value), and a remedy naming the exact permission
// that is missing. A secret value is never part of one: causes are reduced to status and message.
import { ProductError } from '../runtime/errors.ts';
import { describeSecretTarget, type SecretTarget } from './contracts.ts';

export type SecretWriteReason =
  /** 401: the token is unknown, expired or revoked. */
  | 'bad_credentials'
  /** 403, or 404 where GitHub hides what the token may not see. */
  | 'permission_denied'
  /** GitHub refused the sealed value even with a freshly fetched public key, or refused the request (400/422). */
  | 'rejected'
  /** The secret name breaks GitHub's rules; caught before any request. */
  | 'bad_name'
  /** 5xx, 429, secondary rate limits, network: still failing after the retries. */
  | 'unavailable';

const GUIDE = 'docs/github-token.md explains both ways, least privilege first.';
const NO_GITHUB_TOKEN = 'The workflow GITHUB_TOKEN cannot write secrets (there is no `secrets` permission for it).';

/** What the token must be allowed to do for this target, as a person sets it up. */
export function secretPermissionRemedy(target: SecretTarget): string {
  if (target.scope === 'repository') {
    return (
      `Give the action a token that can write secrets of ${target.owner}/${target.repo}: a GitHub App installation token with \`secrets: write\` ` +
      `(actions/create-github-app-token with \`permission-secrets: write\`), or a fine-grained token with Secrets: Read and write on ${target.owner}/${target.repo}. ` +
      `${NO_GITHUB_TOKEN} ${GUIDE}`
    );
  }
  if (target.scope === 'environment') {
    return (
      `Give the action a token that can write environment secrets of ${target.owner}/${target.repo}: a GitHub App installation token with \`environments: write\` ` +
      `(actions/create-github-app-token with \`permission-environments: write\`), or a fine-grained token with Environments: Read and write on ${target.owner}/${target.repo}. ` +
      `Check that the environment "${target.environment}" exists (Settings → Environments). ${NO_GITHUB_TOKEN} ${GUIDE}`
    );
  }
  return (
    `Give the action a token that can write organization secrets of ${target.org}: a GitHub App installed on ${target.org} with \`organization_secrets: write\` ` +
    `(actions/create-github-app-token with \`permission-organization-secrets: write\`), or a fine-grained token owned by ${target.org} with the organization permission Secrets: Read and write ` +
    `(the organization must allow fine-grained tokens; a classic token needs admin:org). ${NO_GITHUB_TOKEN} ${GUIDE}`
  );
}

export interface SecretWriteDetails {
  target: SecretTarget;
  reason: SecretWriteReason;
  /** The HTTP status of the last answer, when there was one. */
  status?: number;
  /** What GitHub said (its `message`), never the request. */
  detail: string;
  remedy: string;
}

/** A secret could not be written. The rotated value it carried is lost unless the caller still holds it. */
export class SecretWriteError extends ProductError<SecretWriteReason> {
  override readonly name = 'SecretWriteError';
  /** The callers decide what a lost write means (rotation_write_failed, a rotate-app stop); alone it is a plain failure. */
  readonly state = 'failed';
  readonly target: SecretTarget;
  readonly status: number | undefined;
  /** Whether a later attempt may succeed without anyone changing a setting. */
  readonly retryable: boolean;

  constructor(details: SecretWriteDetails) {
    const where = describeSecretTarget(details.target);
    const http = details.status === undefined ? '' : ` (HTTP ${details.status})`;
    // The cause is rebuilt from status and message only: Octokit's RequestError carries the request,
    // whose body is the sealed value and whose headers hold the token.
    super({
      reason: details.reason,
      message: `Could not write the ${where}${http}: ${details.detail}`,
      remedy: details.remedy,
      cause: new Error(`${details.status ?? 'no answer'}: ${details.detail}`),
    });
    this.target = details.target;
    this.status = details.status;
    this.retryable = details.reason === 'unavailable';
  }
}

export type IssueSyncReason = 'bad_credentials' | 'permission_denied' | 'rejected' | 'unavailable';

/** The per-org issue could not be opened, updated or closed. Never fatal to a backup: callers warn. */
export class IssueSyncError extends ProductError<IssueSyncReason> {
  override readonly name = 'IssueSyncError';
  readonly state = 'failed';
  readonly status: number | undefined;

  constructor(details: { reason: IssueSyncReason; status?: number; message: string; remedy: string }) {
    super({ ...details, cause: new Error(`${details.status ?? 'no answer'}: ${details.message}`) });
    this.status = details.status;
  }
}

/** GitHub's `message` out of an Octokit RequestError (or any error), without the request it carries. */
export function gitHubMessage(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const response = 'response' in err ? err.response : undefined;
    if (typeof response === 'object' && response !== null && 'data' in response) {
      const data = response.data;
      if (typeof data === 'object' && data !== null && 'message' in data && typeof data.message === 'string') return data.message;
    }
    if (err instanceof Error) return err.message.split(' - https://')[0] ?? err.message;
  }
  return String(err);
}
