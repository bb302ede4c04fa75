// The status contract (src/status/index.ts) is what the status site imports: every module it
// reaches must load without Node or the Actions toolkit. Reads the import statements of the
// modules transitively, so a change that pulls in a publisher or a file reader fails here, naming
// the module and the import.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, test } from 'node:test';

const SRC = path.resolve(import.meta.dirname, '../../../src');
const CONTRACT = path.join(SRC, 'status/index.ts');

/** Every module specifier a file names: static imports and re-exports (type-only too), side-effect and dynamic imports. */
export function specifiersOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const patterns = [
    /\b(?:import|export)\b[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]/g,
  ];
  return patterns.flatMap((re) => [...code.matchAll(re)].map((m) => m[1] as string));
}

/** Why `specifier` may not be in the contract, or undefined when it may. */
function forbidden(specifier: string): string | undefined {
  if (specifier.startsWith('node:')) return 'a Node builtin';
  if (specifier.startsWith('@actions/')) return 'the Actions toolkit';
  if (builtinModules.includes(specifier) || builtinModules.includes(specifier.split('/')[0] as string)) return 'a Node builtin';
  return undefined;
}

/** The modules reachable from `entry` through relative imports, and every forbidden import among them. */
function walk(entry: string): { modules: string[]; violations: string[] } {
  const seen = new Set<string>();
  const violations: string[] = [];
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of specifiersOf(readFileSync(file, 'utf8'))) {
      const why = forbidden(spec);
      if (why) violations.push(`${path.relative(SRC, file)} imports ${spec} (${why})`);
      else if (spec.startsWith('.')) queue.push(path.resolve(path.dirname(file), spec));
    }
  }
  return { modules: [...seen].map((f) => path.relative(SRC, f)).sort(), violations };
}

describe('the status contract', () => {
  test('imports neither Node builtins nor @actions/*, transitively', () => {
    const { modules, violations } = walk(CONTRACT);
    assert.deepEqual(violations, []);
    // The walk really followed the graph: the schema, the layout and the updates are in it, the publisher is not.
    for (const m of ['status/schema.ts', 'status/layout.ts', 'status/update.ts', 'status/campaigns.ts']) assert.ok(modules.includes(m), `${m} in ${modules}`);
    for (const m of ['status/publish.ts', 'status/fetch.ts', 'status/files.ts']) assert.ok(!modules.includes(m), `${m} is not part of the contract`);
  });

  test('the check finds what it looks for', () => {
    assert.deepEqual(
      specifiersOf(`// import x from 'node:fs';
import {
  a,
  type B,
} from './a.ts';
import type { C } from "@actions/core";
export * from './b.ts';
import 'node:process';
const m = await import('node:child_process');`),
      ['./a.ts', '@actions/core', './b.ts', 'node:process', 'node:child_process'],
    );
    // The data reader next to the contract reads files: the walk must say so.
    assert.ok(walk(path.join(SRC, 'status/files.ts')).violations.includes('status/files.ts imports node:fs (a Node builtin)'));
  });
});
