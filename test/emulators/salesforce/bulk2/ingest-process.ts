// Processing an ingest job's upload: whole-job checks first (CSV, line ending, header), then every
// row through the record-write layer with `source: 'csv'`; one failing row never stops the others.
import { ApiError } from '../http/respond.ts';
import type { Org } from '../model.ts';
import { getField, getObject, type ObjectDef, type Schema } from '../schema/types.ts';
import type { EmulatorState } from '../state.ts';
import { deleteRecord, insertRecord, type SaveError, type SaveResult, updateRecord, upsertRecord } from '../store/dml.ts';
import { FieldValueError } from '../store/values.ts';
import { COLUMN_DELIMITERS, CsvInputError, csvLine, firstLineEnding, LINE_ENDINGS, parseCsv } from './csv.ts';
import { type IngestJob, type IngestResults, touch } from './jobs.ts';

/** Salesforce splits an upload into internal batches of this many rows. */
const BATCH_ROWS = 10000;

interface Upload {
  header: string[];
  rows: string[][];
}

class JobFailure extends Error {}

function readUpload(job: IngestJob): Upload {
  const buf = job.uploads[0];
  if (!buf || buf.length === 0) return { header: [], rows: [] };
  const text = buf.toString('utf8');
  const records = parseCsv(text, COLUMN_DELIMITERS[job.columnDelimiter]);
  const header = records[0] ?? [];
  const width = header.length;
  const rows = records.slice(1).map((r) => (r.length === width ? r : Array.from({ length: width }, (_, i) => r[i] ?? '')));
  return { header, rows };
}

/** Whether a header names something the object can take: a field, or `Rel.ExtField` / `Rel:Type.ExtField`. */
function knownColumn(schema: Schema, obj: ObjectDef, name: string): boolean {
  if (getField(obj, name)) return true;
  const dot = name.indexOf('.');
  if (dot <= 0) return false;
  const [rel, type] = name.slice(0, dot).split(':');
  const ref = obj.relationshipMap.get((rel ?? '').toLowerCase());
  if (!ref) return false;
  const targetName = type ?? ref.referenceTo[0] ?? '';
  if (type && !ref.referenceTo.some((t) => t.toLowerCase() === type.toLowerCase())) return false;
  const target = getObject(schema, targetName);
  return target !== undefined && getField(target, name.slice(dot + 1)) !== undefined;
}

function checkHeader(job: IngestJob, schema: Schema, obj: ObjectDef, header: string[]): void {
  const seen = new Set<string>();
  for (const h of header) {
    if (!knownColumn(schema, obj, h)) throw new JobFailure(`InvalidBatch : Field name not found : ${h}`);
    const key = h.toLowerCase();
    if (seen.has(key)) throw new JobFailure(`InvalidBatch : Duplicate field name: ${h}`);
    seen.add(key);
  }
  const has = (name: string) => seen.has(name.toLowerCase());
  if ((job.operation === 'update' || job.operation === 'delete' || job.operation === 'hardDelete') && !has('Id')) {
    throw new JobFailure(`InvalidBatch : Id field is required for ${job.operation}`);
  }
  if (job.operation === 'upsert' && job.externalIdFieldName && !has(job.externalIdFieldName)) {
    throw new JobFailure(`InvalidBatch : External ID field ${job.externalIdFieldName} is required for upsert`);
  }
}

/** `CODE:message:Field1,Field2 --`, or `CODE:message:--` without fields (Salesforce's sf__Error). */
export function formatError(e: SaveError): string {
  return `${e.statusCode}:${e.message}:${e.fields.length ? `${e.fields.join(',')} --` : '--'}`;
}

function thrownToResult(err: unknown): SaveResult {
  if (err instanceof FieldValueError) return { success: false, errors: [{ statusCode: err.statusCode, message: err.message, fields: err.fields }] };
  if (err instanceof ApiError) return { success: false, errors: [{ statusCode: err.errorCode, message: err.message, fields: err.fields ?? [] }] };
  process.stderr.write(`emulator: bulk ingest row failed: ${(err as Error).stack ?? String(err)}\n`);
  return { success: false, errors: [{ statusCode: 'UNKNOWN_EXCEPTION', message: (err as Error).message, fields: [] }] };
}

function missingId(operation: string): SaveResult {
  return { success: false, errors: [{ statusCode: 'MISSING_ARGUMENT', message: `Id not specified in an ${operation} call`, fields: [] }] };
}

function processRow(org: Org, obj: ObjectDef, job: IngestJob, keys: string[], cells: string[], userId: string): SaveResult {
  const opts = { userId, source: 'csv' as const };
  const values: Record<string, unknown> = {};
  let id = '';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (key === 'Id') id = (cells[i] as string).trim();
    values[key] = cells[i];
  }
  try {
    switch (job.operation) {
      case 'insert':
        return insertRecord(org, obj, values, opts);
      case 'update': {
        if (!id) return missingId('update');
        delete values.Id;
        return updateRecord(org, obj, id, values, opts);
      }
      case 'upsert':
        return upsertRecord(org, obj, job.externalIdFieldName ?? 'Id', values, opts);
      case 'delete':
      case 'hardDelete':
        if (!id) return missingId('delete');
        return deleteRecord(org, obj, id, { ...opts, hard: job.operation === 'hardDelete' });
    }
  } catch (err) {
    return thrownToResult(err);
  }
}

function emptyResults(header: string[]): IngestResults {
  return { columns: header, successful: [], failed: [], unprocessed: [] };
}

/** Runs a closed ingest job to JobComplete or Failed and keeps its result files. */
export function runIngestJob(state: EmulatorState, org: Org, job: IngestJob): void {
  const delimiter = COLUMN_DELIMITERS[job.columnDelimiter];
  const eol = LINE_ENDINGS[job.lineEnding];
  const fail = (message: string, results: IngestResults) => {
    job.results = results;
    job.errorMessage = message;
    touch(state, job, 'Failed');
  };
  let upload: Upload;
  try {
    upload = readUpload(job);
  } catch (err) {
    if (err instanceof CsvInputError) {
      fail(`ClientInputError : ${err.message}`, emptyResults([]));
      return;
    }
    throw err;
  }
  const { header, rows } = upload;
  const results = emptyResults(header);
  const unprocessedAll = () => rows.map((r) => csvLine(r, delimiter, eol));
  const ending = firstLineEnding(job.uploads[0] ?? Buffer.alloc(0));
  if (ending && ending !== job.lineEnding) {
    fail(`ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is ${job.lineEnding}`, {
      ...results,
      unprocessed: unprocessedAll(),
    });
    return;
  }
  const obj = getObject(state.schema, job.object) as ObjectDef;
  try {
    checkHeader(job, state.schema, obj, header);
  } catch (err) {
    if (err instanceof JobFailure) {
      fail(err.message, { ...results, unprocessed: unprocessedAll() });
      return;
    }
    throw err;
  }
  // Plain fields go to the write layer under their API names; relationship paths as written.
  const keys = header.map((h) => (h.includes('.') ? h : (getField(obj, h)?.name ?? h)));
  const userId = job.createdById;
  const forced = job.directives.fail !== undefined || job.directives.failAfterRows !== undefined;
  const stopAt = forced ? Math.min(rows.length, job.directives.failAfterRows ?? 0) : rows.length;
  for (let start = 0; start < stopAt; start += BATCH_ROWS) {
    const end = Math.min(stopAt, start + BATCH_ROWS);
    // One transaction per internal batch: the write layer nests a savepoint per row inside it.
    org.store.transaction(() => processBatch(start, end));
  }
  function processBatch(start: number, end: number): void {
    for (let i = start; i < end; i++) {
      const cells = rows[i] as string[];
      const r = processRow(org, obj, job, keys, cells, userId);
      if (r.success) {
        const created = job.operation === 'insert' || (job.operation === 'upsert' && r.created === true);
        results.successful.push(csvLine([r.id ?? '', created ? 'true' : 'false', ...cells], delimiter, eol));
      } else {
        const idCell = job.operation === 'insert' ? '' : (r.id ?? (keys.includes('Id') ? (cells[keys.indexOf('Id')] ?? '') : ''));
        const err = r.errors[0] ?? { statusCode: 'UNKNOWN_EXCEPTION', message: 'unknown error', fields: [] };
        results.failed.push(csvLine([idCell, formatError(err), ...cells], delimiter, eol));
        job.numberRecordsFailed++;
      }
      job.numberRecordsProcessed++;
    }
  }
  if (forced) {
    for (let i = stopAt; i < rows.length; i++) results.unprocessed.push(csvLine(rows[i] as string[], delimiter, eol));
    fail(job.directives.fail ?? 'InternalServerError : the job failed (emulator fault injection)', results);
    return;
  }
  job.results = results;
  touch(state, job, 'JobComplete');
}

/** The result files of a job that never ran (aborted): every uploaded row is unprocessed. */
export function abortedResults(job: IngestJob): IngestResults {
  const delimiter = COLUMN_DELIMITERS[job.columnDelimiter];
  const eol = LINE_ENDINGS[job.lineEnding];
  try {
    const { header, rows } = readUpload(job);
    return { columns: header, successful: [], failed: [], unprocessed: rows.map((r) => csvLine(r, delimiter, eol)) };
  } catch {
    return { columns: [], successful: [], failed: [], unprocessed: [] };
  }
}
