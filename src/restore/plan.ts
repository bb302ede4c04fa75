// The dry run of a restore, and the first half of every restore: the snapshot compared with the
// live org, record by record, into a plan folder (src/restore/contracts.ts) that says what applying
// would do to each record and why. Nothing is written to the org.
//
// Per object the org's current rows (Recycle Bin included) are read with the same queryAll the
// backup runs and kept on disk (plan-live.ts); the snapshot is then streamed bucket file by bucket
// file and each of its rows looked up there. Memory holds a batch of rows, never an object.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OrgSession } from '../salesforce/auth/connection.ts';
import { SalesforceApi } from '../salesforce/export/api-client.ts';
import { ApiBudget } from '../salesforce/export/budget.ts';
import type { BulkTuning } from '../salesforce/export/bulk-export.ts';
import { MAX_IDS_BY_REST, readLiveRecords } from '../salesforce/export/live-records.ts';
import { SalesforceHttpError } from '../salesforce/export/retry.ts';
import type { ObjectSchema } from '../snapshot/contracts.ts';
import { loadManifest, readObjectSchema, verifySnapshot } from '../snapshot/index.ts';
import type { PlanObject, RecordAction, RestoreMode, RestorePlan, RestoreSelection, SkipReason } from './contracts.ts';
import { AUDIT_FIELDS, chooseFields, externalIdFieldOf, fieldsFor } from './fields.ts';
import { compileFilter, type RecordFilter } from './filter/index.ts';
import { EarlierIdMap, identityOf } from './idmap.ts';
import { checkMaskRules, createMasker, type Masker, maskKeyFor } from './mask.ts';
import { writeOrder } from './order.ts';
import { CsvOut } from './plan-csv.ts';
import { RestorePlanError } from './plan-errors.ts';
import { LiveStore } from './plan-live.ts';
import { later, sameValue } from './plan-values.ts';
import { mapReferences, REFERENCES_FILE, type ReferenceSummary, type RestoredObject } from './references.ts';
import { snapshotRows } from './rows.ts';

export interface PlanLog {
  info(message: string): void;
  warning(message: string): void;
}

export interface PlanInput {
  /** The snapshot: its folder, `<alias>/`, `latest` or a folder holding one (as `verify` takes). */
  snapshotDir: string;
  alias?: string;
  /** The org the restore would write to. */
  session: OrgSession;
  mode: RestoreMode;
  selection: RestoreSelection;
  /** Where plan.json and the CSVs go (created; an earlier plan's plan.json and CSVs there are replaced). */
  planDir: string;
  /** Scratch space for the live copy of each object; left as it was found. */
  workDir: string;
  log: PlanLog;
  /** Bulk query knobs (tests, benchmarks). */
  tuning?: BulkTuning;
  /**
   * The key of `fake` and `hash` masking (selection.mask); derived from the two orgs' Ids when
   * absent. Applying must be given the same key.
   */
  maskKey?: string;
  /**
   * The results folder an earlier run of this restore left (its Id map): records it re-created are
   * not planned again, and lookups to them compare by their new Ids.
   */
  earlierResults?: string;
  /** The share of the org's daily API allowance planning may spend (default 0.5, as a backup). */
  apiBudgetShare?: number;
  now?: () => Date;
}

/** What plan.json holds beyond the contract: readers that do not know these fields ignore them. */
export interface PlanExtras {
  /** Cycles broken to order the objects (their lookups are set in a second pass). */
  notes?: string[];
  /** Into another org: how the references of the restored records were resolved (references.csv per record). */
  referenceSummary?: ReferenceSummary;
}

export interface PlanObjectExtras {
  /**
   * Rows the snapshot holds from the Recycle Bin (IsDeleted): they were not live when the snapshot
   * was taken, so a restore leaves them out.
   */
  deletedInSnapshot?: number;
  /** Per field, how many records an update (or upsert) would change: the changes CSV, counted. */
  changedFields?: Record<string, number>;
}

export type PlannedObject = PlanObject & PlanObjectExtras;
export type Plan = RestorePlan & PlanExtras & { objects: PlannedObject[] };

const ACTIONS: readonly RecordAction[] = ['undelete', 'create', 'update', 'upsert', 'skip'];

interface ObjectWork {
  name: string;
  schema: ObjectSchema;
  fields: string[];
  skippedFields: { name: string; why: string }[];
  /** Snapshot Ids (15-char) to restore; every row when undefined. */
  ids: Set<string> | undefined;
  /** The selection's condition over the snapshot's fields. */
  filter: RecordFilter | undefined;
  /** Upsert: the external id field. */
  key?: string;
  createable: boolean;
  updateable: boolean;
}

export async function planRestore(input: PlanInput): Promise<Plan> {
  const { mode, selection, log } = input;
  // A snapshot that fails verification is refused before anything else is read. Its files are
  // checked against the manifest's checksums (a byte changed anywhere is caught); re-parsing every
  // row as `sfbackup verify` does would cost seconds per 100,000 rows and catch nothing more here.
  const report = await verifySnapshot(input.snapshotDir, { ...(input.alias !== undefined ? { alias: input.alias } : {}), checksumsOnly: true });
  const snapDir = report.dir;
  const manifest = await loadManifest(snapDir);
  const api = new SalesforceApi(input.session.conn, new ApiBudget(input.apiBudgetShare ?? 0.5));

  const names = selectObjects(manifest.objects, selection);
  const schemas = new Map<string, ObjectSchema>();
  for (const name of names) schemas.set(name, await readObjectSchema(snapDir, name));
  checkFieldNames(selection.fields, schemas);
  const keys = mode === 'upsert' ? externalIds(selection.externalIdField, schemas) : new Map<string, string>();
  const ids = idsByObject(selection.ids, schemas, selection.objects !== undefined, log);
  const selected = selection.ids !== undefined && selection.objects === undefined ? names.filter((n) => ids.has(n)) : names;

  checkMaskRules(selection.mask, new Map(selected.map((n) => [n, schemas.get(n) as ObjectSchema])), keys);
  // Compiled for every object before the org is read: a filter that cannot hold fails first.
  const startedAt = input.now?.() ?? new Date();
  const filters = new Map<string, RecordFilter>();
  if (selection.where) {
    for (const n of selected) {
      const schema = schemas.get(n) as ObjectSchema;
      filters.set(n, compileFilter(selection.where, n, new Map(schema.fields.map((f) => [f.name, f.type])), startedAt));
    }
  }
  const sameOrg = input.session.orgId.slice(0, 15) === manifest.orgId.slice(0, 15);
  const masker = createMasker(selection.mask, schemas, input.maskKey ?? maskKeyFor(manifest.orgId, input.session.orgId));
  const { order, notes } = writeOrder(selected.map((n) => schemas.get(n) as ObjectSchema));
  await mkdir(input.planDir, { recursive: true });
  // An earlier plan in the same folder is replaced; nothing else there is touched.
  for (const f of await readdir(input.planDir)) if (f === 'plan.json' || f.endsWith('.csv')) await rm(join(input.planDir, f), { force: true });
  await mkdir(input.workDir, { recursive: true });

  const earlier = input.earlierResults
    ? EarlierIdMap.open(
        input.earlierResults,
        identityOf({ target: { orgId: input.session.orgId }, snapshot: { orgId: manifest.orgId, finishedAt: manifest.finishedAt } }),
      )
    : undefined;
  const objects: PlannedObject[] = [];
  try {
    for (const name of order) {
      const schema = schemas.get(name) as ObjectSchema;
      const { names: liveFields, auditCreateable } = await describeLive(api, name);
      const only = selection.fields ? fieldsFor(name, selection.fields) : undefined;
      const choice = chooseFields(schema.fields, mode, only, liveFields, auditCreateable);
      const key = keys.get(name);
      if (key !== undefined && !choice.fields.includes(key)) choice.fields.push(key);
      const work: ObjectWork = {
        name,
        schema,
        fields: choice.fields,
        skippedFields: choice.skipped,
        ids: ids.get(name),
        filter: filters.get(name),
        ...(key !== undefined ? { key } : {}),
        createable: schema.fields.some((f) => f.createable),
        updateable: schema.fields.some((f) => f.updateable),
      };
      objects.push(await planObject(api, work, input, snapDir, manifest.finishedAt, liveFields, masker, earlier));
      const o = objects[objects.length - 1] as PlannedObject;
      log.info(
        `${name}: ${
          ACTIONS.filter((a) => o.counts[a] > 0)
            .map((a) => `${o.counts[a]} ${a}`)
            .join(', ') || 'no records selected'
        }.`,
      );
    }
  } finally {
    earlier?.close();
  }

  // Into another org, what the restored records point at is looked up there (references.ts).
  let referenceSummary: ReferenceSummary | undefined;
  if (!sameOrg) {
    const snapshotSchemas = new Map<string, ObjectSchema>();
    for (const o of manifest.objects) if (o.status === 'ok') snapshotSchemas.set(o.name, schemas.get(o.name) ?? (await readObjectSchema(snapDir, o.name)));
    const restored: RestoredObject[] = objects.map((o) => ({
      name: o.name,
      schema: schemas.get(o.name) as ObjectSchema,
      fields: o.fields,
      records: o.records,
    }));
    referenceSummary = await mapReferences({
      api,
      session: input.session,
      snapDir,
      alias: manifest.alias,
      snapshotSchemas,
      restored,
      keys,
      mapping: selection.mapping ?? {},
      planDir: input.planDir,
      workDir: input.workDir,
      log,
    });
  }

  const plan: Plan = {
    formatVersion: 1,
    mode,
    createdAt: startedAt.toISOString(),
    snapshot: { dir: snapDir, alias: manifest.alias, orgId: manifest.orgId, finishedAt: manifest.finishedAt },
    target: { orgId: input.session.orgId, instanceUrl: input.session.instanceUrl, sameOrg },
    selection,
    order,
    objects,
    ...(referenceSummary ? { references: REFERENCES_FILE, referenceSummary } : {}),
    ...(notes.length > 0 ? { notes } : {}),
  };
  await writeFile(join(input.planDir, 'plan.json'), `${JSON.stringify(plan, null, 2)}\n`);
  return plan;
}

/** The objects to plan: the selection's (checked against the snapshot) or every complete one. */
function selectObjects(entries: readonly { name: string; status: 'ok' | 'failed' }[], selection: RestoreSelection): string[] {
  const ok = entries.filter((o) => o.status === 'ok').map((o) => o.name);
  if (selection.objects === undefined) return ok;
  const byLower = new Map(ok.map((n) => [n.toLowerCase(), n]));
  const unknown: string[] = [];
  const out: string[] = [];
  for (const asked of selection.objects) {
    const name = byLower.get(asked.toLowerCase());
    if (name === undefined) unknown.push(asked);
    else if (!out.includes(name)) out.push(name);
  }
  if (unknown.length > 0) {
    const failed = entries.filter((o) => o.status !== 'ok' && unknown.some((u) => u.toLowerCase() === o.name.toLowerCase())).map((o) => o.name);
    throw new RestorePlanError({
      reason: 'unknown_object',
      message: `The snapshot has no ${failed.length > 0 ? 'complete data for' : 'object'} ${unknown.join(', ')}${failed.length > 0 ? ` (${failed.join(', ')} failed in that backup)` : ''}. It has: ${ok.join(', ') || 'no complete object'}.`,
      remedy: 'Name objects the snapshot holds (API names, as listed), or pick an earlier snapshot that has them.',
    });
  }
  return out;
}

function checkFieldNames(fields: readonly string[] | undefined, schemas: ReadonlyMap<string, ObjectSchema>): void {
  if (fields === undefined) return;
  const unknown: string[] = [];
  for (const f of fields) {
    const dot = f.indexOf('.');
    const has = (s: ObjectSchema | undefined, name: string) => s?.fields.some((x) => x.name === name) === true;
    if (dot < 0) {
      if (![...schemas.values()].some((s) => has(s, f))) unknown.push(f);
    } else if (!has(schemas.get(f.slice(0, dot)), f.slice(dot + 1))) unknown.push(f);
  }
  if (unknown.length > 0) {
    throw new RestorePlanError({
      reason: 'unknown_field',
      message: `No object of the restore has the field${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')} in the snapshot.`,
      remedy: 'Name fields as Object.Field (or Field, for every object that has it) of the selected objects; schema/<Object>.json of the snapshot lists them.',
    });
  }
}

/** Upsert: each object's external id field (`Object.Field` entries, or one name for all, comma-separated). */
function externalIds(spec: string | undefined, schemas: ReadonlyMap<string, ObjectSchema>): Map<string, string> {
  const out = new Map<string, string>();
  const problems: string[] = [];
  for (const [name, schema] of schemas) {
    const mine = externalIdFieldOf(spec, name);
    const field = mine === undefined ? undefined : schema.fields.find((f) => f.name === mine);
    if (mine === undefined) problems.push(`${name} has no external id field named`);
    else if (!field) problems.push(`${name} has no field ${mine}`);
    else if (!field.externalId) problems.push(`${name}.${mine} is not an external id field`);
    else out.set(name, mine);
  }
  if (problems.length > 0) {
    throw new RestorePlanError({
      reason: 'bad_selection',
      message: `An upsert needs an external id field for every object: ${problems.join('; ')}.`,
      remedy: 'Pass the external id field as Object.Field for each object (comma-separated), or one field name every object has.',
    });
  }
  return out;
}

/** The selection's Ids per object by key prefix (15-char form); objects without any are absent. */
function idsByObject(
  ids: readonly string[] | undefined,
  schemas: ReadonlyMap<string, ObjectSchema>,
  explicitObjects: boolean,
  log: PlanLog,
): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  if (ids === undefined) return out;
  const unmatched: string[] = [];
  for (const raw of ids) {
    const id = raw.trim();
    if (!/^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/.test(id)) {
      throw new RestorePlanError({
        reason: 'bad_selection',
        message: `${raw} is not a Salesforce record Id.`,
        remedy: 'Pass record Ids of 15 or 18 characters.',
      });
    }
    const owners = [...schemas.values()].filter((s) => s.keyPrefix !== null && id.startsWith(s.keyPrefix));
    if (owners.length === 0) unmatched.push(id);
    for (const s of owners) {
      const set = out.get(s.name) ?? new Set<string>();
      set.add(id.slice(0, 15));
      out.set(s.name, set);
    }
  }
  // An object named with Ids none of which are its own restores nothing, rather than everything.
  if (explicitObjects) for (const name of schemas.keys()) if (!out.has(name)) out.set(name, new Set());
  if (unmatched.length > 0) {
    log.warning(
      `${unmatched.length} Id${unmatched.length === 1 ? '' : 's'} belong to no selected object and are left out: ${unmatched.slice(0, 10).join(', ')}${unmatched.length > 10 ? ', …' : ''}.`,
    );
  }
  return out;
}

/**
 * The object's field names in the target org now, and the audit fields this user may set on insert
 * there ("Set Audit Fields upon Record Creation" makes them createable); the object must be there.
 */
async function describeLive(api: SalesforceApi, name: string): Promise<{ names: Set<string>; auditCreateable: Set<string> }> {
  try {
    const d = await api.json<{ fields?: { name?: unknown; createable?: unknown }[] }>({ path: `/sobjects/${name}/describe`, label: `the describe of ${name}` });
    const fields = (d.fields ?? []).filter((f): f is { name: string; createable?: unknown } => typeof f.name === 'string');
    return {
      names: new Set(fields.map((f) => f.name)),
      auditCreateable: new Set(fields.filter((f) => f.createable === true && AUDIT_FIELDS.has(f.name)).map((f) => f.name)),
    };
  } catch (err) {
    if (err instanceof SalesforceHttpError && err.status === 404) {
      throw new RestorePlanError({
        reason: 'object_not_in_org',
        message: `The target org has no object ${name} (or the user cannot see it).`,
        remedy: `Leave ${name} out of the restore, or deploy it (and grant access to it) in the target org first.`,
        cause: err,
      });
    }
    throw err;
  }
}

function emptyCounts(): Record<RecordAction, number> {
  return { undelete: 0, create: 0, update: 0, upsert: 0, skip: 0 };
}

async function planObject(
  api: SalesforceApi,
  w: ObjectWork,
  input: PlanInput,
  snapDir: string,
  finishedAt: string,
  liveFields: ReadonlySet<string>,
  masker: Masker,
  earlier: EarlierIdMap | undefined,
): Promise<PlannedObject> {
  const { mode } = input;
  const types = new Map(w.schema.fields.map((f) => [f.name, f.type]));
  // Missing mode only needs to know where each record is; the others compare the written fields.
  const compared = mode === 'missing' ? [] : w.fields;
  const query = ['Id', ...compared, ...['IsDeleted', 'SystemModstamp'].filter((f) => liveFields.has(f))].filter((f, i, all) => all.indexOf(f) === i);
  const at = (f: string) => query.indexOf(f);
  const store = new LiveStore(join(input.workDir, `live-${w.name}.sqlite`), w.key !== undefined ? at(w.key) : -1);
  const records = new CsvOut(join(input.planDir, `${w.name}.csv`), ['Id', 'action', 'reason']);
  const changes = mode === 'missing' ? undefined : new CsvOut(join(input.planDir, `${w.name}.changes.csv`), ['Id', 'field', 'before', 'after']);
  const counts = emptyCounts();
  const skipped: Partial<Record<SkipReason, number>> = {};
  let deletedInSnapshot = 0;
  const changedFields: Record<string, number> = {};
  const change = async (id: string, c: readonly string[]): Promise<void> => {
    const field = c[0] as string;
    changedFields[field] = (changedFields[field] ?? 0) + 1;
    await changes?.row([id, ...c]);
  };
  try {
    // Upsert matches by key, not Id, so it always needs the whole object.
    const byIds = w.ids !== undefined && w.ids.size <= MAX_IDS_BY_REST && mode !== 'upsert';
    if (!byIds || (w.ids?.size ?? 0) > 0) {
      await readLiveRecords(
        api,
        { object: w.name, fields: query, types, ...(byIds && w.ids ? { ids: [...w.ids] } : {}), ...(input.tuning ?? {}) },
        async (rows) => store.add(rows),
      );
    }
    store.indexKeys();

    const stampAt = at('SystemModstamp');
    const decide = async (row: Record<string, string>): Promise<[RecordAction, SkipReason | '']> => {
      const id = row.Id ?? '';
      if (mode === 'upsert') {
        const key = row[w.key as string] ?? '';
        if (key === '') return ['skip', 'no_external_id'];
        const live = store.getByKey(key);
        if (live && (await diff(id, row, live.cells)) === 0) return ['skip', 'unchanged'];
        return ['upsert', ''];
      }
      const live = store.get(id);
      if (mode === 'missing') {
        if (live && !live.deleted) return ['skip', 'exists'];
        if (!live && earlier?.newId(id)) return ['skip', 'restored_earlier'];
        if (!w.createable) return ['skip', 'not_createable'];
        return live ? ['undelete', ''] : ['create', ''];
      }
      if (!live) return ['skip', 'not_in_org'];
      if (live.deleted) return ['skip', 'deleted_in_org'];
      if (!w.updateable) return ['skip', 'not_updateable'];
      const pending: string[][] = [];
      if (countDiffs(row, live.cells, pending) === 0) return ['skip', 'unchanged'];
      const stamp = stampAt >= 0 ? (live.cells[stampAt] ?? '') : '';
      if (!input.selection.overwriteNewer && later(stamp, finishedAt)) return ['skip', 'changed_after_snapshot'];
      for (const c of pending) await change(id, c);
      return ['update', ''];
    };
    const countDiffs = (row: Record<string, string>, cells: readonly string[], into: string[][]): number => {
      for (const f of compared) {
        const before = cells[at(f)] ?? '';
        const after = row[f] ?? '';
        if (!sameValue(before, after, types.get(f))) into.push([f, before, after]);
      }
      return into.length;
    };
    const diff = async (id: string, row: Record<string, string>, cells: readonly string[]): Promise<number> => {
      const pending: string[][] = [];
      const n = countDiffs(row, cells, pending);
      for (const c of pending) await change(id, c);
      return n;
    };

    const masked = masker.masks(w.name);
    const lookups =
      earlier && mode !== 'missing' ? w.schema.fields.filter((f) => f.referenceTo.length > 0 && compared.includes(f.name)).map((f) => f.name) : [];
    const relinked = (row: Record<string, string>): Record<string, string> => {
      if (lookups.length === 0) return row;
      const out = { ...row };
      for (const f of lookups) {
        const v = out[f];
        if (v) out[f] = earlier?.newId(v) ?? v;
      }
      return out;
    };
    for await (const snapRow of snapshotRows(snapDir, w.name)) {
      // Compared and written as the org will hold it: masked, and lookups to records an earlier
      // run re-created under their new Ids.
      const row = relinked(masked ? maskRow(masker, w.name, snapRow) : snapRow);
      const id = row.Id ?? '';
      if (w.ids !== undefined && !w.ids.has(id.slice(0, 15))) continue;
      if (w.filter && !w.filter(snapRow)) continue;
      if (row.IsDeleted === 'true') {
        deletedInSnapshot++;
        continue;
      }
      const [action, reason] = await decide(row);
      counts[action]++;
      if (reason !== '') skipped[reason] = (skipped[reason] ?? 0) + 1;
      await records.row([id, action, reason]);
    }
    await records.close();
    await changes?.close();
  } catch (err) {
    records.destroy();
    changes?.destroy();
    throw err;
  } finally {
    store.close();
  }
  return {
    name: w.name,
    counts,
    skipped,
    fields: w.fields,
    skippedFields: w.skippedFields,
    records: `${w.name}.csv`,
    ...(changes ? { changes: `${w.name}.changes.csv` } : {}),
    ...(deletedInSnapshot > 0 ? { deletedInSnapshot } : {}),
    ...(Object.keys(changedFields).length > 0 ? { changedFields: sortedKeys(changedFields) } : {}),
  };
}

function maskRow(masker: Masker, object: string, row: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(row)) out[k] = masker.apply(object, k, v);
  return out;
}

function sortedKeys(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
