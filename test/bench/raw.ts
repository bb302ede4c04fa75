// The floor: the same Bulk 2.0 query jobs, several at a time, every results page streamed to its
// own file without parsing. Whatever a real exporter does on top of this is its overhead.
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { api, type BenchObject, type Session } from './org.ts';

const jobSchema = z.object({ id: z.string(), state: z.string(), errorMessage: z.string().optional() });

export interface RawOptions {
  session: Session;
  objects: BenchObject[];
  dir: string;
  concurrency: number;
  /** Sent as maxRecords when set; otherwise the server's default page size applies. */
  pageSize?: number;
}

async function exportObject(o: RawOptions, obj: BenchObject): Promise<number> {
  const created = await api(o.session, '/jobs/query', { method: 'POST', body: JSON.stringify({ operation: 'queryAll', query: obj.soql }) });
  if (!created.ok) throw new Error(`raw: create job for ${obj.name}: ${created.status} ${await created.text()}`);
  const { id } = jobSchema.parse(await created.json());
  for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
    const job = jobSchema.parse(await (await api(o.session, `/jobs/query/${id}`)).json());
    if (job.state === 'JobComplete') break;
    if (job.state === 'Failed' || job.state === 'Aborted') throw new Error(`raw: job ${obj.name} ${job.state}: ${job.errorMessage ?? ''}`);
    await sleep(delay);
  }
  let rows = 0;
  let locator: string | null = null;
  for (let page = 0; ; page++) {
    const q = new URLSearchParams();
    if (locator) q.set('locator', locator);
    if (o.pageSize) q.set('maxRecords', String(o.pageSize));
    const qs = q.size ? `?${q}` : '';
    const res = await api(o.session, `/jobs/query/${id}/results${qs}`, { headers: { accept: 'text/csv' } });
    if (!res.ok || !res.body) throw new Error(`raw: results of ${obj.name}: ${res.status}`);
    rows += Number(res.headers.get('sforce-numberofrecords') ?? 0);
    await pipeline(Readable.fromWeb(res.body as WebReadableStream), createWriteStream(path.join(o.dir, `${obj.name}.${page}.csv`)));
    const next = res.headers.get('sforce-locator');
    if (!next || next === 'null') break;
    locator = next;
  }
  return rows;
}

/** Exports every object with at most `concurrency` jobs in flight; returns the rows downloaded. */
export async function rawExport(o: RawOptions): Promise<number> {
  const queue = [...o.objects];
  let rows = 0;
  const worker = async () => {
    for (let obj = queue.shift(); obj; obj = queue.shift()) {
      // Not `rows += await …`: that reads `rows` before the await and loses the other workers' counts.
      const n = await exportObject(o, obj);
      rows += n;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, worker));
  return rows;
}
