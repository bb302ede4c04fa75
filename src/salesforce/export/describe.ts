// Which objects and fields a backup takes. Everything describeGlobal calls queryable and
// retrieveable, minus what the user excludes, so new objects and fields are picked up without
// config changes. Compound address/location fields are dropped (their components stay) and base64
// too: Bulk API 2.0 refuses both in a SELECT.
import type { Connection, DescribeGlobalSObjectResult, DescribeSObjectResult } from 'jsforce';
import { MisconfiguredError } from '../../runtime/auth-errors.ts';
import { ProductError } from '../../runtime/errors.ts';
import type { ObjectSchema, SchemaField } from '../../snapshot/contracts.ts';
import type { SalesforceApi } from './api-client.ts';
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

/**
 * A selection that backs up nothing, or names objects that are not there. Not a SalesforceError on
 * purpose: the login worked, so the org's authorization state stays as it is; the CLI exits 2.
 */
export class SelectionError extends ProductError<'bad_selection'> {
  override readonly name = 'SelectionError';
  readonly state = 'misconfigured';
  /** Each include entry that matched nothing (or named an object that cannot be exported). */
  readonly unmatched: string[];

  constructor(message: string, remedy: string, unmatched: string[]) {
    super({ reason: 'bad_selection', message, remedy });
    this.unmatched = unmatched;
  }
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] as number;
}

/** Up to three exportable names closest to what was typed (wildcards ignored), for "did you mean". */
export function closestNames(entry: string, names: string[]): string[] {
  const typed = entry.replace(/[*?]/g, '').toLowerCase();
  if (!typed) return [];
  const limit = Math.max(1, Math.floor(typed.length / 3));
  return names
    .map((name) => ({ name, d: editDistance(typed, name.toLowerCase()) }))
    .filter((x) => x.d <= limit)
    .sort((a, b) => a.d - b.d || a.name.localeCompare(b.name))
    .slice(0, 3)
    .map((x) => x.name);
}

const LISTED_NAMES = 60;

/** The objects describeGlobal offers that a backup can read, after include/exclude. */
export function chooseObjects(global: DescribeGlobalSObjectResult[], options: Pick<SelectionOptions, 'include' | 'exclude'>): DescribeGlobalSObjectResult[] {
  const byName = new Map(global.map((o) => [o.name.toLowerCase(), o]));
  const exportable = (o: DescribeGlobalSObjectResult) => o.queryable && o.retrieveable;
  let chosen = global.filter(exportable);
  const names = chosen.map((o) => o.name).sort((a, b) => a.localeCompare(b));
  const existing = () =>
    `Exportable objects in this org (${names.length}): ${names.slice(0, LISTED_NAMES).join(', ')}${names.length > LISTED_NAMES ? `, … and ${names.length - LISTED_NAMES} more` : ''}.`;
  const remedy =
    'Fix the names or patterns in --include / objects.include (API names, case-insensitive; custom objects end in __c; * and ? are wildcards). Nothing was backed up and the last snapshot is unchanged.';
  if (options.include && options.include.length > 0) {
    // Every entry is checked before failing, so one run names every typo, not just the first.
    const problems: string[] = [];
    const unmatched: string[] = [];
    for (const entry of options.include) {
      const hint = (): string => {
        const close = closestNames(entry, names);
        return close.length ? `; did you mean ${close.join(', ')}?` : '';
      };
      if (isPattern(entry)) {
        const re = patternToRegExp(entry);
        if (!chosen.some((o) => re.test(o.name))) {
          unmatched.push(entry);
          problems.push(`${entry} matched nothing${hint()}`);
        }
        continue;
      }
      const o = byName.get(entry.toLowerCase());
      if (!o) {
        unmatched.push(entry);
        problems.push(`${entry} does not exist in this org (describeGlobal does not list it)${hint()}`);
      } else if (!exportable(o)) {
        unmatched.push(entry);
        problems.push(`${o.name} cannot be exported: Salesforce says it is not queryable or not retrievable`);
      }
    }
    if (problems.length > 0) {
      throw new SelectionError(`The objects to include do not all match: ${problems.join('. ')}. ${existing()}`, remedy, unmatched);
    }
    const include = options.include.map(patternToRegExp);
    chosen = chosen.filter((o) => matchesAny(o.name, include));
  }
  if (options.exclude && options.exclude.length > 0) {
    const exclude = options.exclude.map(patternToRegExp);
    chosen = chosen.filter((o) => !matchesAny(o.name, exclude));
  }
  if (chosen.length === 0) {
    const sel = [
      options.include?.length ? `include ${options.include.join(', ')}` : '',
      options.exclude?.length ? `exclude ${options.exclude.join(', ')}` : '',
    ].filter(Boolean);
    throw new SelectionError(
      `The object selection${sel.length ? ` (${sel.join('; ')})` : ''} leaves nothing to back up. ${existing()}`,
      'Narrow the excludes or fix the includes. Nothing was backed up and the last snapshot is unchanged.',
      [...(options.include ?? []), ...(options.exclude ?? [])],
    );
  }
  return chosen;
}

/** True when the selection leaves `name` out on purpose (not included, or excluded). */
export function excludedBySelection(name: string, options: Pick<SelectionOptions, 'include' | 'exclude'>): boolean {
  if (options.include?.length && !matchesAny(name, options.include.map(patternToRegExp))) return true;
  return Boolean(options.exclude?.length && matchesAny(name, options.exclude.map(patternToRegExp)));
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
