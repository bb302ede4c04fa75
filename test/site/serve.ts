// A tiny static server for a built site, on 127.0.0.1 and a free port, serving it under a base
// path (`/` for a custom domain, `/<repo>/` for a project Pages site) the way GitHub Pages does:
// exact files, `dir/` → `dir/index.html`, 404 for anything else.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.xml': 'application/atom+xml',
  '.css': 'text/css',
  '.js': 'text/javascript',
  '.png': 'image/png',
};

export interface StaticSite {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** Every path requested, for tests that check what a page needed. */
  requests: string[];
  close(): Promise<void>;
}

/** Serves `dir` under each of `bases` (e.g. `['/', '/backups/']`). */
export async function serveStatic(dir: string, bases: readonly string[] = ['/']): Promise<StaticSite> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(url.pathname);
    const base = [...bases].sort((a, b) => b.length - a.length).find((b) => url.pathname.startsWith(b));
    let file: string | undefined;
    if (base !== undefined) {
      const rel = decodeURIComponent(url.pathname.slice(base.length));
      const full = path.resolve(dir, rel);
      if (full === path.resolve(dir) || full.startsWith(path.resolve(dir) + path.sep)) {
        if (existsSync(full) && statSync(full).isDirectory()) file = path.join(full, 'index.html');
        else file = full;
      }
    }
    if (!file || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
