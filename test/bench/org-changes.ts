// A day of changes in the emulated org, made through the REST API as an integration would make
// them: P% of the org's rows, spread over its largest objects in proportion to their size, mostly
// updates (70 %), some inserts (20 %) and deletes (10 %, to the Recycle Bin). sObject Collections
// take 200 records per call. Not timed by the benchmark.
//
// A delete cascades as in Salesforce: an Account takes its Contacts, Opportunities and activities
// to the Recycle Bin with it, a Contact its Cases and activities. So what a delete changed is read
// from the org, not from the calls: every object's Recycle Bin is counted before and after, and
// `deleted` is what went in (the records deleted and everything deleted along with them, in any
// object). A change to a record a cascade took earlier in the run (ENTITY_IS_DELETED) is counted
// as `gone`, not as a failure.
import { z } from 'zod';
import { api, type Session } from './org.ts';

export interface ObjectRows {
  name: string;
  rows: number;
}

export interface ChangeCounts {
  object: string;
  updated: number;
  inserted: number;
  /** Rows of this object that went to the Recycle Bin during the run: deleted, or taken along by a deleted parent. */
  deleted: number;
  /** Of `deleted`, the rows a parent's delete took along. */
  cascaded: number;
  /** Updates and deletes aimed at a record a cascade had already taken to the Recycle Bin. */
  gone: number;
  failed: number;
}

const BATCH = 200;
const describeSchema = z.object({
  fields: z.array(
    z.object({
      name: z.string(),
      type: z.string(),
      createable: z.boolean(),
      updateable: z.boolean(),
      unique: z.boolean().optional(),
      externalId: z.boolean().optional(),
      autoNumber: z.boolean().optional(),
      calculated: z.boolean().optional(),
    }),
  ),
});
const querySchema = z.object({ records: z.array(z.record(z.string(), z.unknown())), nextRecordsUrl: z.string().optional(), done: z.boolean() });
const saveSchema = z.array(
  z.object({ id: z.string().nullish(), success: z.boolean(), errors: z.array(z.object({ statusCode: z.string().optional() })).optional() }),
);
const countSchema = z.object({ totalSize: z.number() });

interface Saved {
  ok: string[];
  /** Refused because the record is in the Recycle Bin already. */
  gone: number;
  failed: number;
}

function tally(results: z.infer<typeof saveSchema>, into: Saved): void {
  for (const r of results) {
    if (r.success && r.id) into.ok.push(r.id);
    else if (r.errors?.some((e) => e.statusCode === 'ENTITY_IS_DELETED')) into.gone++;
    else into.failed++;
  }
}
const TEXT = new Set(['string', 'textarea']);
const COPYABLE = new Set([
  'string',
  'textarea',
  'picklist',
  'email',
  'phone',
  'url',
  'double',
  'currency',
  'percent',
  'int',
  'date',
  'datetime',
  'boolean',
  'reference',
]);

async function json<T>(res: Response, schema: z.ZodType<T>, what: string): Promise<T> {
  if (!res.ok) throw new Error(`${what}: ${res.status} ${(await res.text()).slice(0, 500)}`);
  return schema.parse(await res.json());
}

/** The first `n` rows of a SOQL query, following nextRecordsUrl. */
async function queryRows(s: Session, soql: string, n: number): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let page = await json(await api(s, `/query?q=${encodeURIComponent(`${soql} LIMIT ${n}`)}`), querySchema, soql);
  for (;;) {
    out.push(...page.records);
    if (page.done || !page.nextRecordsUrl || out.length >= n) break;
    const next = page.nextRecordsUrl.replace(/^\/services\/data\/v[\d.]+/, '');
    page = await json(await api(s, next), querySchema, soql);
  }
  return out.slice(0, n);
}

async function collection(s: Session, method: 'POST' | 'PATCH', records: Record<string, unknown>[]): Promise<Saved> {
  const out: Saved = { ok: [], gone: 0, failed: 0 };
  for (let i = 0; i < records.length; i += BATCH) {
    const res = await api(s, '/composite/sobjects', { method, body: JSON.stringify({ allOrNone: false, records: records.slice(i, i + BATCH) }) });
    tally(await json(res, saveSchema, `${method} /composite/sobjects`), out);
  }
  return out;
}

async function deleteIds(s: Session, ids: string[]): Promise<Saved> {
  const out: Saved = { ok: [], gone: 0, failed: 0 };
  for (let i = 0; i < ids.length; i += BATCH) {
    const res = await api(s, `/composite/sobjects?allOrNone=false&ids=${ids.slice(i, i + BATCH).join(',')}`, { method: 'DELETE' });
    tally(await json(res, saveSchema, 'DELETE /composite/sobjects'), out);
  }
  return out;
}

/** Rows of each object in the Recycle Bin; objects that cannot say (no IsDeleted, not queryable) are left out. */
async function recycleBin(s: Session, objects: readonly ObjectRows[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const o of objects) {
    const res = await api(s, `/queryAll?q=${encodeURIComponent(`SELECT COUNT() FROM ${o.name} WHERE IsDeleted = true`)}`);
    if (!res.ok) {
      await res.body?.cancel();
      continue;
    }
    out.set(o.name, countSchema.parse(await res.json()).totalSize);
  }
  return out;
}

/**
 * Changes `share` of `totalRows` over the `top` largest objects; returns what was done per object,
 * with an entry for every other object a cascade reached.
 */
export async function changeOrg(s: Session, objects: ObjectRows[], totalRows: number, share: number, top = 4): Promise<ChangeCounts[]> {
  const biggest = [...objects].sort((a, b) => b.rows - a.rows).slice(0, top);
  const inBiggest = biggest.reduce((n, o) => n + o.rows, 0);
  const total = Math.round(totalRows * share);
  const out: ChangeCounts[] = [];
  const binBefore = await recycleBin(s, objects);
  const direct = new Map<string, number>();
  for (const o of biggest) {
    const n = Math.round((total * o.rows) / inBiggest);
    const updates = Math.round(n * 0.7);
    const deletes = Math.round(n * 0.1);
    const inserts = n - updates - deletes;
    const d = await json(await api(s, `/sobjects/${o.name}/describe`), describeSchema, `describe ${o.name}`);
    const plain = (f: z.infer<typeof describeSchema>['fields'][number]) => !f.unique && !f.externalId && !f.autoNumber && !f.calculated;
    const textField =
      d.fields.find((f) => f.updateable && TEXT.has(f.type) && plain(f) && f.name !== 'Name')?.name ??
      d.fields.find((f) => f.updateable && TEXT.has(f.type) && plain(f))?.name;
    const copy = d.fields.filter((f) => f.createable && COPYABLE.has(f.type) && plain(f)).map((f) => f.name);
    // Live rows only: the ones an admin or an integration touches.
    const rows = await queryRows(s, `SELECT Id${copy.length ? `, ${copy.join(', ')}` : ''} FROM ${o.name}`, updates + deletes + Math.min(inserts, 1000));
    const ids = rows.map((r) => r.Id as string);
    const stamp = Date.now().toString(36);
    const c: ChangeCounts = { object: o.name, updated: 0, inserted: 0, deleted: 0, cascaded: 0, gone: 0, failed: 0 };
    if (textField) {
      const upd = ids.slice(0, updates).map((id, i) => ({ attributes: { type: o.name }, id, [textField]: `bench change ${stamp} ${i}` }));
      const r = await collection(s, 'PATCH', upd);
      c.updated = r.ok.length;
      c.gone += r.gone;
      c.failed += r.failed;
    }
    const del = await deleteIds(s, ids.slice(updates, updates + deletes));
    direct.set(o.name, del.ok.length);
    c.gone += del.gone;
    c.failed += del.failed;
    // New rows are copies of existing ones (their required fields and references are valid).
    const templates = rows.slice(0, Math.max(1, Math.min(rows.length, 1000)));
    const ins = Array.from({ length: templates.length ? inserts : 0 }, (_, i) => {
      const t = templates[i % templates.length] as Record<string, unknown>;
      const rec: Record<string, unknown> = { attributes: { type: o.name } };
      for (const f of copy) if (t[f] !== null && t[f] !== undefined) rec[f] = t[f];
      if (textField) rec[textField] = `bench insert ${stamp} ${i}`;
      return rec;
    });
    const r = await collection(s, 'POST', ins);
    c.inserted = r.ok.length;
    c.failed += r.failed;
    out.push(c);
  }
  // What the deletes changed, cascades included, as the org's Recycle Bin shows it.
  const binAfter = await recycleBin(s, objects);
  for (const o of objects) {
    const before = binBefore.get(o.name);
    const after = binAfter.get(o.name);
    const own = direct.get(o.name) ?? 0;
    const binned = before === undefined || after === undefined ? own : Math.max(own, after - before);
    let c = out.find((x) => x.object === o.name);
    if (!c) {
      if (binned === 0) continue;
      c = { object: o.name, updated: 0, inserted: 0, deleted: 0, cascaded: 0, gone: 0, failed: 0 };
      out.push(c);
    }
    c.deleted = binned;
    c.cascaded = binned - own;
  }
  return out;
}
