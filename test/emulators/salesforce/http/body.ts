import type { IncomingMessage } from 'node:http';
import { ApiError } from './respond.ts';

const MAX_BODY_BYTES = 200 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new ApiError(413, 'EXCEEDED_MAX_SIZE_REQUEST', 'request body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

export function parseJsonBody(buf: Buffer): unknown {
  const text = buf.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ApiError(400, 'JSON_PARSER_ERROR', `Unexpected character: ${(err as Error).message}`);
  }
}

export function parseFormBody(buf: Buffer): URLSearchParams {
  return new URLSearchParams(buf.toString('utf8'));
}
