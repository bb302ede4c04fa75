// What the restore benchmark reads from the backup it made: the live Ids to delete, a sample of
// children and the parents they point at (to check the restore's remapping), and the same rows as
// flat CSV files for the Salesforce CLI. Every pass streams the snapshot; nothing is timed.
import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { encodeRow } from '../../src/snapshot/csv.ts';
import { loadManifest, readObjectRows, readObjectSchema } from '../../src/snapshot/index.ts';
import { resolveSnapshotDir } from '../../src/snapshot/manifest.ts';
import { RESTORED } from './restore-org.ts';
import type { ImportFile } from './sf-import.ts';

/** The lookup each restored object's sample is checked on. */
const CHECKED_LOOKUP: Record<(typeof RESTORED)[number], string> = { Account: 'ParentId', Contact: 'AccountId', Opportunity: 'AccountId' };
const SAMPLE_PER_OBJECT = 500;
/** One upload's worth, as the product cuts its jobs (src/salesforce/ingest/jobs.ts MAX_UPLOAD_BYTES). */
const MAX_FILE_BYTES = 100 * 1024 * 1024;

export interface SampleLink {
  object: string;
  field: string;
  oldId: string;
  parentOldId: string;
}

export interface SnapshotFacts {
  /** The snapshot folder itself (`<out>/<alias>/<time>`). */
  dir: string;
  /** Live rows per object: what the bench deletes and the restore must create. */
  live: Record<string, number>;
  /** Rows the snapshot holds from the Recycle Bin (a restore leaves them out). */
  deleted: Record<string, number>;
  /** Per object, a CSV of the live Ids (header `Id`), for the mass delete. */
  idFiles: Record<string, string>;
  /** Children with their lookup set, spread over each object. */
  sample: SampleLink[];
  /** Children whose parent is another restored record, per object and field. */
  links: Record<string, number>;
}

/** One pass per object: live Ids to a file, counts, and the sample. */
export async function readSnapshotFacts(out: string, workDir: string): Promise<SnapshotFacts> {
  const dir = resolveSnapshotDir(out);
  const manifest = await loadManifest(dir);
  const facts: SnapshotFacts = { dir, live: {}, deleted: {}, idFiles: {}, sample: [], links: {} };
  for (const object of RESTORED) {
    const entry = manifest.objects.find((o) => o.name === object);
    if (entry?.status !== 'ok') throw new Error(`the backup holds no complete ${object}`);
    const field = CHECKED_LOOKUP[object];
    const stride = Math.max(1, Math.floor(entry.rows / SAMPLE_PER_OBJECT));
    const file = path.join(workDir, `delete-${object}.csv`);
    const fd = openSync(file, 'w');
    let buf = 'Id\n';
    let live = 0;
    let deleted = 0;
    let links = 0;
    for await (const row of readObjectRows(dir, object)) {
      if (row.IsDeleted === 'true') {
        deleted++;
        continue;
      }
      const id = row.Id ?? '';
      buf += `${id}\n`;
      if (buf.length > 1 << 20) {
        writeSync(fd, buf);
        buf = '';
      }
      const parent = row[field] ?? '';
      if (parent !== '') {
        links++;
        if (live % stride === 0) facts.sample.push({ object, field, oldId: id, parentOldId: parent });
      }
      live++;
    }
    writeSync(fd, buf);
    closeSync(fd);
    facts.live[object] = live;
    facts.deleted[object] = deleted;
    facts.idFiles[object] = file;
    facts.links[`${object}.${field}`] = links;
  }
  return facts;
}

/** Old Id → new Id for the given old Ids, from the restore's idmap.csv (object,oldId,newId). */
export async function readIdMap(file: string, wanted: ReadonlySet<string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    const [, oldId, newId] = line.split(',');
    if (oldId && newId && wanted.has(oldId)) out.set(oldId, newId);
  }
  return out;
}

/** Per restored object, a CSV of the new Ids (header `Id`) from the restore's idmap.csv, to delete them again. */
export async function newIdFiles(idmap: string, workDir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const fds = new Map<string, { fd: number; buf: string }>();
  const lines = createInterface({ input: createReadStream(idmap), crlfDelay: Number.POSITIVE_INFINITY });
  let first = true;
  for await (const line of lines) {
    if (first) {
      first = false;
      continue;
    }
    const [object, , newId] = line.split(',');
    if (!object || !newId) continue;
    let out = fds.get(object);
    if (!out) {
      const file = path.join(workDir, `delete-new-${object}.csv`);
      files[object] = file;
      out = { fd: openSync(file, 'w'), buf: 'Id\n' };
      fds.set(object, out);
    }
    out.buf += `${newId}\n`;
    if (out.buf.length > 1 << 20) {
      writeSync(out.fd, out.buf);
      out.buf = '';
    }
  }
  for (const out of fds.values()) {
    writeSync(out.fd, out.buf);
    closeSync(out.fd);
  }
  return files;
}

/**
 * The restored rows flat for `sf data import bulk`: the fields the restore's plan writes for each
 * object, minus the lookups between the restored objects (the relationships sf cannot remap).
 * Lookups to records that stay in the org (owners, record types) are kept, as the restore keeps
 * them. Files are cut at one upload's worth.
 */
export async function writeFlatFiles(dir: string, planFields: Record<string, string[]>, workDir: string): Promise<{ files: ImportFile[]; dropped: string[] }> {
  const files: ImportFile[] = [];
  const dropped: string[] = [];
  const restored = new Set<string>(RESTORED);
  for (const object of RESTORED) {
    const schema = await readObjectSchema(dir, object);
    const relationship = new Set(schema.fields.filter((f) => f.referenceTo.some((t) => restored.has(t))).map((f) => f.name));
    const fields = (planFields[object] ?? []).filter((f) => !relationship.has(f));
    dropped.push(...(planFields[object] ?? []).filter((f) => relationship.has(f)).map((f) => `${object}.${f}`));
    const header = `${encodeRow(fields)}\n`;
    let part = 0;
    let fd = -1;
    let bytes = 0;
    let rows = 0;
    let buf = '';
    const close = () => {
      if (fd < 0) return;
      writeSync(fd, buf);
      buf = '';
      closeSync(fd);
      fd = -1;
    };
    for await (const row of readObjectRows(dir, object)) {
      if (row.IsDeleted === 'true') continue;
      const line = `${encodeRow(fields.map((f) => row[f] ?? ''))}\n`;
      const size = Buffer.byteLength(line);
      if (fd >= 0 && bytes + size > MAX_FILE_BYTES) close();
      if (fd < 0) {
        const file = path.join(workDir, `sf-${object}-${++part}.csv`);
        fd = openSync(file, 'w');
        writeSync(fd, header);
        bytes = Buffer.byteLength(header);
        files.push({ object, file, rows: 0 });
      }
      buf += line;
      bytes += size;
      rows++;
      (files[files.length - 1] as ImportFile).rows++;
      if (buf.length > 1 << 20) {
        writeSync(fd, buf);
        buf = '';
      }
    }
    close();
    if (rows === 0) throw new Error(`no live ${object} rows to load with sf`);
  }
  return { files, dropped };
}
