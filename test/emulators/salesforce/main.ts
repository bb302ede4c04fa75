// `npm run emulator -- --port 8484 --records 10000`: starts the Salesforce emulator. The first
// line on stdout is one JSON object with the demo org's credentials (a contract other tools read).
import { parseArgs } from 'node:util';
import { stopWithParent } from '../lifeline.ts';
import { startEmulator } from './emulator.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    records: { type: 'string', default: '1000' },
    'sandbox-records': { type: 'string', default: '100' },
    seed: { type: 'string', default: '1' },
    'data-dir': { type: 'string' },
    'no-https': { type: 'boolean', default: false },
    'max-records': { type: 'string' },
    'outlive-parent': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  process.stdout.write(`Usage: npm run emulator -- [--port N] [--records N] [--sandbox-records N] [--seed N] [--data-dir DIR] [--no-https] [--max-records N] [--outlive-parent]
Prints one JSON line with the demo org's credentials, then a line per listener on stderr.
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

const emu = await startEmulator({
  host: values.host,
  port: int('port', values.port),
  https: !values['no-https'],
  ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
  ...(values['max-records'] ? { bulk: { defaultMaxRecords: int('max-records', values['max-records']) } } : {}),
  orgs: [
    { alias: 'demo', sandbox: false, records: int('records', values.records), seed: int('seed', values.seed), name: 'Demo Production' },
    {
      alias: 'demo-sandbox',
      sandbox: true,
      records: int('sandbox-records', values['sandbox-records']),
      seed: int('seed', values.seed) + 1,
      name: 'Demo Sandbox',
    },
  ],
});

const demo = emu.credentials[0];
if (!demo) throw new Error('no demo org');
process.stdout.write(
  `${JSON.stringify({
    loginUrl: demo.loginUrl,
    instanceUrl: demo.instanceUrl,
    clientId: demo.clientId,
    clientSecret: demo.clientSecret,
    refreshToken: demo.refreshToken,
    username: demo.username,
    orgId: demo.orgId,
  })}\n`,
);
process.stderr.write(`Salesforce emulator ready. login ${emu.loginUrl}, test ${emu.testLoginUrl}, control ${emu.controlUrl}/__emu/state\n`);
for (const c of emu.credentials) process.stderr.write(`  org ${c.alias} (${c.isSandbox ? 'sandbox' : 'production'}) ${c.orgId} at ${c.instanceUrl}\n`);
if (emu.caFile) process.stderr.write(`  HTTPS: login ${emu.loginUrlHttps}; CA certificate ${emu.caFile}\n`);

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
