// `npm run bench -- backup --records N`: one emulated org of N generated records (in a child
// process), exported three ways with the same objects, fields, operation (queryAll) and page size:
// the product's `sfbackup backup`, the Salesforce CLI's `sf data export bulk`, and a raw download of
// the same Bulk 2.0 pages. Progress on stderr; the last stdout line is the JSON result.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { type EmulatorChild, startEmulatorChild } from './emulator-child.ts';
import { login, selectObjects } from './org.ts';
import { ENTRIES, type OursResult, runOurs } from './ours.ts';
import { rawExport } from './raw.ts';
import { prepareSf, type SfContender } from './sf-export.ts';

export const resultSchema = z.object({
  records: z.number().int(),
  ours_s: z.number().nullable(),
  sf_s: z.number().nullable(),
  raw_s: z.number(),
  ours_rps: z.number().nullable(),
  sf_rps: z.number().nullable(),
  ratio_vs_sf: z.number().nullable(),
  ratio_vs_raw: z.number().nullable(),
  peak_rss_mb: z.number().nullable(),
});
export type BenchResult = z.infer<typeof resultSchema>;

export const BACKUP_HELP = `Usage: npm run bench -- backup --records N [options]

  --records N          records the emulator generates for the org (required)
  --objects A,B,...    only these objects (default: every object the backup exports via Bulk 2.0)
  --page-size N        Bulk 2.0 results page size for everyone (default 10000)
  --concurrency N      query jobs in flight for the raw download (default 4, as the product)
  --entry dist|src|driver
                       run the built dist/cli.js (default), src/cli/bin.ts, or test/bench/ours-driver.ts
                       (the product's backupOrg into a local folder, without the CLI)
  --ours-node-flags=F  extra Node flags for the product's process, e.g. --ours-node-flags=--max-old-space-size=128
  --skip-sf            do not run the Salesforce CLI (sf_* fields are null)
  --skip-ours          do not run the product (ours_* fields are null)
  --keep               keep the temp dir with every export (path printed on stderr)
`;

const log = (line: string) => process.stderr.write(`${line}\n`);

function positiveInt(name: string, v: string | undefined, dflt?: number): number {
  if (v === undefined && dflt !== undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive whole number, got ${v ?? 'nothing'}`);
  return n;
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) total += statSync(path.join(e.parentPath, e.name)).size;
  return total;
}

/** Rows the product says it wrote, from the manifest(s) it left, when it left any. */
function oursRows(out: string): number | undefined {
  let rows: number | undefined;
  for (const e of readdirSync(out, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || e.name !== 'manifest.json') continue;
    try {
      const m = z.object({ totals: z.object({ rows: z.number() }) }).parse(JSON.parse(readFileSync(path.join(e.parentPath, e.name), 'utf8')));
      rows = (rows ?? 0) + m.totals.rows;
    } catch {
      // not ours to judge here; `sfbackup verify` does that
    }
  }
  return rows;
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits));

export async function benchBackup(argv: string[]): Promise<BenchResult> {
  const { values } = parseArgs({
    args: argv,
    options: {
      records: { type: 'string' },
      objects: { type: 'string' },
      'page-size': { type: 'string' },
      concurrency: { type: 'string' },
      entry: { type: 'string', default: 'dist' },
      'ours-node-flags': { type: 'string', default: '' },
      'skip-sf': { type: 'boolean', default: false },
      'skip-ours': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
    },
  });
  const records = positiveInt('records', values.records);
  const pageSize = positiveInt('page-size', values['page-size'], 10_000);
  const concurrency = positiveInt('concurrency', values.concurrency, 4);
  const entry = values.entry;
  if (entry !== 'dist' && entry !== 'src' && entry !== 'driver') throw new Error(`--entry must be dist, src or driver, got ${entry}`);
  const only = values.objects
    ? values.objects
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;

  const tmp = mkdtempSync(path.join(tmpdir(), 'sfbackup-bench-'));
  const dirs = { ours: path.join(tmp, 'ours'), sf: path.join(tmp, 'sf'), raw: path.join(tmp, 'raw') };
  for (const d of Object.values(dirs)) mkdirSync(d);
  let emu: EmulatorChild | undefined;
  let sf: SfContender | undefined;
  try {
    log(`bench backup: ${records} records, page size ${pageSize}, raw concurrency ${concurrency}, temp ${tmp}`);
    let t = performance.now();
    emu = await startEmulatorChild({ records, pageSize, log });
    log(`emulator pid ${emu.pid} ready in ${((performance.now() - t) / 1000).toFixed(1)} s (not counted)`);
    // Jobs complete on their first status check: the contenders are compared on what they do, not
    // on how long each one sleeps between polls of a job that a real org would still be running.
    await emu.control('/bulk', { pollsBeforeComplete: 0 });
    const session = await login(emu.creds);
    const { objects, skipped } = await selectObjects(session, only);
    log(`objects (${objects.length}): ${objects.map((o) => o.name).join(', ')}`);
    if (skipped.length) log(`not accepted by Bulk 2.0, left out of the comparison (the product reads them over REST): ${skipped.join(', ')}`);
    if (!values['skip-sf']) sf = await prepareSf(session);

    // The product goes first, so any cold cache in the emulator counts against it, not for it.
    let ours: OursResult | undefined;
    if (!values['skip-ours']) {
      log(`ours: ${ENTRIES[entry]} backup`);
      const args = only ? ['--include', only.join(',')] : [];
      const nodeFlags = values['ours-node-flags'].split(' ').filter(Boolean);
      ours = await runOurs({ entry, creds: emu.creds, out: dirs.ours, args, nodeFlags, log });
      if (ours.code !== 0) throw new Error(`sfbackup backup exited ${ours.code}:\n${ours.stderr.slice(-4000)}`);
      const rows = oursRows(dirs.ours);
      log(
        `ours: ${ours.seconds.toFixed(2)} s, peak RSS ${ours.peakRssMb.toFixed(1)} MB, ${rows ?? '?'} rows in manifest, ${(dirBytes(dirs.ours) / 1e6).toFixed(1)} MB on disk`,
      );
    }

    log('raw: Bulk 2.0 pages straight to files');
    t = performance.now();
    const rawRows = await rawExport({ session, objects, dir: dirs.raw, concurrency });
    const rawS = (performance.now() - t) / 1000;
    log(`raw: ${rawRows} rows in ${rawS.toFixed(2)} s, ${(dirBytes(dirs.raw) / 1e6).toFixed(1)} MB`);

    let sfS: number | undefined;
    if (sf) {
      log('sf: sf data export bulk, one object at a time');
      t = performance.now();
      const sfRows = await sf.run(objects, dirs.sf, log);
      sfS = (performance.now() - t) / 1000;
      log(`sf: ${sfRows} rows in ${sfS.toFixed(2)} s`);
      if (sfRows !== rawRows) log(`WARNING: sf exported ${sfRows} rows, the raw download ${rawRows}`);
    }

    const oursRps = ours ? rawRows / ours.seconds : null;
    const sfRps = sfS ? rawRows / sfS : null;
    return resultSchema.parse({
      records: rawRows,
      ours_s: ours ? round(ours.seconds) : null,
      sf_s: sfS === undefined ? null : round(sfS),
      raw_s: round(rawS),
      ours_rps: oursRps === null ? null : Math.round(oursRps),
      sf_rps: sfRps === null ? null : Math.round(sfRps),
      ratio_vs_sf: oursRps !== null && sfRps !== null ? round(oursRps / sfRps) : null,
      ratio_vs_raw: ours ? round(ours.seconds / rawS) : null,
      peak_rss_mb: ours ? round(ours.peakRssMb, 1) : null,
    });
  } finally {
    sf?.home.remove();
    await emu?.stop();
    if (values.keep) log(`kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}
