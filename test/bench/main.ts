// `npm run bench -- <benchmark> [options]`: performance benchmarks against the emulators
// (docs/performance.md). Progress goes to stderr; the last stdout line is the result as JSON.
import { BACKUP_HELP, benchBackup } from './backup.ts';
import { benchIncremental, INCREMENTAL_HELP } from './incremental.ts';
import { benchRestore, RESTORE_HELP } from './restore.ts';
import { benchSite, SITE_HELP } from './site.ts';

const BENCHMARKS: Record<string, (argv: string[]) => Promise<unknown>> = {
  backup: benchBackup,
  incremental: benchIncremental,
  restore: benchRestore,
  site: benchSite,
};

const HELP = `Usage: npm run bench -- <benchmark> [options]

Benchmarks:
  backup        the product's backup vs sf data export bulk vs a raw Bulk 2.0 download
  incremental   a full backup to a branch, P% of the rows changed, then an incremental backup
  restore       N records deleted with their relationships and restored vs sf data import bulk of the same rows, flat
  site          the status site built from generated status data (N orgs, D days of history)

${BACKUP_HELP}
${INCREMENTAL_HELP}
${RESTORE_HELP}
${SITE_HELP}`;

const [name, ...rest] = process.argv.slice(2);
if (!name || name === '-h' || name === '--help' || rest.includes('--help')) {
  process.stdout.write(HELP);
  process.exit(name ? 0 : 2);
}
const bench = BENCHMARKS[name];
if (!bench) {
  process.stderr.write(`unknown benchmark "${name}"\n\n${HELP}`);
  process.exit(2);
}
try {
  const result = await bench(rest);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (err) {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
