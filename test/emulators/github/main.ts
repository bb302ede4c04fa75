// `npm run emulator:github -- --port 8585`: starts the GitHub emulator. The first line on stdout is
// one JSON object with the URLs, the token and the environment a job needs (a contract other tools read).
import { parseArgs } from 'node:util';
import { stopWithParent } from '../lifeline.ts';
import { startGitHubEmulator } from './emulator.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    owner: { type: 'string', default: 'octo-org' },
    repo: { type: 'string', default: 'salesforce-backups' },
    token: { type: 'string' },
    'retention-days': { type: 'string', default: '90' },
    'no-initial-commit': { type: 'boolean', default: false },
    'outlive-parent': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  process.stdout.write(`Usage: npm run emulator:github -- [--port N] [--host H] [--owner O] [--repo R] [--token T] [--retention-days N] [--no-initial-commit] [--outlive-parent]
Prints one JSON line {apiUrl, resultsUrl, controlUrl, blobUrl, gitUrl, owner, repo, token, runId, env}, then a summary on stderr.
Stops on SIGINT or SIGTERM, and when the process that started it exits (unless --outlive-parent).
`);
  process.exit(0);
}

function int(name: string, v: string | undefined): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`--${name} must be a non-negative whole number, got ${v}\n`);
    process.exit(2);
  }
  return n;
}

const emu = await startGitHubEmulator({
  host: values.host,
  port: int('port', values.port),
  owner: values.owner,
  repo: values.repo,
  ...(values.token ? { token: values.token } : {}),
  retentionDays: int('retention-days', values['retention-days']),
  initialCommit: !values['no-initial-commit'],
});

process.stdout.write(
  `${JSON.stringify({
    apiUrl: emu.apiUrl,
    resultsUrl: emu.resultsUrl,
    controlUrl: emu.controlUrl,
    blobUrl: emu.blobUrl,
    gitUrl: emu.gitUrl(),
    owner: emu.owner,
    repo: emu.repo,
    token: emu.token,
    runId: emu.run.id,
    env: emu.env(),
  })}\n`,
);
process.stderr.write(
  `GitHub emulator ready. API ${emu.apiUrl}, git ${emu.gitUrl()}, control ${emu.controlUrl}/state, Azurite ${emu.blobUrl} (pid ${emu.azuritePid}), data ${emu.dataDir}\n`,
);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  emu.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
// `npm run emulator` stopped by npm's pid, or a test runner that died: nobody will send SIGTERM.
if (!values['outlive-parent']) {
  stopWithParent((why) => {
    process.stderr.write(`Stopping: ${why}.\n`);
    stop();
  });
}
