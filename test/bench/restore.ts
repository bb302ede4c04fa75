// `npm run bench -- restore --records N`: the mass-delete scenario of docs/restore.md at scale.
// An emulated org (in a child process) holds about N live Accounts, Contacts and Opportunities with
// their relationships; the product backs them up; the bench deletes all of them and empties them
// from the Recycle Bin (Bulk API hardDelete), so a restore must re-create every record and rewrite
// every lookup between them to the new Ids. Then:
//   ours: `sfbackup restore DIR --mode missing --objects Account,Contact,Opportunity --apply`
//         (plan and apply) in its own process under /usr/bin/time -v, checked for correctness;
//   sf:   the same rows, flat (the lookups between them dropped), loaded with one
//         `sf data import bulk` per object (and per 100 MB), one after the other.
// Progress on stderr; the last stdout line is the JSON result (its keys are a contract).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { z } from 'zod';
import { type EmulatorChild, startEmulatorChild } from './emulator-child.ts';
import { login, type Session } from './org.ts';
import { ENTRIES, type OursResult, runOurs } from './ours.ts';
import { countRows, failedSample, generatorRecordsFor, ingestFile, RESTORED, recordsByIds } from './restore-org.ts';
import { newIdFiles, readIdMap, readSnapshotFacts, type SnapshotFacts, writeFlatFiles } from './restore-snapshot.ts';
import { prepareSfImport, type SfImporter } from './sf-import.ts';

export const restoreResultSchema = z.object({
  records: z.number().int(),
  ours_s: z.number().nullable(),
  sf_s: z.number().nullable(),
  ours_rps: z.number().nullable(),
  sf_rps: z.number().nullable(),
  ratio_vs_sf: z.number().nullable(),
  peak_rss_mb: z.number().nullable(),
});
export type RestoreBenchResult = z.infer<typeof restoreResultSchema>;

export const RESTORE_HELP = `Usage: npm run bench -- restore --records N [options]

  --records N          live Accounts, Contacts and Opportunities to delete and restore (about N;
                       the emulator generates about 2.5 N rows over all its objects to get them)
  --entry bundle|dist|src
                       run the CLI bundled from the sources into the temp dir as dist/cli.js is
                       built (default), the built dist/cli.js, or src/cli/bin.ts
  --ours-node-flags=F  extra Node flags for the product's process, e.g. --ours-node-flags=--cpu-prof
  --skip-sf            do not run the Salesforce CLI (sf_* fields are null)
  --keep               keep the temp dir (snapshot, plan, results, sf files; path printed on stderr)
`;

const log = (line: string) => process.stderr.write(`${line}\n`);
const round = (n: number, digits = 2) => Number(n.toFixed(digits));
const secondsSince = (t: number) => ((performance.now() - t) / 1000).toFixed(1);

const appliedSchema = z.object({
  result: z.object({
    objects: z.array(
      z.object({
        name: z.string(),
        counts: z.object({ undeleted: z.number(), created: z.number(), updated: z.number(), skipped: z.number(), failed: z.number() }),
      }),
    ),
  }),
  plan: z.object({ objects: z.array(z.object({ name: z.string(), fields: z.array(z.string()) })) }),
  resultsDir: z.string(),
});
type Applied = z.infer<typeof appliedSchema>;

/** The CLI bundled as scripts/build.ts bundles dist/ (ESM, dependencies inlined, the parse worker beside it). */
async function bundleCli(tmp: string): Promise<string> {
  const root = path.resolve(import.meta.dirname, '../..');
  const outdir = path.join(tmp, 'cli');
  await build({
    absWorkingDir: root,
    entryPoints: { cli: 'src/cli/bin.ts', 'parse-worker': 'src/salesforce/bulk-csv/parse-worker.ts' },
    outdir,
    bundle: true,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    platform: 'node',
    target: 'node24',
    format: 'esm',
    banner: { js: "import { createRequire as __benchCreateRequire } from 'node:module';\nconst require = __benchCreateRequire(import.meta.url);" },
    define: { SFBACKUP_VERSION: JSON.stringify('bench') },
    logLevel: 'warning',
  });
  return path.join(outdir, 'cli.js');
}

/**
 * Deletes the records listed in `idFiles` (per object) and empties them from the Recycle Bin, children
 * first, then Accounts; afterwards none of the restored objects has a live record.
 */
async function massDelete(session: Session, idFiles: Record<string, string>, facts: SnapshotFacts): Promise<void> {
  for (const object of ['Opportunity', 'Contact', 'Account'] as const) {
    const t = performance.now();
    const job = await ingestFile(session, object, 'hardDelete', idFiles[object] as string);
    if (job.state !== 'JobComplete' || (job.numberRecordsFailed ?? 0) > 0) {
      throw new Error(
        `hardDelete of ${object}: ${job.state} ${job.errorMessage ?? ''}, ${job.numberRecordsFailed ?? 0} failed:\n${await failedSample(session, job.id)}`,
      );
    }
    log(`deleted ${job.numberRecordsProcessed ?? 0} ${object} records for good in ${secondsSince(t)} s (not counted)`);
  }
  for (const object of RESTORED) {
    const left = await countRows(session, object);
    if (left !== 0) throw new Error(`${left} ${object} records are still live after the mass delete`);
    const binned = await countRows(session, object, true);
    if (binned !== facts.deleted[object]) log(`note: ${binned} ${object} rows in the Recycle Bin, the snapshot holds ${facts.deleted[object]} deleted ones`);
  }
}

/** The restore did what it says: every record created, none failed, and sampled lookups point at the re-created parents. */
async function checkRestore(session: Session, facts: SnapshotFacts, applied: Applied): Promise<number> {
  let created = 0;
  for (const object of RESTORED) {
    const o = applied.result.objects.find((x) => x.name === object);
    if (!o) throw new Error(`the restore's result has no ${object}`);
    const c = o.counts;
    log(`ours ${object}: ${c.created} created, ${c.undeleted} undeleted, ${c.updated} updated, ${c.skipped} skipped, ${c.failed} failed`);
    if (c.created !== facts.live[object] || c.failed !== 0 || c.undeleted !== 0) {
      throw new Error(`the restore created ${c.created} ${object} records (${c.failed} failed); the snapshot holds ${facts.live[object]} live ones`);
    }
    const inOrg = await countRows(session, object);
    if (inOrg !== facts.live[object]) throw new Error(`the org holds ${inOrg} ${object} records after the restore, the snapshot ${facts.live[object]}`);
    created += c.created;
  }
  if (created === 0) throw new Error('the restore created nothing');

  const wanted = new Set(facts.sample.flatMap((s) => [s.oldId, s.parentOldId]));
  const ids = await readIdMap(path.join(applied.resultsDir, 'idmap.csv'), wanted);
  let checked = 0;
  const wrong: string[] = [];
  for (const object of RESTORED) {
    const sample = facts.sample.filter((s) => s.object === object);
    if (sample.length === 0) continue;
    const field = (sample[0] as (typeof sample)[number]).field;
    const byNew = new Map<string, string>();
    for (const s of sample) {
      const newId = ids.get(s.oldId);
      if (!newId) wrong.push(`${object} ${s.oldId} has no new Id in idmap.csv`);
      else byNew.set(newId.slice(0, 15), s.parentOldId);
    }
    const rows = await recordsByIds(session, object, [field], [...byNew.keys()]);
    if (rows.length !== byNew.size) wrong.push(`${object}: ${byNew.size - rows.length} sampled records are not in the org`);
    for (const r of rows) {
      const parentOld = byNew.get(String(r.Id).slice(0, 15)) as string;
      const expected = ids.get(parentOld);
      const actual = typeof r[field] === 'string' ? (r[field] as string) : '';
      checked++;
      if (!expected || actual.slice(0, 15) !== expected.slice(0, 15)) {
        wrong.push(`${object} ${String(r.Id)}.${field} is ${actual || 'empty'}, expected ${expected ?? '?'} (the new Id of ${parentOld})`);
      }
    }
  }
  if (wrong.length > 0) throw new Error(`the restore's relationships are wrong (${wrong.length} of ${checked}):\n  ${wrong.slice(0, 10).join('\n  ')}`);
  log(`checked ${checked} sampled lookups (Account.ParentId, Contact.AccountId, Opportunity.AccountId): all point at the re-created parents`);
  return created;
}

export async function benchRestore(argv: string[]): Promise<RestoreBenchResult> {
  const { values } = parseArgs({
    args: argv,
    options: {
      records: { type: 'string' },
      entry: { type: 'string', default: 'bundle' },
      'ours-node-flags': { type: 'string', default: '' },
      'skip-sf': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
    },
  });
  const records = Number(values.records);
  if (!Number.isInteger(records) || records <= 0) throw new Error(`--records must be a positive whole number, got ${values.records ?? 'nothing'}`);
  const entry = values.entry;
  if (entry !== 'bundle' && entry !== 'dist' && entry !== 'src') throw new Error(`--entry must be bundle, dist or src, got ${entry}`);

  const tmp = mkdtempSync(path.join(tmpdir(), 'sfbackup-bench-restore-'));
  const dirs = { backup: path.join(tmp, 'backup'), report: path.join(tmp, 'report'), work: path.join(tmp, 'work') };
  for (const d of Object.values(dirs)) mkdirSync(d);
  let emu: EmulatorChild | undefined;
  let sf: SfImporter | undefined;
  try {
    const generated = generatorRecordsFor(records);
    log(`bench restore: about ${records} Account, Contact and Opportunity records (the emulator generates ${generated} rows), temp ${tmp}`);
    let t = performance.now();
    emu = await startEmulatorChild({ records: generated, pageSize: 10_000, log });
    log(`emulator pid ${emu.pid} ready in ${secondsSince(t)} s (not counted)`);
    // Jobs complete on their first status check: both contenders are measured on what they do, not on
    // how long each sleeps between polls of a job a real org would still be running.
    await emu.control('/bulk', { pollsBeforeComplete: 0 });
    await emu.control('/orgs/demo/settings', { allowHardDelete: true });
    const session = await login(emu.creds);
    const script = entry === 'bundle' ? await bundleCli(tmp) : undefined;
    const ours = (argvOf: string[], what: string, nodeFlags: string[] = []): Promise<OursResult> =>
      runOurs({
        entry: entry === 'dist' ? 'dist' : 'src',
        ...(script ? { script } : {}),
        creds: emu?.creds as NonNullable<typeof emu>['creds'],
        out: dirs.backup,
        args: [],
        argv: argvOf,
        nodeFlags,
        log: (l) => log(`  ${what} ${l.trim()}`),
      });

    t = performance.now();
    const backup = await ours(['backup', '--out', dirs.backup, '--include', RESTORED.join(',')], 'backup');
    if (backup.code !== 0) throw new Error(`sfbackup backup exited ${backup.code}:\n${backup.stderr.slice(-4000)}`);
    log(`backed up in ${secondsSince(t)} s (not counted)`);
    t = performance.now();
    const facts = await readSnapshotFacts(dirs.backup, dirs.work);
    const expected = RESTORED.reduce((n, o) => n + (facts.live[o] ?? 0), 0);
    log(
      `snapshot ${facts.dir}: ${RESTORED.map((o) => `${facts.live[o]} ${o}`).join(', ')} live (${expected}); lookups between them: ${Object.entries(facts.links)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ')} (read in ${secondsSince(t)} s)`,
    );
    if (expected === 0) throw new Error('the backup holds no live records to restore');

    await massDelete(session, facts.idFiles, facts);

    log(`ours: sfbackup restore ${entry === 'dist' ? ENTRIES.dist : entry === 'src' ? ENTRIES.src : script} --mode missing --apply`);
    const nodeFlags = values['ours-node-flags'].split(' ').filter(Boolean);
    const restored = await ours(
      ['restore', dirs.backup, '--mode', 'missing', '--objects', RESTORED.join(','), '--apply', '--allow-production', '--report', dirs.report, '--json'],
      'restore',
      nodeFlags,
    );
    if (restored.code !== 0) throw new Error(`sfbackup restore exited ${restored.code}:\n${restored.stderr.slice(-4000)}`);
    log(`ours: ${restored.seconds.toFixed(2)} s, peak RSS ${restored.peakRssMb.toFixed(1)} MB`);
    const applied = appliedSchema.parse(JSON.parse(restored.stdout.trim().split('\n').at(-1) ?? ''));
    const created = await checkRestore(session, facts, applied);

    let sfS: number | undefined;
    if (!values['skip-sf']) {
      t = performance.now();
      const planFields = Object.fromEntries(applied.plan.objects.map((o) => [o.name, o.fields]));
      const { files, dropped } = await writeFlatFiles(facts.dir, planFields, dirs.work);
      log(`sf: ${files.length} CSV files written in ${secondsSince(t)} s (not counted); lookups dropped: ${dropped.join(', ')}`);
      // The org as ours found it: the re-created records go the same way (they also hold the unique
      // external ids the same rows would collide with).
      await massDelete(session, await newIdFiles(path.join(applied.resultsDir, 'idmap.csv'), dirs.work), facts);
      sf = await prepareSfImport(session);
      log('sf: sf data import bulk, one file at a time');
      const { rows: sfRows, seconds } = await sf.run(files, log);
      sfS = seconds;
      log(`sf: ${sfRows} rows in ${sfS.toFixed(2)} s (the sum of its commands)`);
      if (sfRows !== created) throw new Error(`sf loaded ${sfRows} rows, the restore created ${created}`);
    }

    const oursRps = created / restored.seconds;
    const sfRps = sfS ? created / sfS : null;
    return restoreResultSchema.parse({
      records: created,
      ours_s: round(restored.seconds),
      sf_s: sfS === undefined ? null : round(sfS),
      ours_rps: Math.round(oursRps),
      sf_rps: sfRps === null ? null : Math.round(sfRps),
      ratio_vs_sf: sfRps === null ? null : round(oursRps / sfRps),
      peak_rss_mb: round(restored.peakRssMb, 1),
    });
  } finally {
    sf?.home.remove();
    await emu?.stop();
    if (values.keep) log(`kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}
