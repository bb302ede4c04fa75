// Bulk API 2.0 result pages straight into encoded batches (src/snapshot/encoded.ts), one pass over
// each record's characters with no per-cell strings: this is the exporter's hot loop, and splitting
// every row into cells and joining them again cost more than the download itself.
//
// The page is held as a byte string (src/snapshot/bytes.ts). Bulk quotes every field; a quoted
// field whose text needs no quoting in the snapshot's dialect (no `"` `,` CR LF) is copied without
// its quotes, any other quoted field is copied as it is: Bulk escapes a quote by doubling it,
// exactly as the snapshot does. Anything unusual in a record (an unquoted field with a quote or CR,
// a CRLF line end) sends that one record through the general parser and encoder instead, so the
// bytes are the same either way (tested against parse + encodeRows).
import { BYTE_BOM } from '../../snapshot/bytes.ts';
import { BatchBuilder, type EncodedBatch, isUsableId, type RowLayout, RowShapeError } from '../../snapshot/encoded.ts';
import { CsvFormatError, parseRecord } from './csv-records.ts';

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

export interface EncodedChunk {
  /** The page's header, with the chunk that completes it. */
  header?: string[];
  batch: EncodedBatch;
}

export class PageEncoder {
  private readonly layout: RowLayout;
  private readonly batch: BatchBuilder;
  private text = '';
  private first = true;
  private header: string[] | undefined;
  /** The next LF and CR at or after the last place looked (Infinity: none in the text). */
  private lfAt = -1;
  private crAt = -1;

  /**
   * `reuseBuffer`: the caller copies each batch's bytes before it asks for the next one (the inline
   * path), so one buffer serves the whole page. A batch sent to another thread needs its own.
   */
  constructor(layout: RowLayout, options: { reuseBuffer?: boolean } = {}) {
    this.layout = layout;
    this.batch = new BatchBuilder(layout, options);
  }

  push(chunk: Uint8Array): EncodedChunk {
    this.text += Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    if (this.first && this.text.length >= BYTE_BOM.length) {
      if (this.text.startsWith(BYTE_BOM)) this.text = this.text.slice(BYTE_BOM.length);
      this.first = false;
    }
    return this.run(false);
  }

  end(): EncodedChunk {
    if (this.first && this.text.startsWith(BYTE_BOM)) this.text = this.text.slice(BYTE_BOM.length);
    this.first = false;
    const out = this.run(true);
    // A trailing empty line is the end of the file, not a record.
    if (this.text.replace(/[\r\n]/g, '') !== '') throw new CsvFormatError('the CSV ends inside a quoted field');
    this.text = '';
    return out;
  }

  private run(final: boolean): EncodedChunk {
    const text = this.text;
    let pos = 0;
    let header: string[] | undefined;
    if (this.header === undefined) {
      const r = parseRecord(text, 0, final);
      if (!r) return { batch: this.batch.take() };
      this.header = r.fields;
      header = r.fields;
      pos = r.next;
    }
    this.lfAt = -1;
    this.crAt = -1;
    while (pos < text.length) {
      if (final && text.slice(pos).replace(/[\r\n]/g, '') === '') {
        pos = text.length;
        break;
      }
      const next = this.record(text, pos, final);
      if (next < 0) break;
      pos = next;
    }
    this.text = text.slice(pos);
    return { ...(header ? { header } : {}), batch: this.batch.take() };
  }

  /** Encodes the record at `start`; returns where the next one starts, or -1 when more text is needed. */
  private record(text: string, start: number, final: boolean): number {
    const { isDeletedIndex, stampIndex } = this.layout;
    // The record is written past the batch's end and only counted once sealed: a record the text
    // ends inside is simply not sealed, and written again with more text.
    const headerAt = this.batch.used;
    let w = headerAt + this.batch.headerBytes;
    const len = text.length;
    let i = start;
    let field = 0;
    let id = '';
    let deleted = false;
    for (;;) {
      let contentFrom: number;
      let contentTo: number;
      let copyFrom: number;
      let copyTo: number;
      if (text.charCodeAt(i) === QUOTE) {
        // Quoted: find the closing quote, noting whether the text needs quoting in the snapshot.
        // indexOf runs natively; the caches keep each CR and LF search to one pass over the text.
        let from = i + 1;
        let special = false;
        let j: number;
        for (;;) {
          j = text.indexOf('"', from);
          if (j < 0) return -1;
          if (j + 1 >= len && !final) return -1;
          if (text.charCodeAt(j + 1) === QUOTE) {
            special = true;
            from = j + 2;
            continue;
          }
          break;
        }
        if (!special) {
          // The next comma is at the latest the separator after this field.
          const comma = text.indexOf(',', i + 1);
          if (comma >= 0 && comma < j) special = true;
          else {
            if (this.lfAt <= i) this.lfAt = nextOf(text, '\n', i + 1);
            if (this.lfAt < j) special = true;
            else {
              if (this.crAt <= i) this.crAt = nextOf(text, '\r', i + 1);
              if (this.crAt < j) special = true;
            }
          }
        }
        contentFrom = i + 1;
        contentTo = j;
        copyFrom = special ? i : i + 1;
        copyTo = special ? j + 1 : j;
        i = j + 1;
      } else {
        let j = i;
        for (;;) {
          if (j >= len) {
            if (!final) return -1;
            break;
          }
          const c = text.charCodeAt(j);
          if (c === COMMA || c === LF) break;
          // A quote or CR in an unquoted field: rare and odd, leave it to the general path.
          if (c === QUOTE || c === CR) return this.slowRecord(text, start, final);
          j++;
        }
        contentFrom = i;
        contentTo = j;
        copyFrom = i;
        copyTo = j;
        i = j;
      }
      if (field === 0) {
        id = text.slice(contentFrom, contentTo);
        if (!isUsableId(id)) throw new RowShapeError(`${this.layout.object}: a row has no usable Id`);
      }
      if (field === isDeletedIndex) deleted = contentTo - contentFrom === 4 && text.startsWith('true', contentFrom);
      if (field === stampIndex && contentTo > contentFrom) this.batch.noteStamp(text.slice(contentFrom, contentTo));
      // The field's bytes, then a comma unless it is the last.
      const out = this.batch.ensure(w, copyTo - copyFrom + 1);
      if (copyTo - copyFrom < 32) for (let k = copyFrom; k < copyTo; k++) out[w++] = text.charCodeAt(k);
      else w += out.write(text.slice(copyFrom, copyTo), w, 'latin1');
      field++;
      if (i >= len) {
        if (!final) return -1;
        return this.finish(headerAt, w, field, id, deleted, len);
      }
      const c = text.charCodeAt(i);
      if (c === COMMA) {
        out[w++] = COMMA;
        i++;
        if (i >= len && !final) return -1;
        continue;
      }
      if (c === LF) return this.finish(headerAt, w, field, id, deleted, i + 1);
      if (c === CR) return this.slowRecord(text, start, final);
      throw new CsvFormatError(`unexpected character ${JSON.stringify(text[i])} after a quoted field`);
    }
  }

  private finish(headerAt: number, end: number, fields: number, id: string, deleted: boolean, next: number): number {
    const { width } = this.layout;
    if (fields !== width) throw new RowShapeError(`${this.layout.object}: a row has ${fields} cells for ${width} fields`);
    this.batch.seal(headerAt, end, id, deleted);
    return next;
  }

  /** The general parser and encoder for one record (the slow, always-right path). */
  private slowRecord(text: string, start: number, final: boolean): number {
    const r = parseRecord(text, start, final);
    if (!r) return -1;
    this.batch.addRow(r.fields);
    return r.next;
  }
}

function nextOf(text: string, ch: string, from: number): number {
  const at = text.indexOf(ch, from);
  return at < 0 ? Number.POSITIVE_INFINITY : at;
}
