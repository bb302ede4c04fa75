import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate as generateCert } from 'selfsigned';
import { registerBulkRoutes } from './bulk2/routes.ts';
import { Clock } from './clock.ts';
import { FaultInjector, playFault } from './control/faults.ts';
import { registerControlRoutes } from './control/routes.ts';
import { ApiError, OAuthError, sendApiError, sendOAuthError } from './http/respond.ts';
import { makeCtx, normalizePath, Router } from './http/router.ts';
import { makeId, to18 } from './ids.ts';
import type { ConnectedApp, Listener, Org, User } from './model.ts';
import { authenticateBearer } from './oauth/authenticate.ts';
import { createGrant } from './oauth/grants.ts';
import { redactQuery } from './oauth/redact.ts';
import { registerOAuthRoutes } from './oauth/routes.ts';
import { SessionStore } from './oauth/sessions.ts';
import { registerRestRoutes } from './rest/routes.ts';
import { standardSchema } from './schema/standard.ts';
import { registerSoapRoutes } from './soap/routes.ts';
import type { BulkSettings, EmulatorState, QuerySettings, RequestLogEntry } from './state.ts';
import { OrgStore } from './store/db.ts';
import { generateOrgData } from './store/generator.ts';
import { FieldValueError } from './store/values.ts';

export interface OrgSeed {
  alias: string;
  sandbox?: boolean;
  /** Generated records for this org (spread over the standard objects). */
  records?: number;
  seed?: number;
  name?: string;
  /**
   * A sandbox made from this production org (its alias): the users carry the production's
   * usernames with `.<alias>` appended, as Salesforce renames them in a sandbox. Give it the
   * production's `seed` for the same people.
   */
  copyOf?: string;
}

export interface EmulatorOptions {
  host?: string;
  /** Port of the production login host (login.salesforce.com); 0 picks a free one. */
  port?: number;
  /** Also serve every host over HTTPS with a self-signed certificate made at start. */
  https?: boolean;
  orgs?: OrgSeed[];
  /** Where SQLite files and the CA certificate go; a temp dir (removed on close) by default. */
  dataDir?: string;
  apiVersions?: { min: number; max: number };
  bulk?: Partial<BulkSettings>;
  query?: Partial<QuerySettings>;
  app?: Partial<ConnectedApp>;
  /** Retain at most this many request-log entries. */
  requestLogLimit?: number;
}

/** What a client needs to log in to one org: the emulator's `--port` JSON line. */
export interface OrgCredentials {
  alias: string;
  loginUrl: string;
  instanceUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  username: string;
  orgId: string;
  userId: string;
  isSandbox: boolean;
}

export interface Emulator {
  state: EmulatorState;
  /** login.salesforce.com */
  loginUrl: string;
  /** test.salesforce.com */
  testLoginUrl: string;
  loginUrlHttps?: string;
  testLoginUrlHttps?: string;
  /** The PEM of the self-signed certificate (point NODE_EXTRA_CA_CERTS at caFile). */
  caFile?: string;
  /** Control surface base URL (any listener serves /__emu). */
  controlUrl: string;
  credentials: OrgCredentials[];
  app: ConnectedApp;
  close(): Promise<void>;
}

const DEFAULT_ORGS: OrgSeed[] = [
  { alias: 'prod', sandbox: false, records: 200, seed: 1, name: 'Acme Corporation' },
  { alias: 'uat', sandbox: true, records: 60, seed: 2, name: 'Acme Corporation (UAT)' },
];

export function newConsumerKey(): string {
  return `3MVG9${randomBytes(90)
    .toString('base64')
    .replace(/[^A-Za-z0-9._]/g, '')
    .slice(0, 80)}`;
}

export function newConsumerSecret(): string {
  return randomBytes(32).toString('hex').toUpperCase();
}

export function defaultApp(now: number, overrides: Partial<ConnectedApp> = {}): ConnectedApp {
  return {
    name: 'Salesforce Backup',
    consumerKey: newConsumerKey(),
    consumerSecret: newConsumerSecret(),
    callbackUrls: ['http://localhost:1717/OauthRedirect', 'http://127.0.0.1:1717/OauthRedirect', 'http://localhost:8787/callback'],
    scopes: ['api', 'refresh_token', 'offline_access', 'web', 'openid', 'id', 'full'],
    createdAt: now,
    propagationDelaySec: 0,
    requireSecretWebServer: true,
    requireSecretRefresh: true,
    requirePkce: false,
    refreshTokenPolicy: { kind: 'infinite' },
    idleTtlCap30d: false,
    rotation: false,
    sessionTimeoutSec: 7200,
    maxApprovals: 5,
    evictionOrder: 'createdAt',
    previousKeys: [],
    ...overrides,
  };
}

function buildRouter(): Router {
  const router = new Router();
  registerControlRoutes(router);
  registerOAuthRoutes(router);
  registerRestRoutes(router);
  registerBulkRoutes(router);
  registerSoapRoutes(router);
  return router;
}

async function dispatch(state: EmulatorState, router: Router, listener: Listener, req: IncomingMessage, res: ServerResponse, logLimit: number): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  // Concatenated, not resolved: a path of `//services/...` (sf sends it) must not read as a host.
  const url = new URL(`${listener.baseUrl}${req.url ?? '/'}`);
  const path = normalizePath(url.pathname);
  const isControl = path.startsWith('/__emu');
  let entry: RequestLogEntry | undefined;
  if (!isControl) {
    const headers: Record<string, string> = {};
    for (const h of ['content-type', 'accept', 'user-agent', 'sforce-query-options', 'sforce-call-options', 'content-length', 'transfer-encoding']) {
      const v = req.headers[h];
      if (typeof v === 'string') headers[h] = v;
    }
    if (req.headers.authorization) headers.authorization = req.headers.authorization.startsWith('Bearer ') ? 'Bearer <redacted>' : '<redacted>';
    entry = {
      seq: (state.requestLog.at(-1)?.seq ?? 0) + 1,
      at: state.clock.now(),
      method,
      rawPath: (req.url ?? '/').split('?')[0] as string,
      path,
      query: redactQuery(url.search),
      listener: listener.kind,
      ...(listener.orgId ? { orgId: listener.orgId } : {}),
      headers,
    };
    state.requestLog.push(entry);
    if (state.requestLog.length > logLimit) state.requestLog.splice(0, state.requestLog.length - logLimit);
    const logged = entry;
    res.on('finish', () => {
      logged.status = res.statusCode;
    });
    const fault = state.faults.take(method, path);
    if (fault && (await playFault(fault, res))) return;
  }

  const match = router.match(method, path);
  if (!match) {
    sendApiError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
    return;
  }
  if ('allowed' in match) {
    sendApiError(res, 405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed. Allowed are ${[...new Set(match.allowed)].join(',')}`);
    return;
  }
  if (match.scope === 'instance' && listener.kind !== 'instance') {
    // Data APIs live on the My Domain host only: a client that sends them to the login host is wrong.
    sendApiError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
    return;
  }
  const ctx = makeCtx(req, res, url, path, listener, state);
  ctx.params = match.params;
  try {
    if (match.auth === 'bearer') {
      const auth = authenticateBearer(ctx);
      if (!auth) return;
      ctx.auth = auth;
      if (entry) entry.orgId = auth.org.id;
    }
    await match.handler(ctx);
  } catch (err) {
    if (res.headersSent) {
      res.destroy(err as Error);
      return;
    }
    if (err instanceof ApiError) sendApiError(res, err.status, err.errorCode, err.message, err.fields);
    else if (err instanceof OAuthError) sendOAuthError(res, err);
    else if (err instanceof FieldValueError) sendApiError(res, 400, err.statusCode, err.message, err.fields);
    else {
      process.stderr.write(`emulator: ${method} ${path}: ${(err as Error).stack ?? String(err)}\n`);
      sendApiError(res, 500, 'UNKNOWN_EXCEPTION', 'An unexpected error occurred. Please include this ErrorId if you contact support: 1234567-8901 (-123456)');
    }
  }
}

function listen(server: http.Server | https.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Adds an org with its admin user and generated data; its instance listeners start later. */
export function createOrg(state: EmulatorState, seed: OrgSeed, index: number, dataDir: string): Org {
  const pod = `${String.fromCharCode(65 + (index % 26))}${index < 26 ? '0' : String.fromCharCode(48 + Math.floor(index / 26))}`;
  const id = makeId('00D', pod, 1000 + index);
  const store = new OrgStore({ path: path.join(dataDir, `${seed.alias}.sqlite`), schema: state.schema, clock: state.clock, pod });
  const org: Org = {
    id,
    alias: seed.alias,
    name: seed.name ?? seed.alias,
    isSandbox: seed.sandbox ?? false,
    instanceName: seed.sandbox ? 'CS42' : 'NA224',
    orgType: seed.sandbox ? 'Developer Edition' : 'Enterprise Edition',
    namespacePrefix: null,
    pod,
    instanceUrl: '',
    store,
    limits: { dailyApiMax: 15000, used: 0, windowStart: state.clock.now() },
    apiDisabled: false,
    allowAuditFieldsOnCreate: false,
    allowHardDelete: true,
  };
  const userId = to18(makeId('005', pod, 1).slice(0, 15));
  const user: User = {
    id: userId,
    orgId: id,
    username: `admin@${seed.copyOf ?? seed.alias}.example.com${seed.sandbox ? `.${seed.alias}` : ''}`,
    email: `admin@${seed.alias}.example.com`,
    firstName: 'Ada',
    lastName: 'Admin',
    active: true,
    frozen: false,
    timezone: 'America/Los_Angeles',
    locale: 'en_US',
  };
  state.orgs.set(id, org);
  state.users.set(user.id, user);
  generateOrgData(org, state, { records: seed.records ?? 200, seed: seed.seed ?? index + 1, adminUser: user, ...(seed.copyOf ? { copyOf: seed.copyOf } : {}) });
  return org;
}

/** Issues a refresh token for a user and app, as an approval (grant) would: it counts toward the app's approval limit. */
export function mintRefreshToken(state: EmulatorState, app: ConnectedApp, user: User, via = 'login', scopes = ['api', 'refresh_token', 'web']): string {
  return createGrant(state, { app, user, scopes, via }).grant.refreshToken;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  const ownDataDir = !options.dataDir;
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'sfemu-'));
  const clock = new Clock();
  const state: EmulatorState = {
    clock,
    schema: standardSchema(),
    orgs: new Map(),
    users: new Map(),
    apps: new Map(),
    sessions: new SessionStore(),
    faults: new FaultInjector(),
    requestLog: [],
    listeners: [],
    apiVersions: options.apiVersions ?? { min: 31, max: 66 },
    bulk: { defaultMaxRecords: 10000, pollsBeforeComplete: 1, shuffleChunks: true, chunkSize: 2500, ...options.bulk },
    query: { defaultBatchSize: 2000, cursorIdleMs: 15 * 60 * 1000, maxOpenCursorsPerUser: 10, ...options.query },
    ext: new Map(),
  };
  const app = defaultApp(clock.now(), options.app);
  state.apps.set(app.consumerKey, app);

  const seeds = options.orgs ?? DEFAULT_ORGS;
  const orgs = seeds.map((s, i) => createOrg(state, s, i, dataDir));

  const router = buildRouter();
  const logLimit = options.requestLogLimit ?? 20000;
  const servers: (http.Server | https.Server)[] = [];
  let tls: { key: string; cert: string } | undefined;
  let caFile: string | undefined;
  if (options.https ?? true) {
    const pems = await generateCert([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      notAfterDate: new Date(Date.now() + 30 * 24 * 3600 * 1000),
      algorithm: 'sha256',
      extensions: [
        { name: 'basicConstraints', cA: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 7, ip: '127.0.0.1' },
          ],
        },
      ],
    });
    tls = { key: pems.private, cert: pems.cert };
    caFile = path.join(dataDir, 'ca.pem');
    writeFileSync(caFile, pems.cert);
  }

  const open = async (kind: Listener['kind'], scheme: 'http' | 'https', port: number, orgId?: string): Promise<Listener> => {
    const listener: Listener = { kind, scheme, baseUrl: '', ...(orgId ? { orgId } : {}) };
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      dispatch(state, router, listener, req, res, logLimit).catch((err: unknown) => {
        process.stderr.write(`emulator: ${(err as Error).stack ?? String(err)}\n`);
        if (!res.headersSent) sendApiError(res, 500, 'UNKNOWN_EXCEPTION', 'emulator failure');
        else res.destroy();
      });
    };
    const server = scheme === 'https' && tls ? https.createServer({ key: tls.key, cert: tls.cert }, handler) : http.createServer(handler);
    // Bulk result pages can be large and slow to consume: no server-side timeouts.
    server.requestTimeout = 0;
    server.keepAliveTimeout = 5000;
    servers.push(server);
    const bound = await listen(server, host, port);
    listener.baseUrl = `${scheme}://${host}:${bound}`;
    state.listeners.push(listener);
    return listener;
  };

  const login = await open('login', 'http', options.port ?? 0);
  const test = await open('test', 'http', 0);
  const loginHttps = tls ? await open('login', 'https', 0) : undefined;
  const testHttps = tls ? await open('test', 'https', 0) : undefined;
  for (const org of orgs) {
    org.instanceUrl = (await open('instance', 'http', 0, org.id)).baseUrl;
    if (tls) org.instanceUrlHttps = (await open('instance', 'https', 0, org.id)).baseUrl;
  }

  const credentials: OrgCredentials[] = orgs.map((org) => {
    const user = [...state.users.values()].find((u) => u.orgId === org.id) as User;
    state.defaultUserId ??= user.id;
    return {
      alias: org.alias,
      loginUrl: org.isSandbox ? test.baseUrl : login.baseUrl,
      instanceUrl: org.instanceUrl,
      clientId: app.consumerKey,
      clientSecret: app.consumerSecret,
      refreshToken: mintRefreshToken(state, app, user, org.isSandbox ? 'test' : 'login'),
      username: user.username,
      orgId: org.id,
      userId: user.id,
      isSandbox: org.isSandbox,
    };
  });

  let closed = false;
  return {
    state,
    loginUrl: login.baseUrl,
    testLoginUrl: test.baseUrl,
    ...(loginHttps ? { loginUrlHttps: loginHttps.baseUrl } : {}),
    ...(testHttps ? { testLoginUrlHttps: testHttps.baseUrl } : {}),
    ...(caFile ? { caFile } : {}),
    controlUrl: login.baseUrl,
    credentials,
    app,
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              s.closeAllConnections();
            }),
        ),
      );
      for (const org of state.orgs.values()) org.store.close();
      if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
