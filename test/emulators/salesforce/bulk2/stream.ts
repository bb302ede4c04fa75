import type { ServerResponse } from 'node:http';

/** Resolves true once the response drained, false when the client went away first. */
function drained(res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}

/** Writes one piece of a large body, waiting for the socket when it is full; false = client gone. */
export async function writePiece(res: ServerResponse, text: string): Promise<boolean> {
  if (res.destroyed) return false;
  if (!text || res.write(text)) return true;
  return drained(res);
}
