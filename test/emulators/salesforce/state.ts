import type { Clock } from './clock.ts';
import type { FaultInjector } from './control/faults.ts';
import type { ConnectedApp, Listener, Org, User } from './model.ts';
import type { SessionStore } from './oauth/sessions.ts';
import type { Schema } from './schema/types.ts';

export interface RequestLogEntry {
  seq: number;
  at: number;
  method: string;
  /** Path as the client sent it (before slash normalisation). */
  rawPath: string;
  path: string;
  query: string;
  listener: Listener['kind'];
  orgId?: string;
  status?: number;
  headers: Record<string, string>;
  bodyBytes?: number;
}

export interface BulkSettings {
  /** Rows per Bulk 2.0 results page when the client gives no maxRecords. */
  defaultMaxRecords: number;
  /** Polls a query or ingest job stays in UploadComplete/InProgress before it completes. */
  pollsBeforeComplete: number;
  /** Shuffle chunk order of results when PK chunking applies and there is no ORDER BY. */
  shuffleChunks: boolean;
  chunkSize: number;
}

export interface QuerySettings {
  /** Default REST query page size (Sforce-Query-Options batchSize overrides within 200..2000). */
  defaultBatchSize: number;
  cursorIdleMs: number;
  maxOpenCursorsPerUser: number;
}

/** Everything the emulator knows; route handlers read and change it. */
export interface EmulatorState {
  clock: Clock;
  schema: Schema;
  orgs: Map<string, Org>;
  users: Map<string, User>;
  /** Consumer key → app. */
  apps: Map<string, ConnectedApp>;
  sessions: SessionStore;
  faults: FaultInjector;
  requestLog: RequestLogEntry[];
  listeners: Listener[];
  apiVersions: { min: number; max: number };
  bulk: BulkSettings;
  query: QuerySettings;
  /** Route-specific state other modules hang off the emulator (OAuth grants, jobs, cursors). */
  ext: Map<string, unknown>;
  /** The user /authorize logs in when there is no login_hint. */
  defaultUserId?: string;
}

/** Typed access to a module's private slot in `state.ext`, created on first use. */
export function extSlot<T>(state: EmulatorState, key: string, make: () => T): T {
  let v = state.ext.get(key) as T | undefined;
  if (v === undefined) {
    v = make();
    state.ext.set(key, v);
  }
  return v;
}

export function orgUsers(state: EmulatorState, orgId: string): User[] {
  return [...state.users.values()].filter((u) => u.orgId === orgId);
}
