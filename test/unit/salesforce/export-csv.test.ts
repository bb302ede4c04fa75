// The exporter's CSV reader gives exactly what csv-parse gives for Bulk API 2.0's CSV dialect,
// however the bytes are split into chunks (multi-byte characters and quotes cut in half included).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { CsvFormatError, csvRecords } from '../../../src/salesforce/bulk-csv/csv-records.ts';

const NASTY = [
  '',
  ' ',
  'plain',
  'comma, inside',
  'quote " inside',
  '""',
  '"',
  'line\nbreak',
  'crlf\r\nbreak',
  'cr\ronly',
  'tab\tx',
  'Zoë 😀 日本語',
  ',',
  '\n',
  'trailing space ',
  "O'Brien",
];

function rows(n: number, seed: number): string[][] {
  let s = seed;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s;
  };
  return Array.from({ length: n }, (_, i) => [`001${String(i).padStart(15, '0')}`, ...Array.from({ length: 6 }, () => NASTY[rand() % NASTY.length] as string)]);
}

async function readAll(bytes: Uint8Array, chunkSizes: () => number): Promise<string[][]> {
  async function* chunks() {
    for (let i = 0; i < bytes.length; ) {
      const n = Math.max(1, chunkSizes());
      yield bytes.subarray(i, i + n);
      i += n;
    }
  }
  const out: string[][] = [];
  for await (const batch of csvRecords(chunks())) out.push(...batch);
  return out;
}

describe('Bulk CSV reader', () => {
  for (const [name, lineEnding, quoted] of [
    ['all fields quoted, LF', '\n', true],
    ['all fields quoted, CRLF', '\r\n', true],
    ['only where needed, LF', '\n', false],
  ] as const) {
    it(`equals csv-parse: ${name}, any chunking`, async () => {
      const data = [['Id', 'A', 'B', 'C', 'D', 'E', 'F'], ...rows(300, 7)];
      const text = stringify(data, { quoted, record_delimiter: lineEnding === '\n' ? 'unix' : 'windows' });
      const bytes = new TextEncoder().encode(text);
      const want = parse(text, { relax_column_count: false }) as string[][];
      assert.equal(want.length, 301);
      for (const size of [1, 2, 3, 7, 64, 1000, 1 << 20]) assert.deepEqual(await readAll(bytes, () => size), want, `chunks of ${size}`);
      let s = 3;
      assert.deepEqual(
        await readAll(bytes, () => {
          s = (s * 48271) % 2147483647;
          return s % 97;
        }),
        want,
      );
    });
  }

  it('reads a header-only page and an empty body as no data rows', async () => {
    assert.deepEqual(await readAll(new TextEncoder().encode('"Id","Name"\n'), () => 5), [['Id', 'Name']]);
    assert.deepEqual(await readAll(new Uint8Array(0), () => 5), []);
  });

  it('rejects a body that ends inside a quoted field', async () => {
    await assert.rejects(
      readAll(new TextEncoder().encode('"Id"\n"abc'), () => 4),
      CsvFormatError,
    );
  });
});
