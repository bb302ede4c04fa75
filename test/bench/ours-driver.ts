// `--entry driver`: the product's backup path (src/backup/run.ts backupOrg into a local folder)
// without the CLI around it, for measuring before `sfbackup backup` exists or to tell the CLI's
// own cost apart. Same arguments and environment as the CLI: `backup --out DIR`, SF_* variables.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { backupOrg } from '../../src/backup/run.ts';
import { orgCredentialsSchema } from '../../src/config/credentials.ts';
import { LocalTarget } from '../../src/storage/local.ts';

const { values, positionals } = parseArgs({ options: { out: { type: 'string' }, include: { type: 'string' } }, allowPositionals: true });
if (positionals[0] !== 'backup' || !values.out) throw new Error('usage: ours-driver.ts backup --out DIR [--include A,B]');
const credentials = orgCredentialsSchema.parse({
  loginUrl: process.env.SF_LOGIN_URL,
  clientId: process.env.SF_CLIENT_ID,
  clientSecret: process.env.SF_CLIENT_SECRET,
  refreshToken: process.env.SF_REFRESH_TOKEN,
});
const workDir = mkdtempSync(path.join(tmpdir(), 'sfbackup-bench-work-'));
try {
  const result = await backupOrg({
    alias: 'bench',
    credentials,
    target: new LocalTarget({ dir: values.out }),
    workDir,
    fullEvery: 1,
    apiBudgetShare: 1,
    massDelete: { share: 0.5, minRows: 100 },
    ...(values.include ? { include: values.include.split(',') } : {}),
    toolVersion: 'bench',
    log: { info: (m) => process.stderr.write(`${m}\n`), warning: (m) => process.stderr.write(`warning: ${m}\n`) },
  });
  process.stdout.write(`${JSON.stringify({ rows: result.rows, objects: result.objects, failed: result.failedObjects.length })}\n`);
  if (result.failedObjects.length || result.stopped) process.exitCode = 1;
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
