// `npm run demo`: a backup end to end against the Salesforce emulator, in one go. Starts an emulator
// with a demo org, backs it up with the sfbackup CLI (the same code the action runs) into a local
// folder, verifies the snapshot, says what it did and where the snapshot is, and stops.
// `npm run demo -- DIR` keeps the snapshot in DIR; otherwise it goes to a fresh temp folder.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmulator } from '../test/emulators/salesforce/emulator.ts';

const RECORDS = 500;
const root = path.resolve(import.meta.dirname, '..');
const cli = path.join(root, 'src/cli/bin.ts');

const out = (line = '') => process.stdout.write(`${line}\n`);

/** Runs the CLI as a user would, with the secrets in the environment (never on the command line). */
function sfbackup(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', cli, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
      // Progress lines as they come: the CLI writes them to stderr.
      process.stdout.write(d.toString('utf8').replace(/^(?=.)/gm, '  | '));
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const outDir = path.resolve(process.argv[2] ?? mkdtempSync(path.join(tmpdir(), 'sfbackup-demo-')));
const started = Date.now();
const emu = await startEmulator({ https: false, orgs: [{ alias: 'demo', sandbox: false, records: RECORDS, seed: 1, name: 'Demo Production' }] });
try {
  const org = emu.credentials[0];
  if (!org) throw new Error('the emulator started without an org');
  out(`Salesforce emulator up in ${Date.now() - started} ms with org "${org.alias}" (${org.orgId}, ${RECORDS} generated records).`);
  out(`  login host     ${emu.loginUrl}`);
  out(`  instance host  ${org.instanceUrl}`);
  out();

  const env = { SF_LOGIN_URL: org.loginUrl, SF_CLIENT_ID: org.clientId, SF_CLIENT_SECRET: org.clientSecret, SF_REFRESH_TOKEN: org.refreshToken };
  out(`$ sfbackup backup --alias demo --out ${outDir}     (credentials in SF_LOGIN_URL, SF_CLIENT_ID, SF_CLIENT_SECRET, SF_REFRESH_TOKEN)`);
  const backup = await sfbackup(['backup', '--alias', 'demo', '--out', outDir], env);
  out(backup.stdout.trimEnd());
  if (backup.code !== 0) throw new Error(`sfbackup backup exited ${backup.code}`);
  out();

  // Each run is a dated folder under <out>/<alias>/; `latest` points at the newest.
  const snapshot = path.join(outDir, 'demo', readlinkSync(path.join(outDir, 'demo', 'latest')));
  const manifest = JSON.parse(readFileSync(path.join(snapshot, 'manifest.json'), 'utf8')) as {
    objects: { name: string; rows: number; files: unknown[] }[];
    totals: { objects: number; rows: number; files: number; bytes: number };
  };
  out(`What is in the snapshot (${manifest.totals.objects} objects, ${manifest.totals.rows} rows, ${manifest.totals.files} CSV files):`);
  const width = Math.max(...manifest.objects.map((o) => o.name.length));
  for (const o of manifest.objects) out(`  ${o.name.padEnd(width)}  ${String(o.rows).padStart(6)} rows`);
  out();

  out(`$ sfbackup verify ${snapshot}`);
  const verify = await sfbackup(['verify', snapshot], {});
  out(verify.stdout.trimEnd());
  if (verify.code !== 0) throw new Error(`sfbackup verify exited ${verify.code}: ${verify.stderr}`);
  out();

  out(`The snapshot is in ${snapshot}:`);
  out('  manifest.json          org, run, and per object: fields, rows, COUNT() check, watermark, files with sha256');
  out('  schema/<Object>.json   the trimmed describe of each object');
  out('  data/<Object>/*.csv    the rows, sorted by Id, in stable buckets (docs/snapshot-format.md)');
  out();
  out('Next: run it on a schedule in GitHub Actions (docs/setup.md, .github/workflows/backup.yml), or back up a real org:');
  out('  SF_CLIENT_ID=… SF_CLIENT_SECRET=… SF_REFRESH_TOKEN=… npx sfbackup backup --out ./backups --alias prod');
} catch (err) {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  await emu.close();
}
