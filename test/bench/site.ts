// `npm run bench -- site --orgs 100 --days 365`: builds the status site from generated status data
// (N orgs, D days of daily history each) through the same command line users run, and weighs the
// result. Generating the data is not timed; the build is, from process start to exit.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { NOW, writeScaleFixture } from '../site/fixtures.ts';
import { measureSite } from '../site/measure.ts';
import { runSiteCli } from '../site/support.ts';

export const SITE_HELP = `site options:
  --orgs N      orgs in the generated status data (default 100)
  --days D      days of daily history per org (default 365; the status keeps at most 500 entries)
  --keep        keep the generated data and the built site (their paths go to stderr)
`;

export interface SiteBenchResult {
  orgs: number;
  days: number;
  build_s: number;
  pages: number;
  overview_bytes: number;
  overview_gzip_bytes: number;
  largest_page_gzip_bytes: number;
  js_bytes_required: number;
}

export async function benchSite(argv: string[]): Promise<SiteBenchResult> {
  const { values } = parseArgs({ args: argv, options: { orgs: { type: 'string' }, days: { type: 'string' }, keep: { type: 'boolean' } } });
  const orgs = Number(values.orgs ?? 100);
  const days = Number(values.days ?? 365);
  if (!Number.isInteger(orgs) || orgs < 1 || !Number.isInteger(days) || days < 1) throw new Error('--orgs and --days must be whole numbers of at least 1');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'sfbackup-bench-site-'));
  try {
    const data = path.join(tmp, 'data');
    const out = path.join(tmp, 'site');
    process.stderr.write(`generating ${orgs} orgs × ${days} days in ${data}\n`);
    await writeScaleFixture(data, orgs, days);
    process.stderr.write('building the site\n');
    const started = performance.now();
    const r = await runSiteCli(['--data', data, '--out', out, '--now', NOW, '--quiet']);
    const buildS = (performance.now() - started) / 1000;
    if (r.code !== 0) throw new Error(`the site build failed (exit ${r.code}):\n${r.stderr}`);
    const w = measureSite(out);
    process.stderr.write(`largest page: ${w.largest_page} (${w.largest_page_gzip_bytes} bytes gzipped)\n`);
    if (values.keep) process.stderr.write(`kept: ${data} ${out}\n`);
    return {
      orgs,
      days,
      build_s: Math.round(buildS * 100) / 100,
      pages: w.pages,
      overview_bytes: w.overview_bytes,
      overview_gzip_bytes: w.overview_gzip_bytes,
      largest_page_gzip_bytes: w.largest_page_gzip_bytes,
      js_bytes_required: w.js_bytes_required,
    };
  } finally {
    if (!values.keep) rmSync(tmp, { recursive: true, force: true });
  }
}
