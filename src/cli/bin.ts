// The `sfbackup` executable (dist/cli.js). Its dependencies fail at load on older Node with errors
// that say nothing useful, so the version check runs before any of them is imported.
import { reexecWithHeapLimits } from '../runtime/heap-limits.ts';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `sfbackup needs Node.js 24 or newer; this is ${process.version}. Run it through npm (npx sfbackup) in this repository, or install Node 24.\n`,
  );
  process.exit(1);
}

if (!reexecWithHeapLimits('sfbackup')) await import('./main.ts');
