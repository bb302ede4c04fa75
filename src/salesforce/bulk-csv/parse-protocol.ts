// Messages between the page parser pool (parse-pool.ts) and its worker threads (parse-worker.ts).
import type { EncodedBatch, RowLayout } from '../../snapshot/encoded.ts';

export type ParseRequest =
  | { id: number; op: 'open'; stream: number; layout: RowLayout }
  | { id: number; op: 'chunk'; stream: number; chunk: Uint8Array }
  | { id: number; op: 'end'; stream: number }
  | { id: number; op: 'close'; stream: number };

export type ParseReply =
  | { id: number; ok: true; header?: string[]; batch?: EncodedBatch }
  | { id: number; ok: false; error: { name: string; message: string } };
