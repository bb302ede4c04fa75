// `npm run bench -- incremental --records N --change P`: a full backup of an emulated org of N
// records to a backup branch of a local bare repository, then P% of the rows changed in the org
// (mostly updates, some inserts and deletes, over its largest objects), then an incremental run.
// Reports the incremental run's time as a share of the full run's, the API calls of both, and the
// bytes the branch grew by against the gzip size of the changed rows' CSV. Progress on stderr;
// the last stdout line is the JSON result (its keys and their order are a contract).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { z } from 'zod';
import { type EmulatorChild, startEmulatorChild } from './emulator-child.ts';
import { login } from './org.ts';
import { changeOrg } from './org-changes.ts';
import { type OursResult, runOurs } from './ours.ts';

export const incrementalResultSchema = z.object({
  records: z.number().int(),
  change_pct: z.number(),
  full_s: z.number(),
  incremental_s: z.number(),
  share_of_full: z.number(),
  api_calls_full: z.number().int(),
  api_calls_incremental: z.number().int(),
  branch_growth_bytes: z.number().int(),
  changed_rows_gzip_bytes: z.number().int(),
  growth_ratio: z.number(),
  peak_rss_mb: z.number(),
});
export type IncrementalResult = z.infer<typeof incrementalResultSchema>;

export const INCREMENTAL_HELP = `Usage: npm run bench -- incremental --records N --change P [options]

  --records N          records the emulator generates for the org (required)
  --change P           percent of the rows changed between the two runs (default 1): 70 % updates,
                       20 % inserts, 10 % deletes, over the 4 largest objects by their size
  --page-size N        Bulk 2.0 results page size (default 10000)
  --target branch|local
                       a branch of a local bare repository (default) or a local folder
  --entry bundle|src   run the driver (backupOrg, test/bench/incremental-driver.ts) bundled like
                       dist/cli.js into the temp dir (default), or from source (adds ~2 s of loading)
  --ours-node-flags=F  extra Node flags for both runs, e.g. --ours-node-flags=--cpu-prof
  --keep               keep the temp dir (path printed on stderr)
`;

const driverOutSchema = z.object({
  mode: z.enum(['full', 'incremental']),
  modeReason: z.string(),
  rows: z.number(),
  apiCalls: z.number(),
  durationMs: z.number(),
  published: z.string().nullable(),
  failed: z.number(),
  objects: z.array(z.object({ name: z.string(), rows: z.number(), mode: z.string() })),
  fetchPrevious_s: z.number(),
  publish_s: z.number(),
});
type DriverOut = z.infer<typeof driverOutSchema>;

const log = (line: string) => process.stderr.write(`${line}\n`);
const round = (n: number, digits = 2) => Number(n.toFixed(digits));
const BRANCH = 'salesforce-backups';
// The product's own heap flags (src/runtime/heap-limits.ts), which the CLI sets by re-executing itself.
const HEAP_FLAGS = ['--max-old-space-size=256', '--max-semi-space-size=8'];

function git(cwd: string, args: string[], input?: string): Buffer {
  return execFileSync('git', args, { cwd, maxBuffer: 1 << 30, ...(input === undefined ? {} : { input }) });
}

function countObjects(repo: string): number {
  const text = git(repo, ['count-objects', '-v']).toString();
  const kib = (key: string) => Number(new RegExp(`^${key}: (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return (kib('size') + kib('size-pack')) * 1024;
}

function parseDriver(r: OursResult, what: string): DriverOut {
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}:\n${r.stderr.slice(-4000)}\n${last}`);
  return driverOutSchema.parse(JSON.parse(last));
}

/** Files of a local snapshot: inode → size, to tell new files from links to the previous snapshot. */
function inodes(dir: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const st = statSync(path.join(e.parentPath, e.name));
    out.set(st.ino, st.size);
  }
  return out;
}

/**
 * The driver bundled the way scripts/build.ts bundles dist/cli.js (one ESM file, dependencies
 * inlined), into the bench's temp dir: the product then loads as fast as the built CLI does, not
 * as type-stripped sources file by file. dist/ itself is not touched.
 */
async function bundleDriver(tmp: string): Promise<string> {
  const outfile = path.join(tmp, 'incremental-driver.mjs');
  const root = path.resolve(import.meta.dirname, '../..');
  await build({
    absWorkingDir: root,
    entryPoints: [path.join(root, 'test/bench/incremental-driver.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    banner: { js: "import { createRequire as __benchCreateRequire } from 'node:module';\nconst require = __benchCreateRequire(import.meta.url);" },
    define: { SFBACKUP_VERSION: JSON.stringify('bench') },
    logLevel: 'warning',
  });
  return outfile;
}

export async function benchIncremental(argv: string[]): Promise<IncrementalResult> {
  const { values } = parseArgs({
    args: argv,
    options: {
      records: { type: 'string' },
      change: { type: 'string', default: '1' },
      'page-size': { type: 'string', default: '10000' },
      target: { type: 'string', default: 'branch' },
      entry: { type: 'string', default: 'bundle' },
      'ours-node-flags': { type: 'string', default: '' },
      keep: { type: 'boolean', default: false },
    },
  });
  const records = Number(values.records);
  if (!Number.isInteger(records) || records <= 0) throw new Error(`--records must be a positive whole number, got ${values.records ?? 'nothing'}`);
  const changePct = Number(values.change);
  if (!(changePct > 0 && changePct <= 100)) throw new Error(`--change must be a percentage above 0, got ${values.change}`);
  const pageSize = Number(values['page-size']);
  const kind = values.target;
  if (kind !== 'branch' && kind !== 'local') throw new Error(`--target must be branch or local, got ${kind}`);
  if (values.entry !== 'bundle' && values.entry !== 'src') throw new Error(`--entry must be bundle or src, got ${values.entry}`);

  const tmp = mkdtempSync(path.join(tmpdir(), 'sfbackup-bench-inc-'));
  const remote = path.join(tmp, 'remote.git');
  const out = path.join(tmp, 'out');
  const work = path.join(tmp, 'work');
  mkdirSync(work);
  let emu: EmulatorChild | undefined;
  try {
    log(`bench incremental: ${records} records, ${changePct}% changed, ${kind} target, temp ${tmp}`);
    let t = performance.now();
    emu = await startEmulatorChild({ records, pageSize, log });
    log(`emulator pid ${emu.pid} ready in ${((performance.now() - t) / 1000).toFixed(1)} s (not counted)`);
    await emu.control('/bulk', { pollsBeforeComplete: 0 });
    const creds = emu.creds;
    if (kind === 'branch') git(tmp, ['init', '-q', '--bare', remote]);
    const script = values.entry === 'bundle' ? await bundleDriver(tmp) : undefined;
    const argvOf = kind === 'branch' ? ['--remote', `file://${remote}`, '--work', work] : ['--out', out, '--work', work];
    const run = (what: string) =>
      runOurs({
        entry: 'incremental',
        creds,
        out,
        args: [],
        argv: argvOf,
        ...(script ? { script } : {}),
        env: { SFBACKUP_TIMING: '1' },
        nodeFlags: HEAP_FLAGS,
        log: (l) => log(`  ${what} ${l.trim()}`),
      });

    log('full run');
    const fullRun = await run('full');
    const full = parseDriver(fullRun, 'the full run');
    if (full.mode !== 'full') throw new Error(`the first run was ${full.mode}`);
    log(
      `full: ${fullRun.seconds.toFixed(2)} s, ${full.rows} rows, ${full.apiCalls} API calls, fetchPrevious ${full.fetchPrevious_s} s, publish ${full.publish_s} s`,
    );
    const oldTip = kind === 'branch' ? git(remote, ['rev-parse', BRANCH]).toString().trim() : '';
    const sizeBefore = kind === 'branch' ? countObjects(remote) : 0;
    const oldSnapshot = kind === 'local' ? realpathSync(path.join(out, 'bench', 'latest')) : '';
    const oldInodes = kind === 'local' ? inodes(oldSnapshot) : new Map<number, number>();

    t = performance.now();
    const session = await login(creds);
    const changes = await changeOrg(session, full.objects, full.rows, changePct / 100);
    const changed = changes.reduce((n, c) => n + c.updated + c.inserted + c.deleted, 0);
    for (const c of changes)
      log(`changed ${c.object}: ${c.updated} updated, ${c.inserted} inserted, ${c.deleted} deleted${c.failed ? `, ${c.failed} failed` : ''}`);
    log(`${changed} rows changed in ${((performance.now() - t) / 1000).toFixed(1)} s (not counted)`);
    // A nightly run comes long after the day's changes: Salesforce's replication (getDeleted) has
    // covered them by then, as the emulator's clock says after this.
    await emu.control('/clock', { advanceSec: 300 });

    log('incremental run');
    const incRun = await run('incremental');
    const inc = parseDriver(incRun, 'the incremental run');
    if (inc.mode !== 'incremental') log(`WARNING: the second run was ${inc.mode} (${inc.modeReason})`);
    log(
      `incremental: ${incRun.seconds.toFixed(2)} s, ${inc.rows} rows, ${inc.apiCalls} API calls, fetchPrevious ${inc.fetchPrevious_s} s, publish ${inc.publish_s} s, peak RSS ${incRun.peakRssMb.toFixed(1)} MB`,
    );

    let growth: number;
    let changedCsv: Buffer;
    if (kind === 'branch') {
      const newTip = git(remote, ['rev-parse', BRANCH]).toString().trim();
      // What the new commit adds, packed against what the branch had: what a push sends and what a
      // packed repository keeps. The loose-object growth of this bare repository is logged beside it.
      growth = git(remote, ['pack-objects', '--revs', '--thin', '--stdout', '--delta-base-offset', '-q'], `${newTip}\n^${oldTip}\n`).length;
      log(`branch grew by ${growth} bytes packed (${countObjects(remote) - sizeBefore} bytes in the bare repository's objects as received)`);
      // The changed rows: the lines the new commit adds to the CSV files.
      const diff = git(remote, ['diff', '-U0', '--no-color', '--no-renames', oldTip, newTip, '--', '*.csv']).toString('latin1');
      changedCsv = Buffer.from(
        diff
          .split('\n')
          .filter((l) => l.startsWith('+') && !l.startsWith('+++'))
          .map((l) => `${l.slice(1)}\n`)
          .join(''),
        'latin1',
      );
    } else {
      const newSnapshot = realpathSync(path.join(out, 'bench', 'latest'));
      growth = 0;
      const lines: string[] = [];
      for (const e of readdirSync(path.join(newSnapshot, 'data'), { withFileTypes: true, recursive: true })) {
        if (!e.isFile()) continue;
        const file = path.join(e.parentPath, e.name);
        const st = statSync(file);
        if (oldInodes.has(st.ino)) continue;
        growth += st.size;
        // The changed rows: lines of the new file that its previous version did not have.
        const old = path.join(oldSnapshot, path.relative(newSnapshot, file));
        const had = new Set(existsSync(old) ? readFileSync(old, 'latin1').split('\n') : []);
        for (const l of readFileSync(file, 'latin1').split('\n')) if (!had.has(l)) lines.push(`${l}\n`);
      }
      log(`the new snapshot has ${growth} bytes in files that are not links to the previous one`);
      changedCsv = Buffer.from(lines.join(''), 'latin1');
    }
    const changedGzip = gzipSync(changedCsv).length;
    log(`changed rows: ${changedCsv.length} bytes of CSV, ${changedGzip} gzipped`);

    return incrementalResultSchema.parse({
      records: full.rows,
      change_pct: changePct,
      full_s: round(fullRun.seconds),
      incremental_s: round(incRun.seconds),
      share_of_full: round(incRun.seconds / fullRun.seconds, 3),
      api_calls_full: full.apiCalls,
      api_calls_incremental: inc.apiCalls,
      branch_growth_bytes: growth,
      changed_rows_gzip_bytes: changedGzip,
      growth_ratio: changedGzip > 0 ? round(growth / changedGzip, 1) : 0,
      peak_rss_mb: round(Math.max(fullRun.peakRssMb, incRun.peakRssMb), 1),
    });
  } finally {
    await emu?.stop();
    if (values.keep) log(`kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}
