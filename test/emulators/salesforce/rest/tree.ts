// Composite tree (`POST /composite/tree/{Obj}`): parent records with nested child records, saved
// together or not at all. Used by `sf data import tree` and by restores of parent-child graphs.
import { ApiError, notFound, sendJson } from '../http/respond.ts';
import type { Ctx, Router } from '../http/router.ts';
import type { ChildRelationshipDef, ObjectDef } from '../schema/types.ts';
import { atomically, insertRecord, type SaveError, saveError } from '../store/dml.ts';
import { isPlainObject, pathObject, recordBody, rejectUnknownColumns, session } from './records.ts';
import { apiVersion } from './version.ts';

const MAX_RECORDS = 200;
const MAX_DEPTH = 5;
const MAX_TYPES = 5;

interface TreeNode {
  referenceId: string;
  obj: ObjectDef;
  values: Record<string, unknown>;
  depth: number;
  /** The relationship this node hangs under, and its parent node. */
  parent?: { node: TreeNode; rel: ChildRelationshipDef };
  /** Problems found while reading the request (type mismatch, referenceId). */
  problems: SaveError[];
  id?: string;
}

function invalidInput(message: string): SaveError {
  return saveError('INVALID_INPUT', message);
}

function childRelationship(obj: ObjectDef, key: string): ChildRelationshipDef | undefined {
  const k = key.toLowerCase();
  return obj.childRelationships.find((r) => r.relationshipName?.toLowerCase() === k);
}

/** Flattens the request into nodes, breadth first (the order Salesforce lists results in). */
function readTree(ctx: Ctx, root: ObjectDef, records: unknown[]): TreeNode[] {
  const nodes: TreeNode[] = [];
  const seenRefs = new Set<string>();
  let queue: { raw: unknown; expected: ObjectDef; depth: number; parent?: TreeNode['parent'] }[] = records.map((raw) => ({ raw, expected: root, depth: 1 }));
  while (queue.length) {
    const next: typeof queue = [];
    for (const item of queue) {
      if (item.depth > MAX_DEPTH) throw new ApiError(400, 'INVALID_INPUT', `The request exceeds the maximum of ${MAX_DEPTH} levels of nested records`);
      if (!isPlainObject(item.raw)) throw new ApiError(400, 'JSON_PARSER_ERROR', 'Each element of records must be a JSON object');
      const raw = item.raw;
      const attrs = isPlainObject(raw.attributes) ? raw.attributes : {};
      const referenceId = typeof attrs.referenceId === 'string' ? attrs.referenceId : '';
      const problems: SaveError[] = [];
      if (!referenceId) problems.push(invalidInput('Include a reference ID for each record in the request.'));
      else if (seenRefs.has(referenceId)) problems.push(invalidInput(`Duplicate ReferenceId provided in the request: ${referenceId}`));
      seenRefs.add(referenceId);
      if (typeof attrs.type !== 'string' || attrs.type.toLowerCase() !== item.expected.name.toLowerCase()) {
        problems.push(invalidInput(`The type of the record (${String(attrs.type)}) does not match the expected type ${item.expected.name}`));
      }
      const values: Record<string, unknown> = {};
      const node: TreeNode = { referenceId, obj: item.expected, values, depth: item.depth, problems, ...(item.parent ? { parent: item.parent } : {}) };
      for (const [k, v] of Object.entries(raw)) {
        if (k === 'attributes') continue;
        const rel = childRelationship(item.expected, k);
        if (rel && isPlainObject(v) && Array.isArray(v.records)) {
          const child = ctx.state.schema.byName.get(rel.childSObject.toLowerCase());
          if (!child) continue;
          for (const c of v.records) next.push({ raw: c, expected: child, depth: item.depth + 1, parent: { node, rel } });
        } else {
          values[k] = v;
        }
      }
      rejectUnknownColumns(session(ctx).org, item.expected, values);
      nodes.push(node);
      if (nodes.length > MAX_RECORDS) {
        throw new ApiError(400, 'EXCEEDED_ID_LIMIT', `record limit reached. cannot submit more than ${MAX_RECORDS} records into this call`);
      }
    }
    queue = next;
  }
  const types = new Set(nodes.map((n) => n.obj.name));
  if (types.size > MAX_TYPES) throw new ApiError(400, 'INVALID_INPUT', `The request exceeds the maximum of ${MAX_TYPES} different object types`);
  return nodes;
}

export function registerTreeRoutes(router: Router): void {
  router.add(
    'POST',
    '/services/data/:version/composite/tree/:sobject',
    async (ctx) => {
      if (Number(apiVersion(ctx)) < 38) throw notFound();
      const { org, user } = session(ctx);
      const root = pathObject(ctx);
      const body = await recordBody(ctx);
      if (!Array.isArray(body.records)) throw new ApiError(400, 'JSON_PARSER_ERROR', 'records is required and must be an array');
      const nodes = readTree(ctx, root, body.records);
      const failures = atomically(
        org,
        () => {
          const out: { referenceId: string; errors: SaveError[] }[] = [];
          for (const n of nodes) {
            if (n.problems.length) {
              out.push({ referenceId: n.referenceId, errors: n.problems });
              continue;
            }
            // Children of a record that failed have no parent to hang under: they are not attempted.
            if (n.parent && !n.parent.node.id) continue;
            const values = n.parent ? { ...n.values, [n.parent.rel.field]: n.parent.node.id } : n.values;
            const res = insertRecord(org, n.obj, values, { userId: user.id, source: 'json' });
            if (res.success && res.id) n.id = res.id;
            else out.push({ referenceId: n.referenceId, errors: res.errors });
          }
          return out;
        },
        (out) => out.length === 0,
      );
      if (failures.length) {
        sendJson(ctx.res, 400, { hasErrors: true, results: failures });
        return;
      }
      sendJson(ctx.res, 201, { hasErrors: false, results: nodes.map((n) => ({ referenceId: n.referenceId, id: n.id })) });
    },
    { auth: 'bearer' },
  );
}
