// A plan's CSV files, written as the snapshot is walked: in the snapshot's dialect (RFC 4180, LF,
// quoted only when needed), buffered, with the stream's backpressure honoured.

import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { encodeRow } from '../snapshot/csv.ts';

const FLUSH_CHARS = 256 * 1024;

export class CsvOut {
  private readonly out: WriteStream;
  private buffer: string[] = [];
  private size = 0;

  constructor(path: string, header: readonly string[]) {
    this.out = createWriteStream(path, { encoding: 'utf8' });
    this.buffer.push(`${encodeRow(header)}\n`);
  }

  async row(cells: readonly string[]): Promise<void> {
    const line = `${encodeRow(cells)}\n`;
    this.buffer.push(line);
    this.size += line.length;
    if (this.size >= FLUSH_CHARS) await this.flush();
  }

  private async flush(): Promise<void> {
    const text = this.buffer.join('');
    this.buffer = [];
    this.size = 0;
    if (text && !this.out.write(text)) await once(this.out, 'drain');
  }

  async close(): Promise<void> {
    await this.flush();
    this.out.end();
    await once(this.out, 'finish');
  }

  /** Drops the file half-written (the plan failed). */
  destroy(): void {
    this.out.destroy();
  }
}
