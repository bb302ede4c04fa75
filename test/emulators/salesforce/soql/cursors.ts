// REST query cursors ("query locators"). A cursor over a large result keeps only the ordered ids of
// its rows, in a TEMP table of the org's database; each page joins a slice of them back to the data.
// Cursors expire after cursorIdleMs of the emulator clock without use, and a user holds at most
// maxOpenCursorsPerUser of them: opening one more invalidates the oldest.
import type { StatementSync } from 'node:sqlite';
import { makeId } from '../ids.ts';
import type { Org } from '../model.ts';
import { type EmulatorState, extSlot } from '../state.ts';
import { q } from '../store/db.ts';
import type { ChildPlan, RecordPlan } from './plan.ts';

export interface SoqlSettings {
  /** Child subquery rows inlined per parent record; the rest come through the child's nextRecordsUrl. */
  childBatchSize: number;
  /** Child cursors a user may hold (they do not count against maxOpenCursorsPerUser). */
  maxChildCursorsPerUser: number;
}

interface CursorBase {
  id: string;
  org: Org;
  userId: string;
  createdAt: number;
  lastUsedAt: number;
  /** Opened by /queryAll: its nextRecordsUrl uses /queryAll/. */
  allRows: boolean;
  total: number;
}

export interface MainCursor extends CursorBase {
  kind: 'main';
  plan: RecordPlan;
  /** TEMP table `(seq INTEGER PRIMARY KEY, id TEXT)` holding the result's ids in order. */
  table: string;
  stmt?: StatementSync;
}

export interface ChildCursor extends CursorBase {
  kind: 'child';
  plan: ChildPlan;
  parentId: string;
}

export type Cursor = MainCursor | ChildCursor;

interface SoqlState {
  seq: number;
  cursors: Map<string, Cursor>;
  settings: SoqlSettings;
}

function soqlState(state: EmulatorState): SoqlState {
  return extSlot(state, 'soql', () => ({ seq: 0, cursors: new Map(), settings: { childBatchSize: 200, maxChildCursorsPerUser: 10000 } }));
}

/** The SOQL module's own knobs (tests change them in-process or through /__emu/soql). */
export function soqlSettings(state: EmulatorState): SoqlSettings {
  return soqlState(state).settings;
}

function drop(s: SoqlState, c: Cursor): void {
  s.cursors.delete(c.id);
  if (c.kind === 'main') {
    try {
      c.org.store.db.exec(`DROP TABLE IF EXISTS temp.${q(c.table)}`);
    } catch {
      // The org's database is already closed (emulator shutting down).
    }
  }
}

function sweep(state: EmulatorState, s: SoqlState): void {
  const now = state.clock.now();
  for (const c of [...s.cursors.values()]) {
    if (now - c.lastUsedAt > state.query.cursorIdleMs) drop(s, c);
  }
}

function evict(s: SoqlState, userId: string, kind: Cursor['kind'], max: number): void {
  const mine = [...s.cursors.values()]
    .filter((c) => c.userId === userId && c.kind === kind)
    .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  while (mine.length >= max) drop(s, mine.shift() as Cursor);
}

function newId(s: SoqlState, org: Org): string {
  s.seq += 1;
  return makeId('01g', org.pod, s.seq);
}

/**
 * Opens a cursor over a record plan: materialises the ordered ids of every result row.
 * Returns the cursor (total = number of rows).
 */
export function openMainCursor(
  state: EmulatorState,
  org: Org,
  userId: string,
  plan: RecordPlan,
  allRows: boolean,
  sql: string,
  params: (string | number | null)[],
): MainCursor {
  const s = soqlState(state);
  sweep(state, s);
  evict(s, userId, 'main', Math.max(1, state.query.maxOpenCursorsPerUser));
  const id = newId(s, org);
  const table = `_cur_${id}`;
  const db = org.store.db;
  db.exec(`CREATE TEMP TABLE ${q(table)} (seq INTEGER PRIMARY KEY, id TEXT NOT NULL)`);
  const res = db.prepare(`INSERT INTO temp.${q(table)} (id) ${sql}`).run(...params);
  const now = state.clock.now();
  const cursor: MainCursor = { kind: 'main', id, org, userId, createdAt: now, lastUsedAt: now, allRows, total: Number(res.changes), plan, table };
  s.cursors.set(id, cursor);
  return cursor;
}

export function openChildCursor(
  state: EmulatorState,
  org: Org,
  userId: string,
  plan: ChildPlan,
  parentId: string,
  total: number,
  allRows: boolean,
): ChildCursor {
  const s = soqlState(state);
  evict(s, userId, 'child', Math.max(1, s.settings.maxChildCursorsPerUser));
  const now = state.clock.now();
  const cursor: ChildCursor = { kind: 'child', id: newId(s, org), org, userId, createdAt: now, lastUsedAt: now, allRows, total, plan, parentId };
  s.cursors.set(cursor.id, cursor);
  return cursor;
}

/** A live cursor of this org and user, touched; undefined when unknown, expired or invalidated. */
export function findCursor(state: EmulatorState, org: Org, userId: string, id: string): Cursor | undefined {
  const s = soqlState(state);
  sweep(state, s);
  const c = s.cursors.get(id);
  if (!c || c.org !== org || c.userId !== userId) return undefined;
  c.lastUsedAt = state.clock.now();
  return c;
}

export function closeCursor(state: EmulatorState, c: Cursor): void {
  drop(soqlState(state), c);
}

/** Open cursors (for the control surface and tests). */
export function openCursors(state: EmulatorState): { id: string; kind: Cursor['kind']; userId: string; total: number }[] {
  const s = soqlState(state);
  sweep(state, s);
  return [...s.cursors.values()].map((c) => ({ id: c.id, kind: c.kind, userId: c.userId, total: c.total }));
}

/** Invalidates every cursor; returns how many there were. */
export function closeAllCursors(state: EmulatorState): number {
  const s = soqlState(state);
  const all = [...s.cursors.values()];
  for (const c of all) drop(s, c);
  return all.length;
}
