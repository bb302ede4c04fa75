import { createRequire as __sfbackupCreateRequire } from 'node:module';
const require = __sfbackupCreateRequire(import.meta.url);

// src/runtime/errors.ts
var AUTH_FAILURE_STATES = ["reauth_required", "app_pending", "transient", "misconfigured", "rotation_write_failed"];
var AUTH_STATES = ["ok", ...AUTH_FAILURE_STATES];
var ProductError = class extends Error {
  reason;
  remedy;
  constructor(init) {
    super(init.message, init.cause === void 0 ? void 0 : { cause: init.cause });
    this.reason = init.reason;
    this.remedy = init.remedy;
  }
};
function describeFailure(err) {
  if (err instanceof ProductError) return err.remedy ? `${err.message}
To fix: ${err.remedy}` : err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
function failureState(err) {
  return err instanceof ProductError ? err.state : "failed";
}

export {
  AUTH_FAILURE_STATES,
  AUTH_STATES,
  ProductError,
  describeFailure,
  failureState
};
