// `npm run demo`: the product's login path against the Salesforce emulator, end to end, in one process.
// Starts an emulator with a demo org, logs in through src/salesforce (refresh token + Connected App, as
// the action does), runs a first look through jsforce, says where things are, and stops.
import { connect, DEFAULT_API_VERSION } from '../src/salesforce/connection.ts';
import { describeError } from '../src/salesforce/errors.ts';
import { startEmulator } from '../test/emulators/salesforce/emulator.ts';

const RECORDS = 500;

const out = (line = '') => process.stdout.write(`${line}\n`);

const started = Date.now();
const emu = await startEmulator({ https: false, orgs: [{ alias: 'demo', sandbox: false, records: RECORDS, seed: 1, name: 'Demo Production' }] });
try {
  const org = emu.credentials[0];
  if (!org) throw new Error('the emulator started without an org');
  out(`Salesforce emulator up in ${Date.now() - started} ms with org "${org.alias}" (${org.orgId}, data generated for records: ${RECORDS}).`);
  out(`  login host     ${emu.loginUrl}`);
  out(`  instance host  ${org.instanceUrl}`);
  out(`  control        ${emu.controlUrl}/__emu/state`);
  out();

  const session = await connect({
    loginUrl: org.loginUrl,
    clientId: org.clientId,
    clientSecret: org.clientSecret,
    refreshToken: org.refreshToken,
    apiVersion: DEFAULT_API_VERSION,
  });
  const conn = session.conn;
  out(`Logged in with the refresh token through src/salesforce/connection.ts: org ${session.orgId}, user ${session.userId}.`);
  out();

  const global = await conn.describeGlobal();
  const objects = global.sobjects.filter((o) => o.queryable && o.retrieveable);
  out(`describeGlobal: ${global.sobjects.length} objects, ${objects.length} queryable. Records per object (SELECT COUNT()):`);
  const width = Math.max(...objects.map((o) => o.name.length));
  let total = 0;
  for (const o of objects) {
    try {
      const { totalSize } = await conn.query(`SELECT COUNT() FROM ${o.name}`);
      total += totalSize;
      out(`  ${o.name.padEnd(width)}  ${String(totalSize).padStart(7)}`);
    } catch (err) {
      out(`  ${o.name.padEnd(width)}  (not countable: ${(err as Error).name})`);
    }
  }
  out(`  ${'total'.padEnd(width)}  ${String(total).padStart(7)}`);
  out();

  const accounts = await conn.query<{ Id: string; Name: string }>('SELECT Id, Name FROM Account ORDER BY Name LIMIT 5');
  out(`A few Accounts (SELECT Id, Name FROM Account ORDER BY Name LIMIT 5):`);
  // Quoted: the generator includes names with edge-case spacing and characters.
  for (const a of accounts.records) out(`  ${a.Id}  ${JSON.stringify(a.Name)}`);
  out();

  const usage = conn.limitInfo?.apiUsage;
  if (usage) out(`API requests used in the org's 24-hour window: ${usage.used} of ${usage.limit}.`);
  out('Where things are:');
  out('  src/salesforce/        the login and org code the action and the CLI share');
  out('  src/action/, dist/     the GitHub Action (action.yml runs dist/index.js)');
  out('  src/cli/               the sfbackup CLI (dist/cli.js); try: npx sfbackup --help');
  out('  test/emulators/        the Salesforce emulator; run it alone: npm run emulator -- --port 8484');
  out('  docs/                  emulator.md (hosts, orgs, /__emu control surface), development.md');
} catch (err) {
  process.stderr.write(`demo failed: ${describeError(err)}\n`);
  process.exitCode = 1;
} finally {
  await emu.close();
}
