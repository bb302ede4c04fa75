// `npm run bench -- <benchmark> [options]`: performance benchmarks against the emulators
// (docs/performance.md). Progress goes to stderr; the last stdout line is the result as JSON.
import { BACKUP_HELP, benchBackup } from './backup.ts';

const HELP = `Usage: npm run bench -- <benchmark> [options]

Benchmarks:
  backup   the product's backup vs sf data export bulk vs a raw Bulk 2.0 download

${BACKUP_HELP}`;

const [name, ...rest] = process.argv.slice(2);
if (!name || name === '-h' || name === '--help' || rest.includes('--help')) {
  process.stdout.write(HELP);
  process.exit(name ? 0 : 2);
}
if (name !== 'backup') {
  process.stderr.write(`unknown benchmark "${name}"\n\n${HELP}`);
  process.exit(2);
}
try {
  const result = await benchBackup(rest);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (err) {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
