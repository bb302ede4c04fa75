import { createRequire as __sfbackupCreateRequire } from 'node:module';
const require = __sfbackupCreateRequire(import.meta.url);

// src/github/octokit.ts
async function createOctokit(token, apiUrl) {
  const github = await import("./github-5QHIYWOF.js");
  return github.getOctokit(token, { baseUrl: apiUrl.replace(/\/+$/, "") });
}
function httpStatus(err) {
  if (typeof err === "object" && err !== null && "status" in err && typeof err.status === "number") return err.status;
  return void 0;
}

export {
  createOctokit,
  httpStatus
};
