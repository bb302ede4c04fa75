// A plan compares values the way the snapshot encodes them, whichever API read the live side.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { later, sameValue } from '../../../src/restore/plan-values.ts';

test('the REST and Bulk spellings of one value are the same value', () => {
  assert.ok(sameValue('2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000+0000', 'datetime'));
  assert.ok(sameValue('1000.0', '1000', 'currency'));
  assert.ok(sameValue('TRUE', 'true', 'boolean'));
  assert.ok(sameValue('', '', 'string'));
});

test('different values, and null against a value, differ', () => {
  assert.ok(!sameValue('2026-01-01T00:00:00.000Z', '2026-01-01T00:00:01.000Z', 'datetime'));
  assert.ok(!sameValue('', '0', 'double'));
  assert.ok(!sameValue('Acme', 'acme', 'string'));
  assert.ok(!sameValue(' Acme', 'Acme', 'string'));
  // Numbers are only numbers for number fields: a text field keeps its exact characters.
  assert.ok(!sameValue('1000.0', '1000', 'string'));
});

test('a SystemModstamp in either spelling is compared as a time', () => {
  assert.ok(later('2026-01-01T00:00:00.001+0000', '2026-01-01T00:00:00.000Z'));
  assert.ok(!later('2026-01-01T00:00:00.000+0000', '2026-01-01T00:00:00.000Z'));
  assert.ok(!later('', '2026-01-01T00:00:00.000Z'));
});
