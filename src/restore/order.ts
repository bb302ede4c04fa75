// The order in which a restore writes objects: parents before children, from the createable
// lookups between the objects being restored, so a child's lookup can name its parent's (new) Id
// when the child is created. Lookups that cannot wait for their parent (an object's lookup to
// itself, a cycle between objects) are set afterwards by a second update pass: `deferred` lists them.
import type { ObjectSchema } from '../snapshot/contracts.ts';

export interface DeferredLookup {
  object: string;
  field: string;
  /** The object it points at, written at the same time or later. */
  parent: string;
  /** `self` (Account.ParentId) or `cycle` (a link dropped to break a cycle). */
  kind: 'self' | 'cycle';
}

export interface WriteOrder {
  /** Object names, parents first; ties broken by name. */
  order: string[];
  /** Lookups to fill in a second pass, sorted by object then field. */
  deferred: DeferredLookup[];
  /** What was done to break cycles, for the plan and the job summary. */
  notes: string[];
}

interface Edge {
  child: string;
  field: string;
  parent: string;
  /** A required lookup (master-detail and the like): its record cannot be created without it. */
  required: boolean;
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Parents before children among `schemas`. When every remaining object waits for another (a cycle),
 * the one with the fewest required lookups into the rest goes next (then the fewest lookups, then
 * the first by name), and its lookups into the rest are deferred: the same input always gives the
 * same order.
 */
export function writeOrder(schemas: readonly ObjectSchema[]): WriteOrder {
  const names = new Set(schemas.map((s) => s.name));
  const edges: Edge[] = [];
  const deferred: DeferredLookup[] = [];
  for (const s of schemas) {
    for (const f of s.fields) {
      if (!f.createable || f.referenceTo.length === 0) continue;
      for (const parent of new Set(f.referenceTo)) {
        if (!names.has(parent)) continue;
        if (parent === s.name) deferred.push({ object: s.name, field: f.name, parent, kind: 'self' });
        else edges.push({ child: s.name, field: f.name, parent, required: !f.nillable });
      }
    }
  }
  const remaining = new Set(names);
  const order: string[] = [];
  const notes: string[] = [];
  const waitingOn = (name: string): Edge[] => edges.filter((e) => e.child === name && remaining.has(e.parent));
  while (remaining.size > 0) {
    const ready = [...remaining].filter((n) => waitingOn(n).length === 0).sort(byName);
    const next = ready[0];
    if (next !== undefined) {
      order.push(next);
      remaining.delete(next);
      continue;
    }
    const pick = [...remaining]
      .map((name) => {
        const waits = waitingOn(name);
        return { name, waits, required: waits.filter((e) => e.required).length };
      })
      .sort((a, b) => a.required - b.required || a.waits.length - b.waits.length || byName(a.name, b.name))[0];
    if (pick === undefined) break;
    for (const e of pick.waits) deferred.push({ object: e.child, field: e.field, parent: e.parent, kind: 'cycle' });
    const links = pick.waits.map((e) => `${e.child}.${e.field} → ${e.parent}`).join(', ');
    notes.push(`cycle: ${pick.name} is written before ${[...new Set(pick.waits.map((e) => e.parent))].sort(byName).join(', ')}; ${links} set in a second pass`);
    order.push(pick.name);
    remaining.delete(pick.name);
  }
  deferred.sort((a, b) => byName(a.object, b.object) || byName(a.field, b.field) || byName(a.parent, b.parent));
  return { order, deferred, notes };
}
