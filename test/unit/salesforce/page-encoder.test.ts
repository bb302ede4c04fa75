// The one-pass page encoder must give exactly the bytes of the general path (parse every cell,
// encode every row): same records, keys, flags, Ids, watermark, whatever the values and however
// the page is cut into chunks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CsvFormatError, CsvRecordStream } from '../../../src/salesforce/bulk-csv/csv-records.ts';
import { PageEncoder } from '../../../src/salesforce/bulk-csv/page-encoder.ts';
import { toByteString } from '../../../src/snapshot/bytes.ts';
import { type EncodedBatch, encodeRows, type RowLayout, RowShapeError } from '../../../src/snapshot/encoded.ts';

const VALUES = [
  '',
  'plain',
  'Comma, Inc.',
  'Quote "Unquote" Ltd',
  'Line one\nline two',
  'CRLF\r\nsecond',
  'lone\rCR',
  '  spaces  ',
  'Ünïcødé 東京 🚀',
  '=HYPERLINK("http://x")',
  '""',
  '"',
  ',',
  'true',
  '2026-10-03T06:11:03.763Z',
];

/** A deterministic generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x / 0x7fffffff;
  };
}

const FIELDS = ['Id', 'IsDeleted', 'Name', 'Description', 'SystemModstamp', 'Other'];

function layout(keyHex: number, wantIds = false): RowLayout {
  return { object: 'Account', width: FIELDS.length, isDeletedIndex: 1, stampIndex: 4, keyHex, wantIds };
}

/** Bulk-style CSV: every field quoted, LF line ends (or an unquoted empty field now and then). */
function page(rows: string[][], r: () => number, opts: { unquotedEmpty?: boolean; crlf?: boolean; bom?: boolean } = {}): Buffer {
  const cell = (v: string) => (opts.unquotedEmpty && v === '' && r() < 0.5 ? '' : `"${v.replaceAll('"', '""')}"`);
  const eol = opts.crlf ? '\r\n' : '\n';
  const text = [FIELDS.map(cell).join(','), ...rows.map((row) => row.map(cell).join(','))].join(eol) + eol;
  return Buffer.concat([opts.bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(text, 'utf8')]);
}

function rows(n: number, r: () => number): string[][] {
  const pick = () => VALUES[Math.floor(r() * VALUES.length)] as string;
  return Array.from({ length: n }, (_, i) => [
    `001A${String(i).padStart(11, '0')}AAA`,
    r() < 0.2 ? 'true' : 'false',
    pick(),
    `${pick()}${pick()}`,
    r() < 0.1 ? '' : `2026-10-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}T06:11:03.763Z`,
    pick(),
  ]);
}

function cut(buf: Buffer, r: () => number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < buf.length; ) {
    const n = 1 + Math.floor(r() * 700);
    out.push(buf.subarray(at, at + n));
    at += n;
  }
  return out;
}

function concat(batches: EncodedBatch[]): { bytes: Buffer; count: number; maxStamp: string | null; ids: string[] } {
  let maxStamp: string | null = null;
  for (const b of batches) if (b.maxStamp !== null && (maxStamp === null || b.maxStamp > maxStamp)) maxStamp = b.maxStamp;
  return {
    bytes: Buffer.concat(batches.map((b) => Buffer.from(b.bytes))),
    count: batches.reduce((n, b) => n + b.count, 0),
    maxStamp,
    ids: batches.flatMap((b) => b.ids ?? []),
  };
}

function viaEncoder(chunks: Buffer[], l: RowLayout, reuseBuffer: boolean): { header: string[] | undefined; all: ReturnType<typeof concat> } {
  const enc = new PageEncoder(l, { reuseBuffer });
  const batches: EncodedBatch[] = [];
  let header: string[] | undefined;
  const take = (c: { header?: string[]; batch: EncodedBatch }) => {
    if (c.header) header = c.header;
    // Copy now: with reuseBuffer the next push writes over the same memory.
    batches.push({ ...c.batch, bytes: Buffer.from(c.batch.bytes) });
  };
  for (const c of chunks) take(enc.push(c));
  take(enc.end());
  return { header, all: concat(batches) };
}

function viaGeneral(buf: Buffer, l: RowLayout): { header: string[] | undefined; all: ReturnType<typeof concat> } {
  const p = new CsvRecordStream({ as: 'bytes' });
  const records = [...p.push(buf), ...p.end()];
  const [header, ...data] = records;
  return { header, all: concat([encodeRows(data, l)]) };
}

describe('page encoder', () => {
  for (const [name, opts] of [
    ['Bulk CSV (every field quoted, LF)', {}],
    ['unquoted empty fields', { unquotedEmpty: true }],
    ['CRLF line ends and a byte order mark', { crlf: true, bom: true }],
  ] as const) {
    it(`gives the general path's bytes for ${name}, in any chunking`, () => {
      for (let seed = 1; seed <= 25; seed++) {
        const r = rng(seed);
        const buf = page(rows(40, r), r, opts);
        for (const keyHex of [0, 1, 2]) {
          const l = layout(keyHex, seed % 2 === 0);
          const expected = viaGeneral(buf, l);
          for (const reuse of [false, true]) {
            const got = viaEncoder(cut(buf, r), l, reuse);
            assert.deepEqual(got.header, expected.header, `seed ${seed}`);
            assert.equal(got.all.count, expected.all.count, `seed ${seed}`);
            assert.ok(got.all.bytes.equals(expected.all.bytes), `seed ${seed} keyHex ${keyHex}: bytes differ`);
            assert.equal(got.all.maxStamp, expected.all.maxStamp);
            assert.deepEqual(got.all.ids, expected.all.ids);
          }
        }
      }
    });
  }

  it('keeps values as UTF-8 bytes', () => {
    const r = rng(7);
    const buf = page([['001A00000000001AAA', 'false', 'Ünïcødé 東京 🚀', 'x', '', 'y']], r);
    const got = viaEncoder([buf], layout(0), false);
    assert.ok(got.all.bytes.includes(Buffer.from(toByteString('Ünïcødé 東京 🚀'), 'latin1')));
    assert.ok(got.all.bytes.includes(Buffer.from('Ünïcødé 東京 🚀', 'utf8')));
  });

  it('refuses a row of the wrong width and a page cut inside a quoted field', () => {
    const short = Buffer.from(`${FIELDS.map((f) => `"${f}"`).join(',')}\n"001A00000000001AAA","false"\n`);
    assert.throws(() => viaEncoder([short], layout(1), false), RowShapeError);
    const open = Buffer.from(`${FIELDS.map((f) => `"${f}"`).join(',')}\n"001A00000000001AAA","false","unterminated`);
    assert.throws(() => viaEncoder([open], layout(1), false), CsvFormatError);
  });
});
