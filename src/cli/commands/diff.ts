// `sfbackup diff OLD NEW`: rows added, changed and deleted per object between two snapshots.
import path from 'node:path';
import { formatCount } from '../../backup/progress.ts';
import { diffSnapshots } from '../../snapshot/index.ts';
import { defineCommand } from '../command.ts';
import { EXIT } from '../exit.ts';

export const diffCommand = defineCommand({
  name: 'diff',
  synopsis: 'diff OLD NEW',
  summary: 'Rows added, changed and deleted per object between two snapshots of one org.',
  usage: ['sfbackup diff OLD NEW [--json]'],
  positionals: { names: ['OLD', 'NEW'], missing: 'diff needs two snapshot folders: sfbackup diff OLD NEW' },
  flags: { json: { kind: 'boolean', help: 'print the differences as JSON on stdout (with up to 100 Ids per object and kind)' } },
  async run({ flags, args, io }) {
    const diff = await diffSnapshots(path.resolve(args[0] as string), path.resolve(args[1] as string), { idLimit: flags.json ? 100 : 0 });
    if (flags.json) {
      io.out(JSON.stringify(diff));
      return EXIT.ok;
    }
    const width = Math.max(6, ...diff.objects.map((o) => o.name.length));
    io.out(`${'object'.padEnd(width)}  ${'rows'.padStart(10)}  ${'added'.padStart(8)}  ${'changed'.padStart(8)}  ${'deleted'.padStart(8)}`);
    for (const o of diff.objects) {
      if (o.presence === 'both' && o.added + o.changed + o.deleted === 0) continue;
      const note = o.presence === 'both' ? (o.fieldsChanged ? '  (fields changed)' : '') : `  (${o.presence})`;
      io.out(
        `${o.name.padEnd(width)}  ${formatCount(o.newRows).padStart(10)}  ${`+${formatCount(o.added)}`.padStart(8)}  ${`~${formatCount(o.changed)}`.padStart(8)}  ${`-${formatCount(o.deleted)}`.padStart(8)}${note}`,
      );
    }
    const t = diff.totals;
    io.out(
      `${'total'.padEnd(width)}  ${formatCount(t.newRows).padStart(10)}  ${`+${formatCount(t.added)}`.padStart(8)}  ${`~${formatCount(t.changed)}`.padStart(8)}  ${`-${formatCount(t.deleted)}`.padStart(8)}`,
    );
    return EXIT.ok;
  },
});
