// Which objects and fields a backup takes. Everything describeGlobal calls queryable and
// retrieveable, minus what the user excludes, so new objects and fields are picked up without
// config changes. Compound address/location fields are dropped (their components stay) and base64
// too: Bulk API 2.0 refuses both in a SELECT.
import type { Connection, DescribeGlobalSObjectResult, DescribeSObjectResult } from 'jsforce';
import type { ObjectSchema, SchemaField } from '../snapshot/contracts.ts';
import type { SalesforceApi } from './api-client.ts';
import { MisconfiguredError } from './errors.ts';
import { type RetryPolicy, withRetry } from './retry.ts';

export interface SelectionOptions {
  /** Object names or patterns (`*__c`, `*History`); when given, only these. */
  include?: string[];
  exclude?: string[];
  /** `Object.Field` or `*.Field` (patterns allowed on both sides). */
  excludeFields?: string[];
  describeConcurrency?: number;
  retry?: RetryPolicy;
}

export interface PlannedObject {
  name: string;
  schema: ObjectSchema;
  /** getDeleted works on it (incremental runs need that). */
  replicateable: boolean;
}

const SKIPPED_TYPES = new Set(['address', 'location', 'base64']);

function isPattern(s: string): boolean {
  return s.includes('*') || s.includes('?');
}

/** Case-insensitive, like Salesforce API names. */
export function patternToRegExp(pattern: string): RegExp {
  const body = pattern
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 'i');
}

function matchesAny(name: string, patterns: RegExp[]): boolean {
  return patterns.some((p) => p.test(name));
}

interface FieldRule {
  object: RegExp;
  field: RegExp;
  raw: string;
  objectName: string;
  fieldName: string;
}

function fieldRules(entries: string[]): FieldRule[] {
  return entries.map((raw) => {
    const dot = raw.indexOf('.');
    if (dot <= 0 || dot === raw.length - 1) {
      throw new MisconfiguredError({
        reason: 'bad_input',
        message: `The excluded field "${raw}" is not of the form Object.Field.`,
        remedy: 'Write excluded fields as Object.Field (Account.SSN__c) or *.Field for every object.',
      });
    }
    const objectName = raw.slice(0, dot).trim();
    const fieldName = raw.slice(dot + 1).trim();
    return { object: patternToRegExp(objectName), field: patternToRegExp(fieldName), raw, objectName, fieldName };
  });
}

/** Runs `fn` over `items`, at most `limit` at a time, results in input order. */
export async function mapBounded<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/** The objects describeGlobal offers that a backup can read, after include/exclude. */
export function chooseObjects(global: DescribeGlobalSObjectResult[], options: Pick<SelectionOptions, 'include' | 'exclude'>): DescribeGlobalSObjectResult[] {
  const byName = new Map(global.map((o) => [o.name.toLowerCase(), o]));
  const exportable = (o: DescribeGlobalSObjectResult) => o.queryable && o.retrieveable;
  let chosen = global.filter(exportable);
  if (options.include && options.include.length > 0) {
    for (const entry of options.include) {
      if (isPattern(entry)) continue;
      const o = byName.get(entry.toLowerCase());
      if (!o) {
        throw new MisconfiguredError({
          reason: 'bad_input',
          message: `The included object "${entry}" does not exist in this org (describeGlobal does not list it).`,
          remedy: `Check the spelling and the API name (custom objects end in __c), or remove "${entry}" from the objects to include.`,
        });
      }
      if (!exportable(o)) {
        throw new MisconfiguredError({
          reason: 'bad_input',
          message: `The included object "${o.name}" cannot be exported: Salesforce says it is not queryable or not retrievable.`,
          remedy: `Remove "${o.name}" from the objects to include.`,
        });
      }
    }
    const include = options.include.map(patternToRegExp);
    chosen = chosen.filter((o) => matchesAny(o.name, include));
  }
  if (options.exclude && options.exclude.length > 0) {
    const exclude = options.exclude.map(patternToRegExp);
    chosen = chosen.filter((o) => !matchesAny(o.name, exclude));
  }
  return chosen;
}

function trimField(f: DescribeSObjectResult['fields'][number]): SchemaField {
  const out: SchemaField = {
    name: f.name,
    type: f.type,
    label: f.label,
    referenceTo: (f.referenceTo ?? []).filter((r): r is string => typeof r === 'string'),
    relationshipName: f.relationshipName ?? null,
    createable: f.createable,
    updateable: f.updateable,
    nillable: f.nillable,
    externalId: f.externalId,
    unique: f.unique,
    calculated: f.calculated,
    autoNumber: f.autoNumber,
    defaultedOnCreate: f.defaultedOnCreate,
    cascadeDelete: f.cascadeDelete,
    length: f.length,
  };
  const picklist = (f.picklistValues ?? []).filter((p) => p.active).map((p) => p.value);
  if (picklist.length > 0) out.picklistValues = picklist;
  return out;
}

/** The snapshot's columns for one object: `Id` first, then describe order, minus what cannot or may not be exported. */
export function trimSchema(d: DescribeSObjectResult, rules: FieldRule[]): ObjectSchema {
  const applicable = rules.filter((r) => r.object.test(d.name));
  const fields = d.fields.filter((f) => {
    if (f.name === 'Id' || f.name === 'IsDeleted') return true;
    if (SKIPPED_TYPES.has(f.type)) return false;
    return !applicable.some((r) => r.field.test(f.name));
  });
  const id = fields.find((f) => f.name === 'Id');
  const ordered = id ? [id, ...fields.filter((f) => f !== id)] : fields;
  return { name: d.name, label: d.label, keyPrefix: d.keyPrefix ?? null, fields: ordered.map(trimField) };
}

/** describeGlobal, then a describe of each chosen object (bounded), each trimmed to its snapshot columns. */
export async function planObjects(api: SalesforceApi, options: SelectionOptions = {}): Promise<PlannedObject[]> {
  const rules = fieldRules(options.excludeFields ?? []);
  const global = await withRetry(() => api.jsforce((c: Connection) => c.describeGlobal()), options.retry);
  const chosen = chooseObjects(global.sobjects, options);
  const described = await mapBounded(chosen, options.describeConcurrency ?? 8, (o) =>
    withRetry(() => api.jsforce((c: Connection) => c.describe(o.name)), options.retry),
  );
  // A named field that matches nothing is most likely a typo that would leak the data it meant to hide.
  for (const rule of rules) {
    if (isPattern(rule.objectName) || isPattern(rule.fieldName)) continue;
    const d = described.find((x) => x.name.toLowerCase() === rule.objectName.toLowerCase());
    if (!d) {
      if (global.sobjects.some((o) => o.name.toLowerCase() === rule.objectName.toLowerCase())) continue;
      throw new MisconfiguredError({
        reason: 'bad_input',
        message: `The excluded field "${rule.raw}" names an object this org does not have.`,
        remedy: `Check the object's API name (custom objects end in __c), or write *.${rule.fieldName} to exclude the field on every object.`,
      });
    }
    if (!d.fields.some((f) => f.name.toLowerCase() === rule.fieldName.toLowerCase())) {
      throw new MisconfiguredError({
        reason: 'bad_input',
        message: `The excluded field "${rule.raw}" does not exist on ${d.name}.`,
        remedy: `Check the field's API name in Setup > Object Manager > ${d.name} > Fields (custom fields end in __c), or remove the entry.`,
      });
    }
  }
  return described.map((d, i) => ({ name: d.name, schema: trimSchema(d, rules), replicateable: chosen[i]?.replicateable ?? false }));
}
