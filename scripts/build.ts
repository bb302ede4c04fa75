// `npm run build`: bundles the action (dist/index.js) and the `sfbackup` CLI (dist/cli.js) as ESM for
// Node 24; code they share goes to chunks. dist/ is committed (actions run straight from the
// repository), so the output must be reproducible: no timestamps, no absolute paths, no source maps.
// `npm run build:check` builds in memory and fails when dist/ differs from what the build makes.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };

// Bundled CommonJS dependencies (jsforce and its helpers) call require(); ESM has none.
const requireShim = "import { createRequire as __sfbackupCreateRequire } from 'node:module';\nconst require = __sfbackupCreateRequire(import.meta.url);";

const result = await build({
  absWorkingDir: root,
  entryPoints: { index: 'src/action/main.ts', cli: 'src/cli/bin.ts', 'parse-worker': 'src/salesforce/bulk-csv/parse-worker.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'node',
  target: 'node24',
  format: 'esm',
  legalComments: 'none',
  banner: { js: requireShim },
  define: { SFBACKUP_VERSION: JSON.stringify(pkg.version) },
  logLevel: 'warning',
  write: false,
});

const files = new Map<string, Uint8Array>();
for (const file of result.outputFiles) {
  const rel = path.relative(dist, file.path);
  files.set(rel, rel === 'cli.js' ? Buffer.from(`#!/usr/bin/env node\n${file.text}`) : file.contents);
}

if (process.argv.includes('--check')) {
  const existing = existsSync(dist) ? readdirSync(dist, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()) : [];
  const onDisk = new Set(existing.map((d) => path.relative(dist, path.join(d.parentPath, d.name))));
  const problems: string[] = [];
  for (const [rel, contents] of files) {
    if (!onDisk.has(rel)) problems.push(`missing: dist/${rel}`);
    else if (!Buffer.from(contents).equals(readFileSync(path.join(dist, rel)))) problems.push(`differs: dist/${rel}`);
  }
  for (const rel of onDisk) if (!files.has(rel)) problems.push(`not built any more: dist/${rel}`);
  if (problems.length > 0) {
    process.stderr.write(`dist/ does not match the sources:\n  ${problems.join('\n  ')}\nRun 'npm run build' and commit dist/.\n`);
    process.exit(1);
  }
  process.stdout.write(`dist/ matches the sources (${files.size} files).\n`);
} else {
  rmSync(dist, { recursive: true, force: true });
  for (const [rel, contents] of files) {
    const file = path.join(dist, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, contents);
  }
  chmodSync(path.join(dist, 'cli.js'), 0o755);
}
