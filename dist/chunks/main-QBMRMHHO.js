import { createRequire as __sfbackupCreateRequire } from 'node:module';
const require = __sfbackupCreateRequire(import.meta.url);
import {
  SalesforceError,
  checkOrg,
  describeError,
  orgCredentialsSchema,
  parseSettings
} from "./chunk-YQYDRVJT.js";

// src/cli/main.ts
import { parseArgs } from "node:util";
var VERSION = true ? "0.1.0" : "dev";
var EXIT = { ok: 0, failed: 1, misconfigured: 2, reauth_required: 3, app_pending: 4, transient: 5 };
var HELP = `sfbackup ${VERSION}: back up Salesforce orgs into your own GitHub repository.

Usage: sfbackup <command> [options]

Commands:
  check    Log in to one org with a refresh token; print the org id, instance and API usage.

Options for check (each also read from the environment variable named):
  --login-url URL        SF_LOGIN_URL       https://login.salesforce.com (default), https://test.salesforce.com
                                            for sandboxes, or the org's My Domain URL
  --client-id KEY        SF_CLIENT_ID       Consumer Key of the Connected App
  --client-secret SECRET SF_CLIENT_SECRET   Consumer Secret of the Connected App
  --refresh-token TOKEN  SF_REFRESH_TOKEN   the org's refresh token
  --api-version V        SF_API_VERSION     Salesforce API version (default 62.0)
  --json                                    print the result as JSON

  Prefer the environment variables for secrets: command lines are visible to other processes.

Other options:
  -h, --help             this text
  -v, --version          the version

Exit codes: 0 ok, 1 unexpected failure, 2 usage or configuration error, 3 re-authorization required,
4 Connected App not active yet (retry within 10 minutes), 5 temporary failure (retry later).
`;
var FLAG_ENV = {
  loginUrl: ["login-url", "SF_LOGIN_URL"],
  clientId: ["client-id", "SF_CLIENT_ID"],
  clientSecret: ["client-secret", "SF_CLIENT_SECRET"],
  refreshToken: ["refresh-token", "SF_REFRESH_TOKEN"],
  apiVersion: ["api-version", "SF_API_VERSION"]
};
var UsageError = class extends Error {
};
async function main(argv, env) {
  let parsed;
  try {
    parsed = parse(argv);
  } catch (err) {
    throw new UsageError(err.message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return EXIT.ok;
  }
  if (values.version) {
    process.stdout.write(`${VERSION}
`);
    return EXIT.ok;
  }
  const [command, ...rest] = positionals;
  if (!command) throw new UsageError("no command given");
  if (command !== "check") throw new UsageError(`unknown command "${command}"`);
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
  const raw = {};
  const names = {};
  for (const [key, [flag, envName]] of Object.entries(FLAG_ENV)) {
    raw[key] = values[flag] || env[envName] || void 0;
    names[key] = `--${flag} (or ${envName})`;
  }
  const creds = parseSettings(orgCredentialsSchema, raw, names);
  const result = await checkOrg(creds);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ authState: "ok", ...result })}
`);
  } else {
    const u = result.apiUsage;
    process.stdout.write(
      [
        `Logged in to org ${result.orgId} as user ${result.userId}.`,
        `Instance:     ${result.instanceUrl}`,
        `API version:  ${result.apiVersion}`,
        `API requests: ${u.used} of ${u.limit} in the last 24 hours (${u.remaining} left)`,
        ""
      ].join("\n")
    );
  }
  if (result.refreshTokenRotated) {
    process.stderr.write("Warning: the org rotated the refresh token; the one you passed no longer works. Re-authorize, or turn rotation off for the app.\n");
  }
  return EXIT.ok;
}
function parse(argv) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      "login-url": { type: "string" },
      "client-id": { type: "string" },
      "client-secret": { type: "string" },
      "refresh-token": { type: "string" },
      "api-version": { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
      version: { type: "boolean", short: "v", default: false }
    }
  });
}
main(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    if (err instanceof UsageError) {
      process.stderr.write(`sfbackup: ${err.message}
Run "sfbackup --help" for usage.
`);
      process.exitCode = EXIT.misconfigured;
    } else if (err instanceof SalesforceError) {
      process.stderr.write(`sfbackup: ${describeError(err)}
`);
      process.exitCode = EXIT[err.state];
    } else {
      process.stderr.write(`sfbackup: ${describeError(err)}
`);
      process.exitCode = EXIT.failed;
    }
  }
);
export {
  EXIT
};
