// Building a fixture site through the command line other tools use (`npm run site -- --data DIR
// --out DIR`), and reading what it wrote.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const OUTPUT_DIR = path.join(import.meta.dirname, 'output');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `node site/build.ts ARGS` with Node 24 (this process's), in the repository root. */
export function runSiteCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', path.join(REPO_ROOT, 'site/build.ts'), ...args],
      { cwd: REPO_ROOT, env: { ...process.env, ...env, ASTRO_TELEMETRY_DISABLED: '1' }, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** Every file under `dir`, relative, with `/` separators. */
export function filesOf(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)).split(path.sep).join('/'))
    .sort();
}

export function read(dir: string, rel: string): string {
  return readFileSync(path.join(dir, rel), 'utf8');
}

/** The internal links of an HTML page (href and src), resolved against the page's own path. */
export function internalLinks(html: string, pagePath: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/\s(?:href|src)="([^"]*)"/g)) {
    const raw = (m[1] as string).replace(/&amp;/g, '&');
    if (/^(?:[a-z][a-z0-9+.-]*:|#|\/\/)/i.test(raw)) continue;
    const resolved = new URL(raw, `http://site/${pagePath}`);
    out.push(decodeURIComponent(resolved.pathname.slice(1)));
  }
  return out;
}
