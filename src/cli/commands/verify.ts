// `sfbackup verify DIR`: a snapshot checked against its manifest, and what killed runs left beside it.
import path from 'node:path';
import { formatBytes, formatCount } from '../../backup/progress.ts';
import { SnapshotCorruptError, verifySnapshot } from '../../snapshot/index.ts';
import { leftoversAround } from '../../storage/local.ts';
import { defineCommand } from '../command.ts';
import { EXIT } from '../exit.ts';

export const verifyCommand = defineCommand({
  name: 'verify',
  synopsis: 'verify DIR',
  summary:
    "Check a snapshot (DIR, DIR/<alias>, DIR/<alias>/latest or a dated folder) against\nits manifest: every file's sha256, row counts, Id order and buckets; and list\nwhat killed runs left next to it.",
  usage: ['sfbackup verify DIR [--json]'],
  positionals: { names: ['DIR'], missing: 'verify needs the snapshot folder: sfbackup verify DIR' },
  flags: { json: { kind: 'boolean', help: 'print the report as JSON on stdout' } },
  async run({ flags, args, io }) {
    const report = await verifySnapshot(path.resolve(args[0] as string));
    // What killed runs left next to the snapshot does not make it less intact: warn, exit 0.
    const leftovers = leftoversAround(report.dir);
    for (const l of leftovers)
      io.err(`Warning: leftover ${l.path}: ${l.what}${l.running ? ` (run ${l.pid} is still going)` : '; the next backup into this folder removes it'}.`);
    if (flags.json) io.out(JSON.stringify({ ok: true, ...report, leftovers }));
    else {
      io.out(`Snapshot ${report.dir} is intact: org ${report.orgId}, ${report.mode} run finished ${report.finishedAt}.`);
      io.out(
        `  ${formatCount(report.objects.length)} objects, ${formatCount(report.rows)} rows, ${formatCount(report.files)} files, ${formatBytes(report.bytes)}; every checksum and count matches.`,
      );
      const failed = report.objects.filter((o) => o.status === 'failed');
      if (failed.length) io.out(`  Objects marked failed in this snapshot: ${failed.map((o) => o.name).join(', ')}`);
    }
    return EXIT.ok;
  },
});

/** A corrupt snapshot's --json object carries the folder and every problem found. */
export function corruptDetails(e: unknown): Record<string, unknown> | undefined {
  return e instanceof SnapshotCorruptError ? { dir: e.dir, problems: e.problems } : undefined;
}
