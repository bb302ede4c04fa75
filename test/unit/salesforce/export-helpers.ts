// Shared by the exporter tests: an in-memory ObjectSink that behaves like the snapshot's (rows keyed
// by Id, incremental sinks merge into the previous run's rows), and the emulator's store as the truth.
import assert from 'node:assert/strict';
import type { ExportResult, IncrementalBase, SinkFactory } from '../../../src/salesforce/export/export.ts';
import { fromByteString } from '../../../src/snapshot/bytes.ts';
import type { ObjectExportInfo, ObjectSchema, ObjectSink } from '../../../src/snapshot/contracts.ts';
import { parseCsv } from '../../../src/snapshot/csv.ts';
import { forEachRecord } from '../../../src/snapshot/encoded.ts';
import type { Emulator } from '../../emulators/salesforce/emulator.ts';
import type { Org } from '../../emulators/salesforce/model.ts';
import { getObject } from '../../emulators/salesforce/schema/types.ts';
import { q } from '../../emulators/salesforce/store/db.ts';
import { type SqlValue, toCsv } from '../../emulators/salesforce/store/values.ts';

export interface MemObject {
  schema: ObjectSchema;
  rows: Map<string, string[]>;
  info?: ObjectExportInfo;
  aborted?: string;
  incremental: boolean;
  deleted: string[];
  /** Rows handed over, duplicates included. */
  written: number;
}

/** One run's sinks; `base` is the previous run's store to merge into. */
export class MemSnapshot {
  readonly objects = new Map<string, MemObject>();
  readonly startedAt = new Date().toISOString();
  private readonly base: MemSnapshot | undefined;

  constructor(base?: MemSnapshot) {
    this.base = base;
  }

  factory: SinkFactory = (schema, opts) => {
    const prev = this.base?.objects.get(schema.name);
    if (opts.incremental && !prev?.info) {
      const e = new Error(`${schema.name} is not in the base`);
      e.name = 'IncrementalNotPossibleError';
      throw e;
    }
    const obj: MemObject = {
      schema,
      rows: opts.incremental && prev ? new Map(prev.rows) : new Map(),
      incremental: opts.incremental,
      deleted: [],
      written: 0,
    };
    this.objects.set(schema.name, obj);
    const sink: ObjectSink = {
      async writeRows(rows) {
        obj.written += rows.length;
        for (const r of rows) {
          assert.equal(r.length, schema.fields.length, `${schema.name}: row width`);
          obj.rows.set(r[0] as string, r);
        }
      },
      async writeByteRows(rows) {
        await sink.writeRows(rows.map((r) => r.map(fromByteString)));
      },
      // Records arrive as snapshot CSV bytes (UTF-8): read back into cells the way a reader would.
      async writeEncoded(batch) {
        const rows: string[][] = [];
        forEachRecord(batch, (r, buf) => {
          rows.push(parseCsv(buf.toString('utf8', r.start, r.end))[0] ?? []);
        });
        await sink.writeRows(rows);
      },
      keyHex: 0,
      async deleteIds(ids) {
        for (const id of ids) obj.rows.delete(id);
        obj.deleted.push(...ids);
      },
      async close(info) {
        obj.info = info;
      },
      async abort(reason) {
        obj.aborted = reason;
        obj.rows.clear();
      },
    };
    return sink;
  };

  /** The manifest view exportOrg takes for an incremental run. */
  asBase(): IncrementalBase {
    return {
      startedAt: this.startedAt,
      objects: [...this.objects.values()].map((o) => ({
        name: o.schema.name,
        status: o.info && !o.aborted ? 'ok' : 'failed',
        fields: o.schema.fields.map((f) => f.name),
        watermark: o.info?.watermark ?? null,
      })),
    };
  }
}

export function orgOf(emu: Emulator, alias: string): Org {
  const org = [...emu.state.orgs.values()].find((o) => o.alias === alias);
  assert.ok(org, `no org ${alias}`);
  return org;
}

/** Every row of an object as the Bulk CSV would give it, keyed by Id, including the Recycle Bin. */
export function storeRows(org: Org, schema: ObjectSchema): Map<string, string[]> {
  const obj = getObject(org.store.schema, schema.name);
  assert.ok(obj, `no object ${schema.name} in the emulator`);
  const rows = org.store.db.prepare(`SELECT * FROM ${q(obj.name)}`).all() as Record<string, SqlValue>[];
  const out = new Map<string, string[]>();
  for (const row of rows) {
    const cells = schema.fields.map((f) => {
      const def = obj.fields.find((x) => x.name === f.name);
      assert.ok(def, `${schema.name}.${f.name} not in the emulator schema`);
      return def.stored ? toCsv(def, row[f.name] ?? null) : '\u0000unstored';
    });
    out.set(String(row.Id), cells);
  }
  return out;
}

/** Asserts the snapshot's rows equal the org's, cell for cell (fields the store computes are skipped). */
export function assertSameAsOrg(org: Org, snap: MemSnapshot, result: ExportResult): void {
  for (const r of result.objects) {
    assert.equal(r.status, 'ok', `${r.name}: ${r.error?.message}`);
    const got = snap.objects.get(r.name);
    assert.ok(got, `${r.name} has no sink`);
    const want = storeRows(org, got.schema);
    assert.equal(got.rows.size, want.size, `${r.name}: row count`);
    if (!got.incremental) assert.equal(got.written, want.size, `${r.name}: rows delivered once each`);
    assert.equal(got.info?.countCheck, want.size, `${r.name}: COUNT() check`);
    for (const [id, cells] of want) {
      const row = got.rows.get(id);
      assert.ok(row, `${r.name}: ${id} missing`);
      cells.forEach((c, i) => {
        if (c === '\u0000unstored') return;
        assert.equal(row[i], c, `${r.name}.${got.schema.fields[i]?.name} of ${id}`);
      });
    }
  }
}
