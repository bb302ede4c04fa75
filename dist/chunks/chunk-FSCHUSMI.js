import { createRequire as __sfbackupCreateRequire } from 'node:module';
const require = __sfbackupCreateRequire(import.meta.url);
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
var SecretWriteError = class extends Error {
  name = "SecretWriteError";
  target;
  reason;
  status;
  remedy;
  /** Whether a later attempt may succeed without anyone changing a setting. */
  retryable;
  constructor(details) {
    const where = describeSecretTarget(details.target);
    const http = details.status === void 0 ? "" : ` (HTTP ${details.status})`;
    super(`Could not write the ${where}${http}: ${details.detail}`, { cause: new Error(`${details.status ?? "no answer"}: ${details.detail}`) });
    this.target = details.target;
    this.reason = details.reason;
    this.status = details.status;
    this.remedy = details.remedy;
    this.retryable = details.reason === "unavailable";
  }
};
var IssueSyncError = class extends Error {
  name = "IssueSyncError";
  reason;
  status;
  remedy;
  constructor(details) {
    super(details.message, { cause: new Error(`${details.status ?? "no answer"}: ${details.message}`) });
    this.reason = details.reason;
    this.status = details.status;
    this.remedy = details.remedy;
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

// node_modules/is-network-error/index.js
var objectToString = Object.prototype.toString;
var isError = (value) => objectToString.call(value) === "[object Error]";
var errorMessages = /* @__PURE__ */ new Set([
  "network error",
  // Chrome
  "NetworkError when attempting to fetch resource.",
  // Firefox
  "The Internet connection appears to be offline.",
  // Safari 16
  "Network request failed",
  // `cross-fetch`
  "fetch failed",
  // Undici (Node.js)
  "terminated",
  // Undici (Node.js)
  " A network error occurred.",
  // Bun (WebKit)
  "Network connection lost"
  // Cloudflare Workers (fetch)
]);
function isNetworkError(error) {
  const isValid = error && isError(error) && error.name === "TypeError" && typeof error.message === "string";
  if (!isValid) {
    return false;
  }
  const { message, stack } = error;
  if (message === "Load failed" || message.startsWith("Load failed (") && message.endsWith(")")) {
    return stack === void 0 || "__sentry_captured__" in error;
  }
  if (message.startsWith("error sending request for url")) {
    return true;
  }
  if (message === "Failed to fetch" || message.startsWith("Failed to fetch (") && message.endsWith(")")) {
    return true;
  }
  return errorMessages.has(message);
}

// node_modules/p-retry/index.js
function validateRetries(retries) {
  if (typeof retries === "number") {
    if (retries < 0) {
      throw new TypeError("Expected `retries` to be a non-negative number.");
    }
    if (Number.isNaN(retries)) {
      throw new TypeError("Expected `retries` to be a valid number or Infinity, got NaN.");
    }
  } else if (retries !== void 0) {
    throw new TypeError("Expected `retries` to be a number or Infinity.");
  }
}
function validateNumberOption(name, value, { min = 0, allowInfinity = false } = {}) {
  if (value === void 0) {
    return;
  }
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new TypeError(`Expected \`${name}\` to be a number${allowInfinity ? " or Infinity" : ""}.`);
  }
  if (!allowInfinity && !Number.isFinite(value)) {
    throw new TypeError(`Expected \`${name}\` to be a finite number.`);
  }
  if (value < min) {
    throw new TypeError(`Expected \`${name}\` to be \u2265 ${min}.`);
  }
}
var AbortError = class extends Error {
  constructor(message) {
    super();
    if (message instanceof Error) {
      this.originalError = message;
      ({ message } = message);
    } else {
      this.originalError = new Error(message);
      this.originalError.stack = this.stack;
    }
    this.name = "AbortError";
    this.message = message;
  }
};
function calculateDelay(retriesConsumed, options) {
  const attempt = Math.max(1, retriesConsumed + 1);
  const random = options.randomize ? Math.random() + 1 : 1;
  let timeout = Math.round(random * options.minTimeout * options.factor ** (attempt - 1));
  timeout = Math.min(timeout, options.maxTimeout);
  return timeout;
}
function calculateRemainingTime(start, max) {
  if (!Number.isFinite(max)) {
    return max;
  }
  return max - (performance.now() - start);
}
async function onAttemptFailure({ error, attemptNumber, retriesConsumed, startTime, options }) {
  const normalizedError = error instanceof Error ? error : new TypeError(`Non-error was thrown: "${error}". You should only throw errors.`);
  if (normalizedError instanceof AbortError) {
    throw normalizedError.originalError;
  }
  const retriesLeft = Number.isFinite(options.retries) ? Math.max(0, options.retries - retriesConsumed) : options.retries;
  const maxRetryTime = options.maxRetryTime ?? Number.POSITIVE_INFINITY;
  const context = Object.freeze({
    error: normalizedError,
    attemptNumber,
    retriesLeft,
    retriesConsumed
  });
  await options.onFailedAttempt(context);
  if (calculateRemainingTime(startTime, maxRetryTime) <= 0) {
    throw normalizedError;
  }
  const consumeRetry = await options.shouldConsumeRetry(context);
  const remainingTime = calculateRemainingTime(startTime, maxRetryTime);
  if (remainingTime <= 0 || retriesLeft <= 0) {
    throw normalizedError;
  }
  if (normalizedError instanceof TypeError && !isNetworkError(normalizedError)) {
    if (consumeRetry) {
      throw normalizedError;
    }
    options.signal?.throwIfAborted();
    return false;
  }
  if (!await options.shouldRetry(context)) {
    throw normalizedError;
  }
  if (!consumeRetry) {
    options.signal?.throwIfAborted();
    return false;
  }
  const delayTime = calculateDelay(retriesConsumed, options);
  const finalDelay = Math.min(delayTime, remainingTime);
  options.signal?.throwIfAborted();
  if (finalDelay > 0) {
    await new Promise((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timeoutToken);
        options.signal?.removeEventListener("abort", onAbort);
        reject(options.signal.reason);
      };
      const timeoutToken = setTimeout(() => {
        options.signal?.removeEventListener("abort", onAbort);
        resolve();
      }, finalDelay);
      if (options.unref) {
        timeoutToken.unref?.();
      }
      options.signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
  options.signal?.throwIfAborted();
  return true;
}
async function pRetry(input, options = {}) {
  options = { ...options };
  validateRetries(options.retries);
  if (Object.hasOwn(options, "forever")) {
    throw new Error("The `forever` option is no longer supported. For many use-cases, you can set `retries: Infinity` instead.");
  }
  options.retries ??= 10;
  options.factor ??= 2;
  options.minTimeout ??= 1e3;
  options.maxTimeout ??= Number.POSITIVE_INFINITY;
  options.maxRetryTime ??= Number.POSITIVE_INFINITY;
  options.randomize ??= false;
  options.onFailedAttempt ??= () => {
  };
  options.shouldRetry ??= () => true;
  options.shouldConsumeRetry ??= () => true;
  validateNumberOption("factor", options.factor, { min: 0, allowInfinity: false });
  validateNumberOption("minTimeout", options.minTimeout, { min: 0, allowInfinity: false });
  validateNumberOption("maxTimeout", options.maxTimeout, { min: 0, allowInfinity: true });
  validateNumberOption("maxRetryTime", options.maxRetryTime, { min: 0, allowInfinity: true });
  if (!(options.factor > 0)) {
    options.factor = 1;
  }
  options.signal?.throwIfAborted();
  let attemptNumber = 0;
  let retriesConsumed = 0;
  const startTime = performance.now();
  while (Number.isFinite(options.retries) ? retriesConsumed <= options.retries : true) {
    attemptNumber++;
    try {
      options.signal?.throwIfAborted();
      const result = await input(attemptNumber);
      options.signal?.throwIfAborted();
      return result;
    } catch (error) {
      if (await onAttemptFailure({
        error,
        attemptNumber,
        retriesConsumed,
        startTime,
        options
      })) {
        retriesConsumed++;
      }
    }
  }
  throw new Error("Retry attempts exhausted without throwing an error.");
}

// src/runtime/backoff.ts
var Retryable = class extends Error {
  original;
  constructor(original) {
    super(original instanceof Error ? original.message : String(original));
    this.original = original;
  }
};
async function retryTransient(fn, isTransient, policy, onRetry, signal) {
  try {
    return await pRetry(
      async (attempt) => {
        try {
          return await fn(attempt);
        } catch (err) {
          throw isTransient(err) ? new Retryable(err) : err;
        }
      },
      {
        retries: policy.retries,
        minTimeout: policy.minTimeoutMs,
        maxTimeout: policy.maxTimeoutMs,
        factor: 2,
        randomize: true,
        ...signal ? { signal } : {},
        shouldRetry: ({ error }) => error instanceof Retryable,
        onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
          if (error instanceof Retryable && retriesLeft > 0) onRetry?.(error.original, attemptNumber);
        }
      }
    );
  } catch (err) {
    throw err instanceof Retryable ? err.original : err;
  }
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
