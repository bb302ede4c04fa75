import { createRequire as __sfbackupCreateRequire } from 'node:module';
const require = __sfbackupCreateRequire(import.meta.url);
import {
  ProductError
} from "./chunk-UUIBS2XM.js";
import {
  httpStatus
} from "./chunk-CMDQAP4X.js";

// src/github/contracts.ts
function describeSecretTarget(t) {
  if (t.scope === "repository") return `repository secret ${t.name} of ${t.owner}/${t.repo}`;
  if (t.scope === "environment") return `environment secret ${t.name} (environment ${t.environment}) of ${t.owner}/${t.repo}`;
  return `organization secret ${t.name} of ${t.org}`;
}

// src/github/errors.ts
var GUIDE = "docs/github-token.md explains both ways, least privilege first.";
var NO_GITHUB_TOKEN = "The workflow GITHUB_TOKEN cannot write secrets (there is no `secrets` permission for it).";
function secretPermissionRemedy(target) {
  if (target.scope === "repository") {
    return `Give the action a token that can write secrets of ${target.owner}/${target.repo}: a GitHub App installation token with \`secrets: write\` (actions/create-github-app-token with \`permission-secrets: write\`), or a fine-grained token with Secrets: Read and write on ${target.owner}/${target.repo}. ${NO_GITHUB_TOKEN} ${GUIDE}`;
  }
  if (target.scope === "environment") {
    return `Give the action a token that can write environment secrets of ${target.owner}/${target.repo}: a GitHub App installation token with \`environments: write\` (actions/create-github-app-token with \`permission-environments: write\`), or a fine-grained token with Environments: Read and write on ${target.owner}/${target.repo}. Check that the environment "${target.environment}" exists (Settings \u2192 Environments). ${NO_GITHUB_TOKEN} ${GUIDE}`;
  }
  return `Give the action a token that can write organization secrets of ${target.org}: a GitHub App installed on ${target.org} with \`organization_secrets: write\` (actions/create-github-app-token with \`permission-organization-secrets: write\`), or a fine-grained token owned by ${target.org} with the organization permission Secrets: Read and write (the organization must allow fine-grained tokens; a classic token needs admin:org). ${NO_GITHUB_TOKEN} ${GUIDE}`;
}
var SecretWriteError = class extends ProductError {
  name = "SecretWriteError";
  /** The callers decide what a lost write means (rotation_write_failed, a rotate-app stop); alone it is a plain failure. */
  state = "failed";
  target;
  status;
  /** Whether a later attempt may succeed without anyone changing a setting. */
  retryable;
  constructor(details) {
    const where = describeSecretTarget(details.target);
    const http = details.status === void 0 ? "" : ` (HTTP ${details.status})`;
    super({
      reason: details.reason,
      message: `Could not write the ${where}${http}: ${details.detail}`,
      remedy: details.remedy,
      cause: new Error(`${details.status ?? "no answer"}: ${details.detail}`)
    });
    this.target = details.target;
    this.status = details.status;
    this.retryable = details.reason === "unavailable";
  }
};
var IssueSyncError = class extends ProductError {
  name = "IssueSyncError";
  state = "failed";
  status;
  constructor(details) {
    super({ ...details, cause: new Error(`${details.status ?? "no answer"}: ${details.message}`) });
    this.status = details.status;
  }
};
function gitHubMessage(err) {
  if (typeof err === "object" && err !== null) {
    const response = "response" in err ? err.response : void 0;
    if (typeof response === "object" && response !== null && "data" in response) {
      const data = response.data;
      if (typeof data === "object" && data !== null && "message" in data && typeof data.message === "string") return data.message;
    }
    if (err instanceof Error) return err.message.split(" - https://")[0] ?? err.message;
  }
  return String(err);
}

// src/runtime/backoff.ts
function abortableSleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
async function retry(fn, opts) {
  const sleep = opts.sleep ?? abortableSleep;
  for (let attempt = 1; ; attempt++) {
    opts.signal?.throwIfAborted();
    try {
      const result = await fn(attempt);
      opts.signal?.throwIfAborted();
      return result;
    } catch (err) {
      if (opts.signal?.aborted || attempt > opts.retries || !opts.retryable(err)) throw err;
      const delayMs = Math.max(0, opts.delayMs(attempt));
      opts.onRetry?.(err, attempt, delayMs);
      await sleep(delayMs, opts.signal);
    }
  }
}
function jitteredExponential(policy, random = Math.random) {
  return (attempt) => Math.min(Math.round((1 + random()) * policy.minTimeoutMs * 2 ** (attempt - 1)), policy.maxTimeoutMs);
}
function doubling(baseMs) {
  return (attempt) => baseMs * 2 ** (attempt - 1);
}
function retryTransient(fn, isTransient, policy, onRetry, signal) {
  return retry(fn, {
    retries: policy.retries,
    retryable: isTransient,
    delayMs: jitteredExponential(policy),
    ...onRetry ? { onRetry: (err, attempt) => onRetry(err, attempt) } : {},
    ...signal ? { signal } : {}
  });
}

// src/github/retry.ts
var DEFAULT_GITHUB_RETRY = { retries: 4, minTimeoutMs: 1e3, maxTimeoutMs: 8e3 };
function headerOf(err, name) {
  if (typeof err !== "object" || err === null || !("response" in err)) return void 0;
  const response = err.response;
  if (typeof response !== "object" || response === null || !("headers" in response)) return void 0;
  const headers = response.headers;
  if (typeof headers !== "object" || headers === null) return void 0;
  const v = headers[name];
  return typeof v === "string" ? v : void 0;
}
function isTransientGitHubError(err) {
  const status = httpStatus(err);
  if (status === void 0 || status >= 500 || status === 429) return true;
  if (status !== 403) return false;
  return headerOf(err, "retry-after") !== void 0 || headerOf(err, "x-ratelimit-remaining") === "0" || /rate limit/i.test(gitHubMessage(err));
}
function withGitHubRetry(fn, policy = DEFAULT_GITHUB_RETRY, onRetry) {
  return retryTransient(() => fn(), isTransientGitHubError, policy, onRetry);
}

export {
  retry,
  jitteredExponential,
  doubling,
  retryTransient,
  describeSecretTarget,
  secretPermissionRemedy,
  SecretWriteError,
  IssueSyncError,
  gitHubMessage,
  DEFAULT_GITHUB_RETRY,
  isTransientGitHubError,
  withGitHubRetry
};
