// The dependency rule of src/ (docs/development.md, "Layers"): entry points -> use cases -> domain
// -> adapters. An import may point down a layer, or sideways inside one (except between the entry
// points), never up, and the folders may not form a cycle. This reads the imports of every file
// under src/ (static imports, re-exports, dynamic import() of a literal; type-only ones too, they
// tie the layers together just the same) and fails naming each file and import that breaks the rule.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import ts from 'typescript';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SRC = path.join(ROOT, 'src');

interface Layer {
  name: string;
  folders: readonly string[];
  /** Whether its folders may import each other (never in a cycle). */
  sideways: boolean;
}

/** Top to bottom. */
const LAYERS: readonly Layer[] = [
  { name: 'entry points', folders: ['action', 'cli'], sideways: false },
  // backup/ is the backup use case (run, summary, failure text) until issue 9's src/app/ takes it over.
  { name: 'use cases', folders: ['app', 'backup'], sideways: true },
  { name: 'domain', folders: ['config', 'salesforce', 'snapshot', 'storage', 'status', 'restore'], sideways: true },
  { name: 'adapters', folders: ['github', 'git', 'runtime'], sideways: true },
];

/**
 * Violations known and accepted until the use-case layer (issue 9) removes them: `file` imports
 * `specifier`. Each needs a reason; the test fails when one is no longer there, so the list only shrinks.
 */
const EXCEPTIONS: ReadonlyArray<{ file: string; specifier: string; why: string }> = [];

interface ImportEdge {
  /** Relative to the repository root, `src/...`. */
  file: string;
  line: number;
  specifier: string;
  /** The resolved target, relative to the repository root. */
  target: string;
}

interface Violation {
  edge: ImportEdge;
  rule: string;
}

/** Every relative import of one file: `import … from`, `export … from`, `import('…')`. */
function importsOf(file: string, text: string): ImportEdge[] {
  const info = ts.preProcessFile(text, true, true);
  const lineOf = (pos: number) => text.slice(0, pos).split('\n').length;
  return info.importedFiles
    .filter((f) => f.fileName.startsWith('.'))
    .map((f) => ({
      file,
      line: lineOf(f.pos),
      specifier: f.fileName,
      target: path.posix.normalize(path.posix.join(path.posix.dirname(file), f.fileName)),
    }));
}

function folderOf(rel: string): string | undefined {
  const parts = rel.split('/');
  return parts[0] === 'src' && parts.length > 2 ? parts[1] : undefined;
}

function layerOf(folder: string): number {
  return LAYERS.findIndex((l) => l.folders.includes(folder));
}

function describeEdge(e: ImportEdge): string {
  return `${e.file}:${e.line} imports '${e.specifier}'`;
}

/** Strongly connected folders (Tarjan): every group of more than one is a cycle. */
function cycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v) as number, idx.get(w) as number));
    }
    if (low.get(v) === idx.get(v)) {
      const group: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop() as string;
        on.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) out.push(group.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v);
  return out;
}

/** Checks the rule over a set of imports; `files` are the files under src/, for the unknown-folder check. */
function violations(edges: readonly ImportEdge[], files: readonly string[]): Violation[] {
  const found: Violation[] = [];
  for (const f of files) {
    const folder = folderOf(f);
    if (folder === undefined) found.push({ edge: { file: f, line: 1, specifier: '', target: f }, rule: 'every file of src/ lives in a layer folder' });
    else if (layerOf(folder) < 0) {
      found.push({
        edge: { file: f, line: 1, specifier: '', target: f },
        rule: `src/${folder}/ is in no layer: add it to LAYERS in test/unit/architecture.test.ts`,
      });
    }
  }
  const graph = new Map<string, Set<string>>();
  const witnesses = new Map<string, ImportEdge>();
  for (const e of edges) {
    const from = folderOf(e.file);
    if (from === undefined || layerOf(from) < 0) continue;
    const to = folderOf(e.target);
    if (to === undefined) {
      found.push({ edge: e, rule: 'src/ imports only from src/' });
      continue;
    }
    if (from === to) continue;
    const a = layerOf(from);
    const b = layerOf(to);
    if (b < 0) continue; // reported as an unknown folder above
    const fromLayer = LAYERS[a] as Layer;
    const toLayer = LAYERS[b] as Layer;
    if (b < a) found.push({ edge: e, rule: `${from}/ (${fromLayer.name}) must not import ${to}/ (${toLayer.name}, a higher layer)` });
    else if (a === b && !fromLayer.sideways)
      found.push({ edge: e, rule: `${from}/ and ${to}/ are both ${fromLayer.name}: they share code through a lower layer` });
    else {
      if (!graph.has(from)) graph.set(from, new Set());
      graph.get(from)?.add(to);
      if (!witnesses.has(`${from}>${to}`)) witnesses.set(`${from}>${to}`, e);
    }
  }
  for (const group of cycles(graph)) {
    const inGroup = [...witnesses.entries()].filter(([k]) => {
      const [x, y] = k.split('>') as [string, string];
      return group.includes(x) && group.includes(y);
    });
    for (const [, e] of inGroup) found.push({ edge: e, rule: `the folders ${group.join(', ')} import each other in a cycle` });
  }
  return found;
}

function sourceFiles(): string[] {
  return readdirSync(SRC, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.posix.join('src', f.split(path.sep).join('/')))
    .sort();
}

function allEdges(files: readonly string[]): ImportEdge[] {
  return files.flatMap((f) => importsOf(f, readFileSync(path.join(ROOT, f), 'utf8')));
}

function isException(v: Violation): boolean {
  return EXCEPTIONS.some((x) => x.file === v.edge.file && x.specifier === v.edge.specifier);
}

describe('the dependency rule of src/', () => {
  test('no import points up a layer, between entry points, out of src/ or around a cycle', () => {
    const files = sourceFiles();
    assert.ok(files.length > 50, 'src/ was read');
    const found = violations(allEdges(files), files).filter((v) => !isException(v));
    assert.deepEqual(
      found.map((v) => `${describeEdge(v.edge)}: ${v.rule}`),
      [],
      'Move the code to the layer it belongs to, or pass what it needs down as a parameter (docs/development.md, "Layers").',
    );
  });

  test('every listed exception still exists (the list only shrinks)', () => {
    const files = sourceFiles();
    const found = violations(allEdges(files), files);
    for (const x of EXCEPTIONS) {
      assert.ok(
        found.some((v) => v.edge.file === x.file && v.edge.specifier === x.specifier),
        `${x.file} no longer imports '${x.specifier}' against the rule: remove it from EXCEPTIONS`,
      );
    }
  });

  test('the reader sees static, re-exported and dynamic imports, and nothing in comments or strings', () => {
    const text = [
      "import a from '../config/a.ts';",
      "import type { B } from './b.ts';",
      "export { c } from '../status/c.ts';",
      "export * from '../git/d.ts';",
      '// import e from "../action/e.ts";',
      'const f = \'import g from "../action/g.ts"\';',
      "async function h() { return import('../app/h.ts'); }",
      "import { z } from 'zod';",
    ].join('\n');
    const got = importsOf('src/storage/x.ts', text).map((e) => `${e.line} ${e.target}`);
    assert.deepEqual(got, ['1 src/config/a.ts', '2 src/storage/b.ts', '3 src/status/c.ts', '4 src/git/d.ts', '7 src/app/h.ts']);
  });

  test('a new upward import, an import between entry points and a cycle are each caught and named', () => {
    const files = ['src/runtime/x.ts', 'src/action/a.ts', 'src/config/c.ts', 'src/status/s.ts'];
    const edges = [
      ...importsOf('src/runtime/x.ts', "import { y } from '../storage/config.ts';"),
      ...importsOf('src/action/a.ts', "const m = await import('../cli/main.ts');"),
      ...importsOf('src/config/c.ts', "export { s } from '../status/s.ts';"),
      ...importsOf('src/status/s.ts', "import type { C } from '../config/c.ts';"),
    ];
    const found = violations(edges, files).map((v) => `${describeEdge(v.edge)}: ${v.rule}`);
    assert.deepEqual(found.sort(), [
      "src/action/a.ts:1 imports '../cli/main.ts': action/ and cli/ are both entry points: they share code through a lower layer",
      "src/config/c.ts:1 imports '../status/s.ts': the folders config, status import each other in a cycle",
      "src/runtime/x.ts:1 imports '../storage/config.ts': runtime/ (adapters) must not import storage/ (domain, a higher layer)",
      "src/status/s.ts:1 imports '../config/c.ts': the folders config, status import each other in a cycle",
    ]);
    assert.deepEqual(
      violations([], ['src/newthing/a.ts']).map((v) => v.rule),
      ['src/newthing/ is in no layer: add it to LAYERS in test/unit/architecture.test.ts'],
    );
  });
});
