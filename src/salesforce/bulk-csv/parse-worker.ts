// Worker thread: parses Bulk API 2.0 result pages and encodes their rows for the snapshot writer
// (src/snapshot/encoded.ts), so the main thread only downloads and files bytes. On a 2-core runner
// this is what lets parsing use the second core.
import { parentPort } from 'node:worker_threads';
import { PageEncoder } from './page-encoder.ts';
import type { ParseReply, ParseRequest } from './parse-protocol.ts';

interface Stream {
  encoder: PageEncoder;
}

const streams = new Map<number, Stream>();
const port = parentPort;
if (!port) throw new Error('parse-worker.ts runs as a worker thread');

port.on('message', (req: ParseRequest) => {
  try {
    if (req.op === 'open') {
      streams.set(req.stream, { encoder: new PageEncoder(req.layout) });
      reply({ id: req.id, ok: true });
      return;
    }
    const s = streams.get(req.stream);
    if (!s) throw new Error(`unknown stream ${req.stream}`);
    if (req.op === 'close') {
      streams.delete(req.stream);
      reply({ id: req.id, ok: true });
      return;
    }
    const { header, batch } = req.op === 'chunk' ? s.encoder.push(req.chunk) : s.encoder.end();
    if (req.op === 'end') streams.delete(req.stream);
    reply({ id: req.id, ok: true, ...(header ? { header } : {}), batch }, [batch.bytes.buffer as ArrayBuffer]);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    reply({ id: req.id, ok: false, error: { name: e.name, message: e.message } });
  }
});

function reply(msg: ParseReply, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(msg, transfer);
}
