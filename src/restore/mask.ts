// Masking for seeding a sandbox from production: per field, what is written instead of the
// snapshot's value, so the sandbox need not hold real personal data. The rules are checked against
// the snapshot's describe when the plan is made (a rule that cannot hold in a field is refused
// then, not discovered record by record), and applied to every value that leaves for the org and
// to the plan's "after" values, so no file the restore writes carries a masked field's original.
//
// `fake` and `hash` are keyed (HMAC-SHA256): the same value gives the same stand-in within a key,
// so two records that shared an e-mail address still share one. Without a key of the user's the key
// is derived from the two orgs' Ids: repeatable for the same restore, but not secret, so a guessable
// value (an e-mail address) could be confirmed by whoever has both; give a key to rule that out.
import { createHmac } from 'node:crypto';
import type { SchemaField } from '../snapshot/contracts.ts';
import { MASK_RULES, type MaskRule } from './contracts.ts';
import { RestorePlanError } from './plan-errors.ts';

/** Field types whose values are text a stand-in can replace. */
const TEXT_TYPES: ReadonlySet<string> = new Set(['string', 'textarea', 'email', 'phone', 'url', 'encryptedstring']);

/** `Object.Field=rule` or `Field=rule`, comma-separated (the CLI flag and the action input). */
export function parseMaskRules(spec: string | undefined): Record<string, MaskRule> | undefined {
  const parts = (spec ?? '')
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length === 0) return undefined;
  const out: Record<string, MaskRule> = {};
  for (const part of parts) {
    const eq = part.indexOf('=');
    const field = eq < 0 ? part : part.slice(0, eq).trim();
    const rule =
      eq < 0
        ? ''
        : part
            .slice(eq + 1)
            .trim()
            .toLowerCase();
    if (!field || !(MASK_RULES as readonly string[]).includes(rule)) {
      throw new RestorePlanError({
        reason: 'bad_selection',
        message: `The masking rule "${part}" is not Field=${MASK_RULES.join('|')}.`,
        remedy: 'Write each rule as Object.Field=blank, Object.Field=fake or Object.Field=hash, comma-separated (Contact.Email=fake,Contact.Phone=blank).',
      });
    }
    out[field] = rule as MaskRule;
  }
  return out;
}

/** One object's rules by field name; `Object.Field` wins over a bare `Field`. */
export function rulesFor(object: string, rules: Readonly<Record<string, MaskRule>> | undefined): Map<string, MaskRule> {
  const out = new Map<string, MaskRule>();
  if (!rules) return out;
  for (const [name, rule] of Object.entries(rules)) if (!name.includes('.')) out.set(name, rule);
  for (const [name, rule] of Object.entries(rules)) {
    const dot = name.indexOf('.');
    if (dot > 0 && name.slice(0, dot) === object) out.set(name.slice(dot + 1), rule);
  }
  return out;
}

/**
 * Refuses rules that cannot hold: a field no selected object has, a stand-in for a field that is
 * not text, a blank for a field the org requires, a mask on a lookup or an external id the restore
 * matches by.
 */
export function checkMaskRules(
  rules: Readonly<Record<string, MaskRule>> | undefined,
  schemas: ReadonlyMap<string, { fields: readonly SchemaField[] }>,
  keys: ReadonlyMap<string, string>,
): void {
  if (!rules) return;
  const problems: string[] = [];
  for (const [name, rule] of Object.entries(rules)) {
    const dot = name.indexOf('.');
    const targets = [...schemas].filter(
      ([o, s]) => (dot < 0 || name.slice(0, dot) === o) && s.fields.some((f) => f.name === (dot < 0 ? name : name.slice(dot + 1))),
    );
    if (targets.length === 0) {
      problems.push(`no object of the restore has ${name}`);
      continue;
    }
    for (const [object, schema] of targets) {
      const field = schema.fields.find((f) => f.name === (dot < 0 ? name : name.slice(dot + 1))) as SchemaField;
      const at = `${object}.${field.name}`;
      if (field.referenceTo.length > 0) problems.push(`${at} is a lookup (it is mapped, not masked)`);
      else if (keys.get(object) === field.name) problems.push(`${at} is the external id the upsert matches by`);
      else if (rule === 'blank' && !field.nillable && !field.defaultedOnCreate && field.type !== 'boolean')
        problems.push(`${at} is required, so it cannot be blank (use fake or hash)`);
      else if (rule !== 'blank' && !TEXT_TYPES.has(field.type)) problems.push(`${at} is a ${field.type} field: only text fields take ${rule} (use blank)`);
    }
  }
  if (problems.length > 0) {
    throw new RestorePlanError({
      reason: 'bad_selection',
      message: `The masking rules cannot be applied: ${problems.join('; ')}.`,
      remedy:
        'Mask text fields only (blank, fake or hash), and blank only fields that may be empty; schema/<Object>.json of the snapshot lists each field with its type.',
    });
  }
}

/** The key when the user gives none: repeatable for the same two orgs, not secret (see above). */
export function maskKeyFor(snapshotOrgId: string, targetOrgId: string): string {
  return `sfbackup-mask:${snapshotOrgId.slice(0, 15)}:${targetOrgId.slice(0, 15)}`;
}

export interface Masker {
  /** The value written for `field` of `object` (unchanged when no rule names it). */
  apply(object: string, field: string, value: string): string;
  /** Whether any rule names a field of `object`. */
  masks(object: string): boolean;
}

export function createMasker(
  rules: Readonly<Record<string, MaskRule>> | undefined,
  schemas: ReadonlyMap<string, { fields: readonly SchemaField[] }>,
  key: string,
): Masker {
  const byObject = new Map<string, Map<string, { rule: MaskRule; field: SchemaField }>>();
  for (const [object, schema] of schemas) {
    const mine = rulesFor(object, rules);
    const entry = new Map<string, { rule: MaskRule; field: SchemaField }>();
    for (const f of schema.fields) {
      const rule = mine.get(f.name);
      if (rule) entry.set(f.name, { rule, field: f });
    }
    if (entry.size > 0) byObject.set(object, entry);
  }
  const digest = (value: string) => createHmac('sha256', key).update(value, 'utf8').digest('hex');
  return {
    masks: (object) => byObject.has(object),
    apply(object, field, value) {
      const m = byObject.get(object)?.get(field);
      if (!m || value === '') return value;
      if (m.rule === 'blank') return '';
      const h = digest(value);
      const max = m.field.length > 0 ? m.field.length : 255;
      return (m.rule === 'hash' ? h : fake(m.field, h)).slice(0, max);
    },
  };
}

/** A stand-in of the field's kind from a digest: obviously not real, and valid where it lands. */
function fake(field: SchemaField, h: string): string {
  const n = (from: number, digits: number) => (Number.parseInt(h.slice(from, from + 8), 16) % 10 ** digits).toString().padStart(digits, '0');
  switch (field.type) {
    case 'email':
      // example.invalid: a reserved name (RFC 2606), so no mail can ever reach anyone.
      return `user.${h.slice(0, 12)}@example.invalid`;
    case 'phone':
      // 555-01xx numbers are reserved for fiction in the North American plan.
      return `+1 555-01${n(0, 2)}-${n(8, 4)}`;
    case 'url':
      return `https://example.invalid/${h.slice(0, 12)}`;
    default:
      return `${field.label.replace(/[^A-Za-z0-9 ]/g, '').trim() || 'Masked'} ${h.slice(0, 8)}`;
  }
}
