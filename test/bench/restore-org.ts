// The org side of the restore benchmark: how big an emulated org must be for N restorable records,
// a minimal Bulk API 2.0 ingest client for the bench's own writes (the mass delete), and REST
// queries to count and look at records. Nothing here is timed.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { planRecords } from '../emulators/salesforce/store/generator.ts';
import { api, type Session } from './org.ts';

/** The objects the benchmark deletes and restores: Accounts (some with a parent Account), their Contacts and Opportunities. */
export const RESTORED = ['Account', 'Contact', 'Opportunity'] as const;

/** Share of generated rows the generator puts in the Recycle Bin (store/generator.ts DELETED_SHARE). */
const GENERATED_DELETED_SHARE = 0.02;

/**
 * The `--records` to give the emulator so that about `n` live rows of Account, Contact and
 * Opportunity exist: the generator spreads its rows over a dozen objects by fixed weights.
 */
export function generatorRecordsFor(n: number): number {
  const target = Math.ceil(n / (1 - GENERATED_DELETED_SHARE));
  const planned = (m: number) => {
    const p = planRecords(m);
    return p.Account + p.Contact + p.Opportunity;
  };
  let m = Math.max(50, Math.ceil(target / 0.41));
  for (let k = 0; k < 20; k++) {
    const got = planned(m);
    if (got === target) break;
    const next = Math.max(50, m + Math.round((target - got) / 0.41) || (got < target ? 1 : -1));
    if (next === m) break;
    m = next;
  }
  return m;
}

const jobSchema = z.looseObject({
  id: z.string(),
  state: z.string(),
  numberRecordsProcessed: z.number().optional(),
  numberRecordsFailed: z.number().optional(),
  errorMessage: z.string().optional(),
});
export type IngestJob = z.infer<typeof jobSchema>;

async function ok(res: Response, what: string): Promise<Response> {
  if (!res.ok) throw new Error(`${what}: ${res.status} ${(await res.text()).slice(0, 500)}`);
  return res;
}

/** One Bulk API 2.0 ingest job over a CSV file (LF, comma), polled until it ends. */
export async function ingestFile(s: Session, object: string, operation: 'insert' | 'delete' | 'hardDelete', file: string): Promise<IngestJob> {
  const created = await ok(
    await api(s, '/jobs/ingest', {
      method: 'POST',
      body: JSON.stringify({ object, operation, contentType: 'CSV', lineEnding: 'LF', columnDelimiter: 'COMMA' }),
    }),
    `create ${operation} job for ${object}`,
  );
  const { id } = jobSchema.parse(await created.json());
  await ok(
    await api(s, `/jobs/ingest/${id}/batches`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: readFileSync(file) }),
    `upload to ${id}`,
  ).then((r) => r.body?.cancel());
  await ok(await api(s, `/jobs/ingest/${id}`, { method: 'PATCH', body: JSON.stringify({ state: 'UploadComplete' }) }), `close ${id}`).then((r) =>
    r.body?.cancel(),
  );
  for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
    const job = jobSchema.parse(await (await ok(await api(s, `/jobs/ingest/${id}`), `poll ${id}`)).json());
    if (job.state === 'JobComplete' || job.state === 'Failed' || job.state === 'Aborted') {
      // The emulator keeps a job's upload and results in memory until it is deleted.
      if (job.state === 'JobComplete' && !job.numberRecordsFailed) (await api(s, `/jobs/ingest/${id}`, { method: 'DELETE' })).body?.cancel();
      return job;
    }
    await sleep(delay);
  }
}

/** The first lines of a job's failed results, for an error message. */
export async function failedSample(s: Session, jobId: string, lines = 5): Promise<string> {
  const res = await api(s, `/jobs/ingest/${jobId}/failedResults`, { headers: { accept: 'text/csv' } });
  return (await res.text())
    .split('\n')
    .slice(0, lines + 1)
    .join('\n');
}

const countSchema = z.object({ totalSize: z.number() });

/** `SELECT COUNT() FROM object`: live rows, or with `all` the Recycle Bin's too (queryAll). */
export async function countRows(s: Session, object: string, all = false): Promise<number> {
  const res = await ok(await api(s, `/${all ? 'queryAll' : 'query'}?q=${encodeURIComponent(`SELECT COUNT() FROM ${object}`)}`), `count ${object}`);
  return countSchema.parse(await res.json()).totalSize;
}

const recordsSchema = z.object({ records: z.array(z.record(z.string(), z.unknown())) });

/** The given fields of the records with these Ids (live ones only), 100 Ids per query. */
export async function recordsByIds(s: Session, object: string, fields: string[], ids: string[]): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < ids.length; i += 100) {
    const list = ids
      .slice(i, i + 100)
      .map((id) => `'${id}'`)
      .join(',');
    const soql = `SELECT ${['Id', ...fields].join(', ')} FROM ${object} WHERE Id IN (${list})`;
    const res = await ok(await api(s, `/query?q=${encodeURIComponent(soql)}`), `query ${object}`);
    out.push(...recordsSchema.parse(await res.json()).records);
  }
  return out;
}
