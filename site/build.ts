// `npm run site -- --data DIR --out DIR`: the status site from a checkout of the status branch.
// The data is validated (every file, every field) before Astro starts, so a bad file fails the
// build with its name and nothing half-built is left behind. The last stdout line is the path of
// the built index.html.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describeFailure, ProductError } from '../src/runtime/errors.ts';
import { OPTIONS_ENV, provideModel } from './src/lib/current.ts';
import { loadStatusData } from './src/lib/load.ts';
import { buildModel, type SiteModel } from './src/lib/model.ts';
import { normalizeBase, parseDuration, parseShare, type SiteOptions, type SiteOptionsInput, siteOptionsSchema } from './src/lib/options.ts';

export const SITE_ROOT = path.dirname(fileURLToPath(import.meta.url));

export const HELP = `Usage: npm run site -- --data DIR --out DIR [options]

Builds the status site from a checkout of the status branch (DIR holds campaigns.json and
orgs/<alias>/status.json, history.json). The last line printed is the path of the built index.html.

  --data DIR             the status data (git worktree add DIR salesforce-backup-status)
  --out DIR              where the site goes (emptied first)
  --base PATH            the path the site is served under: /<repo>/ for a project Pages site (default /)
  --site URL             the public origin, e.g. https://acme.github.io, for absolute links in the feed
  --now ISO              the time ages and lateness are measured at (default: now)
  --redact               leave usernames, instance and My Domain hosts and ids out, whatever the data says
  --interval DURATION    expected time between backups when the data and history do not say (default 24h)
  --grace SHARE          how far past the interval an org is late, as a share of it (default 50%)
  --mass-delete-threshold SHARE   rows deleted in one run that earn a warning (default 10%)
  --repo OWNER/NAME      the backup repository, for the exact commands on the pages
  --workflow FILE        the backup workflow's file name (default backup.yml)
  --title TEXT           the site's title (default "Salesforce backups")
  --quiet                only the final path
`;

export class SiteUsageError extends ProductError<'bad_input'> {
  override readonly name = 'SiteUsageError';
  readonly state = 'misconfigured';
  constructor(message: string) {
    super({ reason: 'bad_input', message, remedy: 'Run npm run site -- --help for the options.' });
  }
}

/** The command line as options; relative paths are taken from where npm was started. */
export function parseSiteArgs(argv: readonly string[], cwd = process.env.INIT_CWD ?? process.cwd(), now = new Date()): SiteOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        data: { type: 'string' },
        out: { type: 'string' },
        base: { type: 'string' },
        site: { type: 'string' },
        now: { type: 'string' },
        redact: { type: 'boolean' },
        interval: { type: 'string' },
        grace: { type: 'string' },
        'mass-delete-threshold': { type: 'string' },
        repo: { type: 'string' },
        workflow: { type: 'string' },
        title: { type: 'string' },
        quiet: { type: 'boolean' },
      },
    }));
  } catch (err) {
    throw new SiteUsageError((err as Error).message);
  }
  const str = (k: string) => values[k] as string | undefined;
  if (!str('data')) throw new SiteUsageError('--data DIR is required: a checkout of the status branch');
  if (!str('out')) throw new SiteUsageError('--out DIR is required: where the site goes');
  const input: SiteOptionsInput = {
    dataDir: path.resolve(cwd, str('data') as string),
    outDir: path.resolve(cwd, str('out') as string),
    base: normalizeBase(str('base') ?? '/'),
    site: str('site') ?? null,
    now: str('now') ?? process.env.SFBACKUP_SITE_NOW ?? now.toISOString(),
    redact: values.redact === true,
    repo: str('repo') ?? null,
  };
  if (str('interval') !== undefined) {
    const v = parseDuration(str('interval') as string);
    if (v === undefined) throw new SiteUsageError(`--interval ${str('interval')}: expected a duration such as 24h, 90m or 2d`);
    input.intervalS = v;
  }
  if (str('grace') !== undefined) {
    const v = parseShare(str('grace') as string);
    if (v === undefined) throw new SiteUsageError(`--grace ${str('grace')}: expected a share such as 50%`);
    input.graceShare = v;
  }
  if (str('mass-delete-threshold') !== undefined) {
    const v = parseShare(str('mass-delete-threshold') as string);
    if (v === undefined || v === 0 || v > 1) throw new SiteUsageError(`--mass-delete-threshold ${str('mass-delete-threshold')}: expected a share such as 10%`);
    input.massDeleteShare = v;
  }
  if (str('workflow')) input.workflow = str('workflow');
  if (str('title')) input.title = str('title');
  const parsed = siteOptionsSchema.safeParse(input);
  if (!parsed.success) {
    throw new SiteUsageError(parsed.error.issues.map((i) => `--${String(i.path[0] ?? '')}: ${i.message}`).join('; '));
  }
  return parsed.data;
}

function inside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The output folder is emptied: refuse the ones whose loss would hurt. */
function checkOutDir(opts: SiteOptions): void {
  const repoRoot = path.resolve(SITE_ROOT, '..');
  if (inside(opts.dataDir, opts.outDir)) throw new SiteUsageError(`--out ${opts.outDir} holds the data directory: it is emptied before the build`);
  if (inside(repoRoot, opts.outDir) || (inside(opts.outDir, SITE_ROOT) && !inside(opts.outDir, path.join(SITE_ROOT, 'dist')))) {
    throw new SiteUsageError(`--out ${opts.outDir}: choose a folder of its own (it is emptied before the build), e.g. site/dist or a temporary folder`);
  }
}

/** Astro's own dependencies that differ from the hoisted ones: bundled, so its build resolves them from its own copy. */
function astroNestedDependencies(): string[] {
  const dir = path.join(SITE_ROOT, '..', 'node_modules', 'astro', 'node_modules');
  try {
    return readdirSync(dir).flatMap((name) =>
      name.startsWith('@') ? readdirSync(path.join(dir, name)).map((n) => `${name}/${n}`) : name.startsWith('.') ? [] : [name],
    );
  } catch {
    return [];
  }
}

export interface BuildResult {
  model: SiteModel;
  /** Absolute path of the built index.html. */
  index: string;
  seconds: number;
}

/**
 * Builds the site in this process. Astro writes its intermediate build next to the working
 * directory, so the build runs in a folder of its own under site/.astro (and restores the working
 * directory after): two builds at once do not share it.
 */
export async function buildSite(options: SiteOptionsInput, log: (line: string) => void = () => {}): Promise<BuildResult> {
  const started = performance.now();
  const opts = siteOptionsSchema.parse(options);
  checkOutDir(opts);
  const model = buildModel(loadStatusData(opts.dataDir), opts);
  log(`${model.orgs.length} orgs read from ${opts.dataDir}`);
  process.env.ASTRO_TELEMETRY_DISABLED = '1';
  const work = path.join(SITE_ROOT, '.astro', `build-${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
  mkdirSync(work, { recursive: true });
  const previousCwd = process.cwd();
  const previousEnv = process.env[OPTIONS_ENV];
  process.env[OPTIONS_ENV] = JSON.stringify(opts);
  provideModel(model);
  try {
    process.chdir(work);
    const { build } = await import('astro');
    const nested = astroNestedDependencies();
    await build({
      root: SITE_ROOT,
      configFile: false,
      outDir: opts.outDir,
      cacheDir: path.join(work, 'cache'),
      base: opts.base,
      ...(opts.site ? { site: opts.site } : {}),
      output: 'static',
      trailingSlash: 'ignore',
      build: { format: 'file', inlineStylesheets: 'always' },
      compressHTML: true,
      devToolbar: { enabled: false },
      logLevel: 'error',
      vite: {
        // Vite's dependency cache too: nothing is left in site/ and concurrent builds share nothing.
        cacheDir: path.join(work, 'vite'),
        logLevel: 'error',
        clearScreen: false,
        resolve: { noExternal: nested },
        ssr: { noExternal: nested },
        environments: { prerender: { resolve: { noExternal: nested } } },
      },
    });
  } finally {
    process.chdir(previousCwd);
    provideModel(undefined);
    if (previousEnv === undefined) delete process.env[OPTIONS_ENV];
    else process.env[OPTIONS_ENV] = previousEnv;
    rmSync(work, { recursive: true, force: true });
  }
  const seconds = (performance.now() - started) / 1000;
  return { model, index: path.join(opts.outDir, 'index.html'), seconds };
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  try {
    const opts = parseSiteArgs(argv);
    const quiet = argv.includes('--quiet');
    const result = await buildSite(opts, quiet ? undefined : (line) => process.stderr.write(`${line}\n`));
    if (!quiet) {
      const c = result.model.counts;
      const needs = result.model.orgs.filter((o) => o.state !== 'healthy').length;
      process.stdout.write(
        `Built the status site for ${result.model.orgs.length} orgs (${c.healthy} healthy, ${needs} not) in ${result.seconds.toFixed(1)} s.\n`,
      );
      process.stdout.write(`Open it: file://${result.index}\n`);
    }
    process.stdout.write(`${result.index}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`${describeFailure(err)}\n`);
    if (!(err instanceof ProductError)) process.stderr.write(`${(err as Error).stack ?? ''}\n`);
    return err instanceof SiteUsageError ? 2 : 1;
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
