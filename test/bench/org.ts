// What every contender exports: an access token for the bench's own calls, and the object list
// chosen by the product's rule (queryable and retrievable in describeGlobal, accepted by Bulk API
// 2.0, every field but compound address/location and base64 ones), each with its SELECT.
import { z } from 'zod';
import type { EmulatorCredentials } from './emulator-child.ts';

export const API_VERSION = '62.0';

export interface Session {
  accessToken: string;
  instanceUrl: string;
}

export interface BenchObject {
  name: string;
  soql: string;
}

const tokenSchema = z.object({ access_token: z.string(), instance_url: z.string() });
const globalSchema = z.object({ sobjects: z.array(z.object({ name: z.string(), queryable: z.boolean(), retrieveable: z.boolean() })) });
const describeSchema = z.object({ fields: z.array(z.object({ name: z.string(), type: z.string() })) });

export async function login(creds: EmulatorCredentials): Promise<Session> {
  const res = await fetch(`${creds.loginUrl}/services/oauth2/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: creds.clientId,
      client_secret: creds.clientSecret,
      refresh_token: creds.refreshToken,
    }),
  });
  if (!res.ok) throw new Error(`token refresh failed: ${res.status}`);
  const t = tokenSchema.parse(await res.json());
  return { accessToken: t.access_token, instanceUrl: t.instance_url };
}

export function api(s: Session, pathname: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${s.instanceUrl}/services/data/v${API_VERSION}${pathname}`, {
    ...init,
    headers: { authorization: `Bearer ${s.accessToken}`, 'content-type': 'application/json', ...init.headers },
  });
}

async function json<T>(res: Response, schema: z.ZodType<T>, what: string): Promise<T> {
  if (!res.ok) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return schema.parse(await res.json());
}

const EXCLUDED_TYPES = new Set(['address', 'location', 'base64']);

/** Objects Bulk 2.0 refuses are left to the product's REST fallback and not benchmarked. */
async function bulkAccepts(s: Session, soql: string): Promise<boolean> {
  const res = await api(s, '/jobs/query', { method: 'POST', body: JSON.stringify({ operation: 'queryAll', query: `${soql} LIMIT 1` }) });
  if (!res.ok) {
    await res.text();
    return false;
  }
  const { id } = z.object({ id: z.string() }).parse(await res.json());
  (await api(s, `/jobs/query/${id}`, { method: 'PATCH', body: JSON.stringify({ state: 'Aborted' }) })).body?.cancel();
  return true;
}

export async function selectObjects(s: Session, only: string[] | undefined): Promise<{ objects: BenchObject[]; skipped: string[] }> {
  const global = await json(await api(s, '/sobjects'), globalSchema, 'describeGlobal');
  const candidates = global.sobjects.filter((o) => o.queryable && o.retrieveable && (!only || only.includes(o.name)));
  if (only) {
    const missing = only.filter((n) => !candidates.some((c) => c.name === n));
    if (missing.length) throw new Error(`--objects names objects the org cannot export: ${missing.join(', ')}`);
  }
  const objects: BenchObject[] = [];
  const skipped: string[] = [];
  for (const c of candidates) {
    const d = await json(await api(s, `/sobjects/${c.name}/describe`), describeSchema, `describe ${c.name}`);
    const fields = d.fields.filter((f) => !EXCLUDED_TYPES.has(f.type)).map((f) => f.name);
    const soql = `SELECT ${fields.join(', ')} FROM ${c.name}`;
    if (await bulkAccepts(s, soql)) objects.push({ name: c.name, soql });
    else skipped.push(c.name);
  }
  return { objects, skipped };
}
