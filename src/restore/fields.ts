// Which of a snapshot's fields a restore writes, and why it leaves the others alone. The snapshot's
// trimmed describe decides (createable for records created, updateable for records updated); fields
// the org keeps for itself never go out, whatever the describe of the day says.
import type { SchemaField } from '../snapshot/contracts.ts';
import type { RestoreMode } from './contracts.ts';

/** Set by Salesforce on every save; never written by anyone. */
export const SYSTEM_FIELDS: ReadonlySet<string> = new Set([
  'Id',
  'IsDeleted',
  'SystemModstamp',
  'LastActivityDate',
  'LastViewedDate',
  'LastReferencedDate',
  'MasterRecordId',
]);

/** Who created and last changed a record, and when: settable on insert only, and only where the org allows it. */
export const AUDIT_FIELDS: ReadonlySet<string> = new Set(['CreatedDate', 'CreatedById', 'LastModifiedDate', 'LastModifiedById']);

export const AUDIT_NOT_ALLOWED =
  'audit field: the target org does not let this user set it (Setup: User Interface > "Set Audit Fields upon Record Creation", and the permission of that name)';
export const AUDIT_UPDATE = 'audit field: settable on insert only, and this mode updates records';

export interface FieldChoice {
  /** Written, in the snapshot's column order. */
  fields: string[];
  skipped: { name: string; why: string }[];
}

/** How a mode writes: `create` (missing), `update` (overwrite), both (upsert). */
function needs(mode: RestoreMode): { create: boolean; update: boolean } {
  return { create: mode !== 'overwrite', update: mode !== 'missing' };
}

function whyNot(f: SchemaField, mode: RestoreMode, auditCreateable: ReadonlySet<string> | undefined): string | undefined {
  if (SYSTEM_FIELDS.has(f.name)) return 'system field: set by Salesforce';
  if (AUDIT_FIELDS.has(f.name)) {
    // Re-created records keep who made them and when, where the org allows it: the target's
    // describe says so by making these fields createable for this user.
    if (mode !== 'missing') return AUDIT_UPDATE;
    return auditCreateable?.has(f.name) ? undefined : AUDIT_NOT_ALLOWED;
  }
  if (f.calculated) return 'formula field: Salesforce computes it';
  if (f.autoNumber) return 'auto-number field: Salesforce assigns it';
  const { create, update } = needs(mode);
  if (create && !f.createable) return 'not createable';
  if (update && !f.updateable) return mode === 'upsert' ? 'not updateable (an upsert may update the record)' : 'not updateable';
  return undefined;
}

/**
 * The fields a restore in `mode` writes for an object with these snapshot fields. `only` (field
 * names of this object) narrows them; a named field that cannot be written is listed as skipped.
 * Fields the live org no longer has (`live`, when known) are skipped too. `auditCreateable`: the
 * audit fields the target's describe lets this user set on insert.
 */
export function chooseFields(
  schema: readonly SchemaField[],
  mode: RestoreMode,
  only?: ReadonlySet<string>,
  live?: ReadonlySet<string>,
  auditCreateable?: ReadonlySet<string>,
): FieldChoice {
  const fields: string[] = [];
  const skipped: { name: string; why: string }[] = [];
  for (const f of schema) {
    if (f.name === 'Id') continue;
    if (only && !only.has(f.name)) continue;
    const why = whyNot(f, mode, auditCreateable) ?? (live && !live.has(f.name) ? 'not in the target org' : undefined);
    if (why) skipped.push({ name: f.name, why });
    else fields.push(f.name);
  }
  return { fields, skipped };
}

/**
 * `Object.Field` and `Field` names of a selection, for one object: a bare name applies to every
 * object that has it.
 */
export function fieldsFor(object: string, names: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const n of names) {
    const dot = n.indexOf('.');
    if (dot < 0) out.add(n);
    else if (n.slice(0, dot) === object) out.add(n.slice(dot + 1));
  }
  return out;
}

/**
 * upsert: an object's external id field from the selection's `externalIdField`: its `Object.Field`
 * entry, else a bare name meant for every object (comma-separated).
 */
export function externalIdFieldOf(spec: string | undefined, object: string): string | undefined {
  const parts = (spec ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return parts.find((p) => p.startsWith(`${object}.`))?.slice(object.length + 1) ?? parts.find((p) => !p.includes('.'));
}
