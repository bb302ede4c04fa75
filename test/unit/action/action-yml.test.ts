// action.yml documents every input the code reads and every output it sets, and nothing else.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { INPUT_NAMES } from '../../../src/action/inputs.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const action = parse(readFileSync(path.join(root, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { description?: string }>;
  outputs: Record<string, { description?: string }>;
};

test('every input the action reads is in action.yml with a description, and every documented input is read', () => {
  const read = new Set(Object.values(INPUT_NAMES));
  assert.deepEqual(Object.keys(action.inputs).sort(), [...read].sort());
  for (const [name, spec] of Object.entries(action.inputs)) assert.ok(spec.description && spec.description.length > 20, `input ${name} has no description`);
});

test('every output the action sets is documented in action.yml', () => {
  const dir = path.join(root, 'src/action');
  const set = new Set<string>();
  for (const f of readdirSync(dir)) {
    for (const m of readFileSync(path.join(dir, f), 'utf8').matchAll(/core\.setOutput\('([a-z-]+)'/g)) set.add(m[1] as string);
  }
  assert.ok(set.has('snapshot-location') && set.has('failed-objects'));
  assert.deepEqual(
    [...set].filter((o) => !(o in action.outputs)),
    [],
  );
  for (const [name, spec] of Object.entries(action.outputs)) {
    assert.ok(set.has(name), `output ${name} is documented but never set`);
    assert.ok(spec.description, `output ${name} has no description`);
  }
});
