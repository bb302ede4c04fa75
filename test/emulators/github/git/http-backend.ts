// Git smart HTTP for `/{owner}/{repo}.git/...`: checks the token, then bridges to `git http-backend`
// (CGI) over the emulator's bare repositories, streaming both ways.
import { type ChildProcess, spawn } from 'node:child_process';
import { sendText } from '../http/respond.ts';
import type { Ctx } from '../http/router.ts';
import { findRepo, type TokenInfo } from '../state.ts';
import { isolatedGitEnv } from './exec.ts';

const GIT_PATH = /^\/([^/]+)\/([^/]+?)(?:\.git)?\/(info\/refs|git-upload-pack|git-receive-pack)$/;

export interface GitRoute {
  owner: string;
  repo: string;
  action: 'info/refs' | 'git-upload-pack' | 'git-receive-pack';
}

export function matchGitPath(path: string): GitRoute | undefined {
  const m = GIT_PATH.exec(path);
  if (!m) return undefined;
  return { owner: decodeURIComponent(m[1] ?? ''), repo: decodeURIComponent(m[2] ?? ''), action: m[3] as GitRoute['action'] };
}

const REALM = { 'www-authenticate': 'Basic realm="GitHub"' };

/**
 * HTTP Basic with the token as password (`x-access-token:<token>`, any user name) or as user name
 * with an empty or `x-oauth-basic` password, as GitHub accepts. The scheme word is matched without
 * regard to case: actions/checkout writes `AUTHORIZATION: basic …`.
 */
function gitAuth(ctx: Ctx): TokenInfo | undefined {
  const m = /^basic\s+(\S+)\s*$/i.exec(ctx.req.headers.authorization ?? '');
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon < 0 ? decoded : decoded.slice(0, colon);
  const pass = colon < 0 ? '' : decoded.slice(colon + 1);
  const byPass = ctx.state.tokens.get(pass);
  if (byPass && user) return byPass;
  const byUser = ctx.state.tokens.get(user);
  if (byUser && (pass === '' || pass === 'x-oauth-basic')) return byUser;
  return undefined;
}

/** One CGI bridge per emulator; keeps its children so close() can end any still running. */
export class GitBackend {
  private readonly active = new Set<ChildProcess>();

  async serve(ctx: Ctx, route: GitRoute): Promise<void> {
    const { req, res } = ctx;
    const service = route.action === 'info/refs' ? (ctx.url.searchParams.get('service') ?? '') : route.action;
    if (service !== 'git-upload-pack' && service !== 'git-receive-pack') {
      // GitHub speaks the smart protocol only.
      sendText(
        res,
        403,
        'Please upgrade your git client.\nGitHub.com no longer supports git over dumb-http: https://github.com/blog/809-git-dumb-http-transport-to-be-turned-off\n',
      );
      return;
    }
    const wantMethod = route.action === 'info/refs' ? 'GET' : 'POST';
    if (req.method !== wantMethod && !(wantMethod === 'GET' && req.method === 'HEAD')) {
      sendText(res, 405, 'Method Not Allowed\n', { allow: wantMethod });
      return;
    }
    if (!req.headers.authorization) {
      sendText(res, 401, '', REALM);
      return;
    }
    const auth = gitAuth(ctx);
    if (!auth) {
      sendText(res, 401, 'Invalid username or token. Password authentication is not supported for Git operations.\n', REALM);
      return;
    }
    const repo = findRepo(ctx.state, route.owner, route.repo);
    if (!repo || auth.permissions.contents === 'none') {
      sendText(res, 404, 'Repository not found.\n');
      return;
    }
    if (service === 'git-receive-pack' && auth.permissions.contents !== 'write') {
      sendText(res, 403, `Permission to ${repo.owner}/${repo.name}.git denied to ${auth.login}.\n`);
      return;
    }
    await this.cgi(ctx, `/${repo.owner}/${repo.name}.git/${route.action}`, auth.login);
  }

  private cgi(ctx: Ctx, pathInfo: string, user: string): Promise<void> {
    const { req, res } = ctx;
    const h = req.headers;
    const env = isolatedGitEnv({
      GIT_PROJECT_ROOT: ctx.state.reposDir,
      GIT_HTTP_EXPORT_ALL: '1',
      // A set REMOTE_USER is what makes http-backend enable receive-pack.
      REMOTE_USER: user,
      REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
      GATEWAY_INTERFACE: 'CGI/1.1',
      SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
      REQUEST_METHOD: req.method ?? 'GET',
      PATH_INFO: pathInfo,
      QUERY_STRING: ctx.url.search.replace(/^\?/, ''),
      ...(h['content-type'] ? { CONTENT_TYPE: h['content-type'] } : {}),
      ...(h['content-length'] ? { CONTENT_LENGTH: h['content-length'] } : {}),
      // git gzips large requests; http-backend inflates them itself when told.
      ...(h['content-encoding'] ? { HTTP_CONTENT_ENCODING: h['content-encoding'] } : {}),
      ...(typeof h['git-protocol'] === 'string' ? { GIT_PROTOCOL: h['git-protocol'] } : {}),
    });
    return new Promise<void>((resolve) => {
      const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      this.active.add(child);
      let stderr = '';
      let head: Buffer = Buffer.alloc(0);
      let headersDone = false;
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString('utf8');
      });
      child.stdin.on('error', () => {});
      req.pipe(child.stdin);
      res.on('close', () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      });
      child.stdout.on('data', (chunk: Buffer) => {
        if (headersDone) {
          if (!res.write(chunk)) {
            child.stdout.pause();
            res.once('drain', () => child.stdout.resume());
          }
          return;
        }
        head = Buffer.concat([head, chunk]);
        const parsed = parseCgiHead(head);
        if (!parsed) return;
        headersDone = true;
        res.writeHead(parsed.status, parsed.headers);
        if (parsed.rest.length) res.write(parsed.rest);
      });
      child.on('error', (err) => {
        stderr += String(err);
      });
      child.on('close', (code) => {
        this.active.delete(child);
        if (!headersDone) {
          if (!res.headersSent) sendText(res, 500, `git http-backend failed: ${stderr.trim() || `exit ${code}`}\n`);
        } else {
          res.end();
        }
        if (code !== 0 && stderr.trim()) process.stderr.write(`github emulator: git http-backend ${pathInfo}: ${stderr.trim()}\n`);
        resolve();
      });
    });
  }

  closeAll(): void {
    for (const child of this.active) child.kill('SIGKILL');
    this.active.clear();
  }
}

/** Splits a CGI response into status, headers and the first body bytes, once the blank line has arrived. */
function parseCgiHead(buf: Buffer): { status: number; headers: Record<string, string>; rest: Buffer } | undefined {
  let end = buf.indexOf('\r\n\r\n');
  let sep = 4;
  const lf = buf.indexOf('\n\n');
  if (end < 0 || (lf >= 0 && lf < end)) {
    end = lf;
    sep = 2;
  }
  if (end < 0) return undefined;
  const headers: Record<string, string> = {};
  let status = 200;
  for (const line of buf.subarray(0, end).toString('latin1').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    const value = line.slice(i + 1).trim();
    if (name === 'status') status = Number.parseInt(value, 10) || 200;
    else headers[name] = value;
  }
  return { status, headers, rest: buf.subarray(end + sep) };
}
