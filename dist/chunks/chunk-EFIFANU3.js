import { createRequire as __sfbackupCreateRequire } from 'node:module';
const require = __sfbackupCreateRequire(import.meta.url);

// src/backup/describe.ts
function describeFailure(err) {
  if (err instanceof Error) {
    const remedy = err.remedy;
    return typeof remedy === "string" && remedy ? `${err.message}
To fix: ${remedy}` : err.message;
  }
  return String(err);
}
function failureState(err) {
  const state = err instanceof Error ? err.state : void 0;
  return typeof state === "string" ? state : void 0;
}

export {
  describeFailure,
  failureState
};
