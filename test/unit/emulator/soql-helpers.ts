// Test setup for the SOQL/query tests: rows written straight into an org's store (no REST, no DML
// rules), so the query tests depend on nothing but the store and the SOQL engine.
import assert from 'node:assert/strict';
import type { Emulator } from '../../emulators/salesforce/emulator.ts';
import type { Org } from '../../emulators/salesforce/model.ts';
import { getField, getObject, type ObjectDef } from '../../emulators/salesforce/schema/types.ts';
import type { Row } from '../../emulators/salesforce/store/db.ts';
import { toStorage } from '../../emulators/salesforce/store/values.ts';

export function orgOf(emu: Emulator, alias: string): Org {
  const org = [...emu.state.orgs.values()].find((o) => o.alias === alias);
  assert.ok(org, `no org ${alias}`);
  return org;
}

export function adminOf(emu: Emulator, org: Org): string {
  const c = emu.credentials.find((x) => x.orgId === org.id);
  assert.ok(c);
  return c.userId;
}

export function objectOf(org: Org, name: string): ObjectDef {
  const obj = getObject(org.store.schema, name);
  assert.ok(obj, `no object ${name}`);
  return obj;
}

/** Inserts one row; values are given as a REST body would give them. Returns the new id. */
export function insertRow(emu: Emulator, org: Org, objectName: string, values: Record<string, unknown>): string {
  const obj = objectOf(org, objectName);
  const row: Row = {};
  // Checkboxes are never null on Salesforce; the store keeps what it is given.
  for (const f of obj.fields) if (f.type === 'boolean' && f.stored && f.name !== 'IsDeleted') row[f.name] = f.defaultValue === true ? 1 : 0;
  for (const [k, v] of Object.entries(values)) {
    const f = getField(obj, k);
    assert.ok(f, `no field ${objectName}.${k}`);
    row[f.name] = toStorage(f, v);
  }
  return org.store.insert(obj, row, { userId: adminOf(emu, org) });
}

export function softDelete(emu: Emulator, org: Org, objectName: string, id: string): void {
  org.store.softDelete(objectOf(org, objectName), id, { userId: adminOf(emu, org) });
}

/** Sets the emulator clock (in-process: the tests own their emulator). */
export function setClock(emu: Emulator, iso: string): void {
  emu.state.clock.set(Date.parse(iso));
}
