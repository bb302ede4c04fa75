// SOQL → SQL over the org store. Names are resolved against the schema (canonical case in every
// output), parent paths become LEFT JOINs (one per candidate object for polymorphic references),
// filters follow SOQL semantics (case-insensitive text, null as a value, date literal ranges).
import type {
  ConditionWithValueQuery,
  FieldType,
  FunctionExp,
  LiteralType,
  OrderByClause,
  Query,
  Subquery,
  ValueQueryCondition,
} from '@jetstreamapp/soql-parser-js';
import { isoDateTime, parseSfDateTime } from '../clock.ts';
import { ApiError } from '../http/respond.ts';
import { isValidIdShape, to18 } from '../ids.ts';
import type { Org } from '../model.ts';
import { defineField } from '../schema/define.ts';
import { type FieldDef, getField, getObject, type ObjectDef } from '../schema/types.ts';
import { q } from '../store/db.ts';
import type { SqlValue } from '../store/values.ts';
import { type DayRange, dateLiteralRange } from './dates.ts';
import type { At, SoqlErrors } from './errors.ts';
import { type CondNode, conditionTree, type ParsedSoql, unquote } from './parse.ts';
import {
  type AggOut,
  type AggregatePlan,
  andFrags,
  type ChildOut,
  type ChildPlan,
  type CountPlan,
  type FlatColumn,
  type Frag,
  type Out,
  type ParentOut,
  type QueryPlan,
  type RecordPlan,
  TRUE_FRAG,
} from './plan.ts';
import { isQueryableSource, tableRef } from './sources.ts';

export interface CompileSettings {
  allRows: boolean;
  now: number;
  /** `bulk` refuses what Bulk API 2.0 refuses; `rest` builds the JSON record shape. */
  mode: 'rest' | 'bulk';
}

const TEXT_TYPES = new Set(['string', 'textarea', 'picklist', 'multipicklist', 'combobox', 'email', 'phone', 'url', 'encryptedstring', 'time', 'anyType']);
const NUMBER_TYPES = new Set(['int', 'long', 'double', 'currency', 'percent']);
const DATE_FUNCTIONS = new Set([
  'CALENDAR_YEAR',
  'FISCAL_YEAR',
  'CALENDAR_MONTH',
  'FISCAL_MONTH',
  'CALENDAR_QUARTER',
  'FISCAL_QUARTER',
  'DAY_IN_MONTH',
  'DAY_IN_YEAR',
  'DAY_IN_WEEK',
  'WEEK_IN_YEAR',
  'WEEK_IN_MONTH',
  'HOUR_IN_DAY',
  'DAY_ONLY',
]);
const MAX_PARENT_DEPTH = 5;
const MAX_OFFSET = 2000;
const FIELDS_LIMIT = 200;
const AGGREGATES = new Set(['COUNT', 'COUNT_DISTINCT', 'SUM', 'AVG', 'MIN', 'MAX']);
const PASS_THROUGH = new Set(['TOLABEL', 'FORMAT', 'CONVERTCURRENCY', 'CONVERTTIMEZONE']);

/**
 * A polymorphic relationship points at the "Name" entity, which has only these fields (whichever of
 * them the actual parent has).
 */
const NAME_ENTITY_FIELDS = new Set(
  [
    'Id',
    'Name',
    'Type',
    'Alias',
    'FirstName',
    'LastName',
    'Email',
    'Phone',
    'Title',
    'Username',
    'IsActive',
    'UserRoleId',
    'ProfileId',
    'RecordTypeId',
    'CommunityNickname',
    'Department',
    'City',
    'Extension',
    'LastReferencedDate',
    'LastViewedDate',
    'NameOrAlias',
    'SmallPhotoUrl',
    'MediumPhotoUrl',
    'FullPhotoUrl',
  ].map((n) => n.toLowerCase()),
);

/** Polymorphic relationships expose the target's object name as `Type`. */
const TYPE_FIELD: FieldDef = defineField({ name: 'Type', type: 'string', length: 40, createable: false, updateable: false });

interface Target {
  obj: ObjectDef;
  alias: string;
}

interface RelNode {
  key: string;
  /** Reference field on the child side. */
  field: FieldDef;
  targets: Target[];
  depth: number;
}

export interface Resolved {
  nodes: RelNode[];
  field: FieldDef;
  /** SQL expression ('' for compound fields, which have no column). */
  sql: string;
  /** Canonical dotted path (`Account.Owner.Name`). */
  path: string;
  /** Component columns of a compound field. */
  parts?: { field: FieldDef; sql: string }[];
}

class Scope {
  readonly obj: ObjectDef;
  readonly alias: string;
  readonly soqlAlias: string | undefined;
  readonly nodes = new Map<string, RelNode>();
  readonly joins: string[] = [];
  constructor(obj: ObjectDef, alias: string, soqlAlias: string | undefined) {
    this.obj = obj;
    this.alias = alias;
    this.soqlAlias = soqlAlias?.toLowerCase();
  }
}

interface Container {
  /** Leaf columns in SELECT order (top level only). */
  flat?: FlatColumn[];
  entries: Out[];
  keys: Set<string>;
  parents: Map<string, ParentOut>;
  idCol: number;
  type: string | null;
}

function nodeIdSql(node: RelNode): string {
  if (node.targets.length === 1) return `${(node.targets[0] as Target).alias}."Id"`;
  return `COALESCE(${node.targets.map((t) => `${t.alias}."Id"`).join(', ')})`;
}

function lcfirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** JSON key of an address/location component: `BillingStateCode` of `BillingAddress` → `stateCode`. */
export function componentKey(compound: FieldDef, part: FieldDef): string {
  const base = compound.name.replace(/Address$/, '').replace(/__c$/, '__');
  let rest = part.name.startsWith(base) ? part.name.slice(base.length) : part.name;
  rest = rest.replace(/^__/, '').replace(/__s$/, '');
  return lcfirst(rest);
}

function literalTypes(cond: { literalType?: LiteralType | LiteralType[] }, n: number): LiteralType[] {
  const lt = cond.literalType;
  if (Array.isArray(lt)) return lt;
  return Array.from({ length: n }, () => lt ?? 'STRING');
}

function typeName(f: FieldDef): string {
  if (f.type === 'datetime') return 'dateTime';
  if (f.type === 'int') return 'integer';
  if (NUMBER_TYPES.has(f.type)) return f.type === 'long' ? 'long' : 'double';
  if (f.type === 'boolean' || f.type === 'date') return f.type;
  return 'string';
}

type Lit = { kind: 'value'; v: SqlValue } | { kind: 'null' } | { kind: 'range'; r: DayRange };

export class Compiler {
  private readonly org: Org;
  private readonly parsed: ParsedSoql;
  private readonly errors: SoqlErrors;
  private readonly settings: CompileSettings;
  private seq = 0;
  private whereAt = 0;

  constructor(org: Org, parsed: ParsedSoql, settings: CompileSettings) {
    this.org = org;
    this.parsed = parsed;
    this.errors = parsed.errors;
    this.settings = settings;
  }

  private alias(): string {
    return `t${this.seq++}`;
  }

  private object(name: string, at: At): ObjectDef {
    const obj = getObject(this.org.store.schema, name);
    if (!obj || !isQueryableSource(obj)) throw this.errors.unsupportedType(at, name);
    return obj;
  }

  private bulkReject(message: string): void {
    if (this.settings.mode === 'bulk') throw new ApiError(400, 'API_ERROR', message);
  }

  // ---- name resolution ----------------------------------------------------------------------

  resolve(scope: Scope, raw: string, from = 0): Resolved {
    const at: At = { name: raw, from };
    let segs = raw.split('.');
    if (segs.length > 1 && scope.soqlAlias && (segs[0] as string).toLowerCase() === scope.soqlAlias) segs = segs.slice(1);
    const nodes: RelNode[] = [];
    let node: RelNode | null = null;
    const names: string[] = [];
    for (const seg of segs.slice(0, -1)) {
      if (node && node.targets.length > 1) throw this.errors.badRelationship(at, seg);
      const obj: ObjectDef = node ? (node.targets[0] as Target).obj : scope.obj;
      const ref = obj.relationshipMap.get(seg.toLowerCase());
      if (!ref) throw this.errors.badRelationship(at, seg);
      const depth: number = (node?.depth ?? 0) + 1;
      if (depth > MAX_PARENT_DEPTH) {
        throw this.errors.malformed(at, 'A driving SObject type can only be followed by five levels of relationship fields.');
      }
      const key: string = `${node?.key ?? ''}.${seg.toLowerCase()}`;
      let next = scope.nodes.get(key);
      if (!next) {
        const parentAlias = node ? (node.targets[0] as Target).alias : scope.alias;
        const targets: Target[] = [];
        for (const name of ref.referenceTo) {
          const t = getObject(this.org.store.schema, name);
          if (!t || !isQueryableSource(t)) continue;
          const alias = this.alias();
          targets.push({ obj: t, alias });
          scope.joins.push(`LEFT JOIN ${tableRef(this.org, t)} ${alias} ON ${alias}."Id" = ${parentAlias}.${q(ref.name)}`);
        }
        if (targets.length === 0) throw this.errors.badRelationship(at, seg);
        next = { key, field: ref, targets, depth };
        scope.nodes.set(key, next);
      }
      node = next;
      nodes.push(node);
      names.push(ref.relationshipName as string);
    }
    const leaf = segs[segs.length - 1] as string;
    if (!node) {
      const f = getField(scope.obj, leaf);
      if (!f) throw this.errors.noSuchColumn(at, leaf, scope.obj.name);
      return this.leaf(scope.obj, scope.alias, f, nodes, names);
    }
    if (node.targets.length === 1) {
      const t = node.targets[0] as Target;
      const f = getField(t.obj, leaf);
      if (!f) throw this.errors.noSuchColumn(at, leaf, t.obj.name);
      return this.leaf(t.obj, t.alias, f, nodes, names);
    }
    if (leaf.toLowerCase() === 'type') {
      const sql = `CASE ${node.targets.map((t) => `WHEN ${t.alias}."Id" IS NOT NULL THEN '${t.obj.name}'`).join(' ')} END`;
      return { nodes, field: TYPE_FIELD, sql, path: [...names, 'Type'].join('.') };
    }
    // The polymorphic "Name" entity: a target without a Name field shows its name field (CaseNumber).
    if (!NAME_ENTITY_FIELDS.has(leaf.toLowerCase())) throw this.errors.noSuchColumn(at, leaf, 'Name');
    const fieldOf = (t: Target) => getField(t.obj, leaf) ?? (leaf.toLowerCase() === 'name' ? t.obj.fields.find((x) => x.nameField) : undefined);
    const having = node.targets.filter((t) => fieldOf(t)?.stored);
    const named = having.find((t) => getField(t.obj, leaf));
    if (!named) throw this.errors.noSuchColumn(at, leaf, 'Name');
    const f = getField(named.obj, leaf) as FieldDef;
    if (f.type === 'base64') throw this.errors.noSuchColumn(at, leaf, 'Name');
    const cols = having.map((t) => `${t.alias}.${q((fieldOf(t) as FieldDef).name)}`);
    const sql = cols.length === 1 ? (cols[0] as string) : `COALESCE(${cols.join(', ')})`;
    return { nodes, field: f, sql, path: [...names, f.name].join('.') };
  }

  private leaf(obj: ObjectDef, alias: string, f: FieldDef, nodes: RelNode[], names: string[]): Resolved {
    const path = [...names, f.name].join('.');
    if (f.stored) return { nodes, field: f, sql: `${alias}.${q(f.name)}`, path };
    const parts = obj.fields.filter((c) => c.compoundFieldName === f.name && c.stored).map((c) => ({ field: c, sql: `${alias}.${q(c.name)}` }));
    return { nodes, field: f, sql: '', path, parts };
  }

  // ---- entry points -------------------------------------------------------------------------

  compile(): QueryPlan {
    const query = this.parsed.query;
    const base = this.parsed.src.keyword('SELECT');
    this.checkClauses(query, base);
    const obj = this.object(query.sObject as string, { name: query.sObject as string, from: this.parsed.src.clause('FROM', base) });
    const scope = new Scope(obj, this.alias(), query.sObjectAlias);
    const fields = query.fields ?? [];
    const isAggregate = query.groupBy !== undefined || fields.some((f) => f.type === 'FieldFunctionExpression' && f.isAggregateFn);
    const countOnly = fields.some((f) => f.type === 'FieldFunctionExpression' && f.functionName.toUpperCase() === 'COUNT' && f.parameters.length === 0);
    if (isAggregate) this.bulkReject(query.groupBy ? 'GROUP BY is not supported by Bulk API query' : 'Aggregate functions are not supported by Bulk API query');
    if (query.offset !== undefined) this.bulkReject('OFFSET is not supported by Bulk API query');
    if (query.offset !== undefined && query.offset > MAX_OFFSET) {
      throw new ApiError(400, 'NUMBER_OUTSIDE_VALID_RANGE', `Maximum SOQL offset allowed is ${MAX_OFFSET}`);
    }
    if (countOnly) return { kind: 'count', plan: this.countPlan(scope, query, base) };
    if (isAggregate) return { kind: 'aggregate', plan: this.aggregatePlan(scope, query, base) };
    return { kind: 'records', plan: this.recordPlan(scope, query, null, base) };
  }

  /**
   * Clauses that change nothing for an admin reading data (USING SCOPE everything, WITH
   * SECURITY_ENFORCED / USER_MODE, FOR VIEW / REFERENCE, UPDATE TRACKING / VIEWSTAT) are accepted;
   * the rest (other scopes, data categories, Apex-only FOR UPDATE) are refused.
   */
  private checkClauses(query: Query | Subquery, base: number): void {
    const src = this.parsed.src;
    if (query.usingScope && query.usingScope.toLowerCase() !== 'everything') throw this.errors.unexpected(src.clause('USING', base), 'USING');
    if (query.withDataCategory) throw this.errors.unexpected(src.clause('WITH', base), 'WITH');
    if (query.for === 'UPDATE') throw this.errors.unexpected(src.clause('FOR', base), 'FOR');
  }

  /** Where each SELECT item of a (sub)query starts in the text. */
  private itemOffsets(fields: FieldType[], base: number): number[] {
    const leads = fields.map((f) => {
      switch (f.type) {
        case 'Field':
          return 'rawValue' in f && typeof f.rawValue === 'string' ? f.rawValue : f.field;
        case 'FieldRelationship':
          return f.rawValue ?? [...f.relationships, f.field].join('.');
        case 'FieldFunctionExpression':
          return f.functionName;
        case 'FieldSubquery':
          return '(';
        default:
          return 'TYPEOF';
      }
    });
    return this.parsed.src.itemOffsets(base, leads);
  }

  // ---- records ------------------------------------------------------------------------------

  private recordPlan(scope: Scope, query: Query | Subquery, child: { fkField: string; relationshipName: string } | null, base: number): RecordPlan {
    const select: string[] = [];
    const add = (sql: string) => select.push(sql) - 1;
    const idCol = add(`${scope.alias}."Id"`);
    const root: Container = { entries: [], keys: new Set(), parents: new Map(), idCol, type: scope.obj.name, flat: [] };
    const fields = query.fields ?? [];
    const offsets = this.itemOffsets(fields, base);
    const usesFieldsAllOrCustom = fields.some(
      (f) => f.type === 'FieldFunctionExpression' && f.functionName.toUpperCase() === 'FIELDS' && String(f.parameters[0] ?? '').toUpperCase() !== 'STANDARD',
    );
    if (usesFieldsAllOrCustom && (query.limit === undefined || query.limit > FIELDS_LIMIT)) {
      throw this.errors.malformed(this.parsed.src.clause('FIELDS', base), `The SOQL FIELDS function must have a LIMIT of at most ${FIELDS_LIMIT}`);
    }
    fields.forEach((item, i) => {
      this.selectItem(scope, item, root, add, offsets[i] ?? base, child !== null);
    });
    const where = this.whereFrag(scope, query, base);
    const { terms, explicit } = this.orderTerms(scope, query.orderBy, base);
    if (child && query.offset !== undefined) throw this.errors.unexpected(this.parsed.src.clause('OFFSET', base), 'OFFSET');
    const plan: RecordPlan = {
      obj: scope.obj,
      alias: scope.alias,
      select,
      idCol,
      outs: root.entries,
      flat: root.flat ?? [],
      from: `${tableRef(this.org, scope.obj)} ${scope.alias}`,
      joins: scope.joins,
      where,
      orderBy: [...terms, `${scope.alias}.rowid`],
      hasOrderBy: explicit,
      limit: query.limit,
      offset: query.offset,
    };
    if (!child) return plan;
    const childPlan: ChildPlan = { ...plan, ...child };
    return childPlan;
  }

  private selectItem(scope: Scope, item: FieldType, root: Container, add: (sql: string) => number, selectAt: number, inChild: boolean): void {
    switch (item.type) {
      case 'Field':
      case 'FieldRelationship': {
        const raw = item.type === 'Field' ? item.field : [...item.relationships, item.field].join('.');
        if ('alias' in item && item.alias) {
          throw this.errors.malformed({ name: item.alias, from: selectAt }, 'Only aggregate expressions use field aliasing');
        }
        this.addField(root, this.resolve(scope, raw, selectAt), add, raw, selectAt);
        return;
      }
      case 'FieldFunctionExpression': {
        const fn = item.functionName.toUpperCase();
        if (fn === 'FIELDS') {
          this.bulkReject('FIELDS() is not supported by Bulk API query');
          const which = String(item.parameters[0] ?? '').toUpperCase();
          for (const f of scope.obj.fields) {
            if (which === 'CUSTOM' && !f.custom) continue;
            if (which === 'STANDARD' && f.custom) continue;
            this.addField(root, this.resolve(scope, f.name), add, f.name, selectAt);
          }
          return;
        }
        if (PASS_THROUGH.has(fn) && item.parameters.length === 1 && typeof item.parameters[0] === 'string') {
          const raw = item.parameters[0];
          this.addField(root, this.resolve(scope, raw, selectAt), add, raw, selectAt);
          return;
        }
        throw this.errors.unexpected({ name: item.rawValue ?? item.functionName, from: selectAt }, item.functionName);
      }
      case 'FieldSubquery': {
        this.bulkReject('Aggregate Relationships not supported in Bulk Query');
        if (inChild) throw this.errors.unexpected({ name: 'SELECT', from: selectAt + 1 }, 'SELECT');
        const sub = item.subquery;
        const childOut = this.childOut(scope, sub, selectAt);
        const lower = childOut.key.toLowerCase();
        if (root.keys.has(lower)) throw this.errors.error('INVALID_FIELD', { name: sub.relationshipName }, `duplicate field selected: ${childOut.key}`);
        root.keys.add(lower);
        root.entries.push(childOut);
        return;
      }
      case 'FieldTypeof':
        this.bulkReject('TYPEOF is not supported by Bulk API query');
        throw this.errors.unexpected({ name: 'TYPEOF', from: selectAt }, 'TYPEOF');
    }
  }

  private addField(root: Container, r: Resolved, add: (sql: string) => number, raw: string, selectAt: number): void {
    const flat = root.flat;
    let c = root;
    for (const node of r.nodes) c = this.parentContainer(c, node, add);
    const key = r.field.name;
    const lower = key.toLowerCase();
    if (c.keys.has(lower)) throw this.errors.error('INVALID_FIELD', { name: raw, from: selectAt }, `duplicate field selected: ${key}`);
    c.keys.add(lower);
    if (r.parts) {
      this.bulkReject('Selecting compound data not supported in Bulk Query');
      c.entries.push({
        k: 'compound',
        key,
        field: r.field,
        parts: r.parts.map((p) => ({ key: componentKey(r.field, p.field), field: p.field, col: add(p.sql) })),
      });
      return;
    }
    if (r.field.type === 'base64') {
      this.bulkReject('Binary fields are not supported by Bulk API query');
      c.entries.push({ k: 'blob', key, field: r.field, col: add(`(${r.sql} IS NOT NULL)`), idCol: c.idCol, type: c.type });
      return;
    }
    const col = add(r.sql);
    c.entries.push({ k: 'value', key, field: r.field, col });
    flat?.push({ header: r.path, field: r.field, col });
  }

  private parentContainer(c: Container, node: RelNode, add: (sql: string) => number): ParentOut {
    const existing = c.parents.get(node.key);
    if (existing) return existing;
    const key = node.field.relationshipName as string;
    const out: ParentOut = {
      k: 'parent',
      key,
      field: node.field,
      idCol: add(nodeIdSql(node)),
      type: node.targets.length === 1 ? (node.targets[0] as Target).obj.name : null,
      entries: [],
      keys: new Set(),
      parents: new Map(),
    };
    c.parents.set(node.key, out);
    c.entries.push(out);
    return out;
  }

  private childOut(scope: Scope, sub: Subquery, itemAt: number): ChildOut {
    const relName = sub.relationshipName;
    const base = this.parsed.src.find('SELECT', itemAt)?.start ?? itemAt;
    const relAt: At = { name: relName, from: base };
    const rel = scope.obj.childRelationships.find((r) => r.relationshipName?.toLowerCase() === relName.toLowerCase());
    if (!rel) throw this.errors.badChildRelationship(relAt, relName);
    const childObj = getObject(this.org.store.schema, rel.childSObject);
    if (!childObj || !isQueryableSource(childObj)) throw this.errors.badChildRelationship(relAt, relName);
    this.checkClauses(sub, base);
    const childScope = new Scope(childObj, this.alias(), sub.sObjectAlias);
    if ((sub.fields ?? []).some((f) => f.type === 'FieldFunctionExpression' && f.isAggregateFn) || sub.groupBy) {
      throw this.errors.malformed(relAt, 'Aggregate functions are not supported in a subquery');
    }
    const plan = this.recordPlan(childScope, sub, { fkField: rel.field, relationshipName: rel.relationshipName as string }, base) as ChildPlan;
    return { k: 'children', key: rel.relationshipName as string, child: plan };
  }

  // ---- WHERE --------------------------------------------------------------------------------

  private deletedFilter(scope: Scope): Frag {
    if (this.settings.allRows || !scope.obj.fieldMap.has('isdeleted')) return TRUE_FRAG;
    return { sql: `${scope.alias}."IsDeleted" = 0`, params: [] };
  }

  private whereFrag(scope: Scope, query: Query | Subquery, base: number): Frag {
    const deleted = this.deletedFilter(scope);
    if (!query.where) return deleted;
    const at = this.parsed.src.clause('WHERE', base);
    this.whereAt = at;
    const tree = conditionTree(query.where, this.errors, at);
    return andFrags([deleted, this.condTree(scope, tree, (s, c) => this.condition(s, c))]);
  }

  private condTree(scope: Scope, node: CondNode, leaf: (scope: Scope, cond: ConditionWithValueQuery) => Frag): Frag {
    switch (node.kind) {
      case 'cond':
        return leaf(scope, node.cond);
      case 'not': {
        const inner = this.condTree(scope, node.item, leaf);
        return { sql: `NOT COALESCE((${inner.sql}), 0)`, params: inner.params };
      }
      default: {
        const parts = node.items.map((n) => this.condTree(scope, n, leaf));
        const glue = node.kind === 'and' ? ' AND ' : ' OR ';
        return { sql: parts.map((p) => `(${p.sql})`).join(glue), params: parts.flatMap((p) => p.params) };
      }
    }
  }

  private condition(scope: Scope, cond: ConditionWithValueQuery): Frag {
    if ('valueQuery' in cond && cond.valueQuery) return this.semiJoin(scope, cond as ValueQueryCondition);
    if ('fn' in cond) {
      const fn = this.functionSql(scope, cond.fn, this.whereAt);
      return this.compare(fn.sql, fn.field, cond.operator, cond as { value: string | string[]; literalType?: LiteralType | LiteralType[] }, fn.name);
    }
    const c = cond as { field: string; operator: string; value: string | string[]; literalType?: LiteralType | LiteralType[] };
    const r = this.resolve(scope, c.field, this.whereAt);
    if (!r.field.filterable || r.parts) {
      throw this.errors.error('INVALID_FIELD', { name: c.field, from: this.whereAt }, `field '${r.field.name}' can not be filtered in a query call`);
    }
    return this.compare(r.sql, r.field, c.operator, c, c.field);
  }

  private semiJoin(scope: Scope, cond: ValueQueryCondition): Frag {
    const r = this.resolve(scope, cond.field, this.whereAt);
    if (r.field.type !== 'id' && r.field.type !== 'reference') {
      throw this.errors.malformed({ name: cond.field, from: this.whereAt }, `semi join sub selects can only query id fields, cannot use: '${r.field.name}'`);
    }
    const sub = cond.valueQuery;
    const inner = this.object(sub.sObject as string, { name: sub.sObject as string, from: this.whereAt });
    const innerScope = new Scope(inner, this.alias(), sub.sObjectAlias);
    const fields = sub.fields ?? [];
    const only = fields[0];
    if (fields.length !== 1 || !only || (only.type !== 'Field' && only.type !== 'FieldRelationship')) {
      throw this.errors.malformed({ name: 'SELECT', from: this.whereAt }, 'semi join sub-selects must select exactly one id field');
    }
    const raw = only.type === 'Field' ? only.field : [...only.relationships, only.field].join('.');
    const selected = this.resolve(innerScope, raw, this.whereAt);
    if (selected.field.type !== 'id' && selected.field.type !== 'reference') {
      throw this.errors.malformed({ name: raw, from: this.whereAt }, `semi join sub selects can only query id fields, cannot use: '${selected.field.name}'`);
    }
    const innerWhere = sub.where
      ? andFrags([
          this.deletedFilter(innerScope),
          this.condTree(innerScope, conditionTree(sub.where, this.errors, this.whereAt), (s, c) => this.condition(s, c)),
        ])
      : this.deletedFilter(innerScope);
    const negate = cond.operator.toUpperCase() === 'NOT IN';
    const notNull = negate ? ` AND ${selected.sql} IS NOT NULL` : '';
    let sql = `SELECT ${selected.sql} FROM ${tableRef(this.org, inner)} ${innerScope.alias}${innerScope.joins.map((j) => ` ${j}`).join('')} WHERE (${innerWhere.sql})${notNull}`;
    const params = [...innerWhere.params];
    if (sub.limit !== undefined) {
      sql += ' LIMIT ?';
      params.push(sub.limit);
    }
    if (negate) return { sql: `(${r.sql} IS NULL OR ${r.sql} NOT IN (${sql}))`, params };
    if (cond.operator.toUpperCase() !== 'IN') throw this.errors.unexpected({ name: 'SELECT', from: this.whereAt }, 'SELECT');
    return { sql: `${r.sql} IN (${sql})`, params };
  }

  /** Date functions usable in WHERE, GROUP BY and SELECT of aggregate queries. */
  private functionSql(scope: Scope, fn: FunctionExp, at: number): { sql: string; field: FieldDef; name: string; arg: Resolved } {
    const name = (fn.functionName ?? '').toUpperCase();
    if (!DATE_FUNCTIONS.has(name)) throw this.errors.unexpected({ name: fn.functionName ?? name, from: at }, fn.functionName ?? '');
    const param = fn.parameters?.[0];
    let inner: FunctionExp | string | undefined = param;
    while (typeof inner === 'object' && PASS_THROUGH.has((inner.functionName ?? '').toUpperCase())) inner = inner.parameters?.[0];
    if (typeof inner !== 'string') throw this.errors.unexpected({ name: fn.rawValue ?? name, from: at }, fn.functionName ?? '');
    const arg = this.resolve(scope, inner, at);
    const int = (sql: string) => ({ sql, field: INT_FIELD, name: fn.rawValue ?? name, arg });
    const isDateish = arg.field.type === 'date' || arg.field.type === 'datetime';
    const strf = (f: string) => `CAST(strftime('${f}', ${arg.sql}) AS INTEGER)`;
    if (!isDateish && name !== 'DAY_ONLY') throw this.errors.malformed({ name: inner, from: at }, `${fn.functionName} only supports date and dateTime fields`);
    switch (name) {
      case 'CALENDAR_YEAR':
      case 'FISCAL_YEAR':
        return int(strf('%Y'));
      case 'CALENDAR_MONTH':
      case 'FISCAL_MONTH':
        return int(strf('%m'));
      case 'CALENDAR_QUARTER':
      case 'FISCAL_QUARTER':
        return int(`((${strf('%m')} + 2) / 3)`);
      case 'DAY_IN_MONTH':
        return int(strf('%d'));
      case 'DAY_IN_YEAR':
        return int(strf('%j'));
      case 'DAY_IN_WEEK':
        return int(`(${strf('%w')} + 1)`);
      case 'WEEK_IN_YEAR':
        return int(`((${strf('%j')} - 1) / 7 + 1)`);
      case 'WEEK_IN_MONTH':
        return int(`((${strf('%d')} - 1) / 7 + 1)`);
      case 'HOUR_IN_DAY':
        return int(strf('%H'));
      case 'DAY_ONLY':
        if (arg.field.type !== 'datetime') throw this.errors.malformed({ name: inner, from: at }, 'DAY_ONLY only supports dateTime fields');
        return { sql: `substr(${arg.sql}, 1, 10)`, field: DATE_FIELD, name: fn.rawValue ?? name, arg };
    }
    throw this.errors.unexpected({ name: fn.rawValue ?? name, from: at }, fn.functionName ?? '');
  }

  private literal(field: FieldDef, raw: string, type: LiteralType, like: boolean, at: At): Lit {
    const t = field.type;
    if (type === 'NULL') return { kind: 'null' };
    const isText = TEXT_TYPES.has(t);
    const isId = t === 'id' || t === 'reference';
    const mismatch = () => this.errors.filterType(at, field.name, typeName(field), isText || isId);
    switch (type) {
      case 'STRING': {
        if (isText) return { kind: 'value', v: unquote(raw, like) };
        if (isId) {
          const s = unquote(raw, like);
          if (like) return { kind: 'value', v: s };
          if (!isValidIdShape(s)) throw this.errors.error('INVALID_QUERY_FILTER_OPERATOR', at, `invalid ID field: ${s}`);
          return { kind: 'value', v: to18(s.slice(0, 15)) };
        }
        throw mismatch();
      }
      case 'INTEGER':
      case 'DECIMAL':
      case 'INTEGER_WITH_CURRENCY_PREFIX':
      case 'DECIMAL_WITH_CURRENCY_PREFIX': {
        if (!NUMBER_TYPES.has(t)) throw mismatch();
        return { kind: 'value', v: Number(raw.replace(/^[A-Za-z]{3}/, '')) };
      }
      case 'BOOLEAN':
        if (t !== 'boolean') throw mismatch();
        return { kind: 'value', v: raw.toUpperCase() === 'TRUE' ? 1 : 0 };
      case 'DATE':
        if (t !== 'date') throw mismatch();
        return { kind: 'value', v: raw };
      case 'DATETIME': {
        if (t !== 'datetime') throw mismatch();
        const ms = parseSfDateTime(raw);
        if (ms === undefined) throw this.errors.error('INVALID_QUERY_FILTER_OPERATOR', at, `invalid date: ${raw}`);
        return { kind: 'value', v: isoDateTime(ms) };
      }
      case 'DATE_LITERAL':
      case 'DATE_N_LITERAL': {
        if (t !== 'date' && t !== 'datetime') throw mismatch();
        const r = dateLiteralRange(raw, this.settings.now);
        if (!r) throw this.errors.unexpected(at, raw);
        return { kind: 'range', r: t === 'date' ? r : { start: `${r.start}T00:00:00.000Z`, end: `${r.end}T00:00:00.000Z` } };
      }
      default:
        throw this.errors.unexpected(at, raw);
    }
  }

  /** `expr op literal(s)` with SOQL's semantics; `name` locates errors. */
  compare(
    column: string,
    field: FieldDef,
    operator: string,
    cond: { value: string | string[]; literalType?: LiteralType | LiteralType[] },
    name: string,
  ): Frag {
    const at: At = { name, from: this.whereAt };
    const op = operator.toUpperCase() === '<>' ? '!=' : operator.toUpperCase();
    const raws = Array.isArray(cond.value) ? cond.value : [cond.value];
    const types = literalTypes(cond, raws.length);
    const like = op === 'LIKE';
    const lits = raws.map((raw, i) => this.literal(field, raw, types[i] ?? 'STRING', like, at));
    const isText = TEXT_TYPES.has(field.type);
    const coll = isText ? ' COLLATE NOCASE' : '';
    // A checkbox is never null on Salesforce: treat a missing value as false.
    const expr = field.type === 'boolean' ? `COALESCE(${column}, 0)` : column;
    const one = lits[0] as Lit;
    const list = op === 'IN' || op === 'NOT IN' || op === 'INCLUDES' || op === 'EXCLUDES';
    if (!list && lits.length !== 1) throw this.errors.unexpected(at, '(');
    const rangeEq = (r: DayRange): Frag => ({ sql: `(${expr} >= ? AND ${expr} < ?)`, params: [r.start, r.end] });
    switch (op) {
      case '=':
        if (one.kind === 'null') return { sql: `${expr} IS NULL`, params: [] };
        if (one.kind === 'range') return rangeEq(one.r);
        return { sql: `${expr} = ?${coll}`, params: [one.v] };
      case '!=':
        if (one.kind === 'null') return { sql: `${expr} IS NOT NULL`, params: [] };
        if (one.kind === 'range') return { sql: `(${expr} IS NULL OR ${expr} < ? OR ${expr} >= ?)`, params: [one.r.start, one.r.end] };
        return { sql: `(${expr} IS NULL OR ${expr} <> ?${coll})`, params: [one.v] };
      case '<':
      case '<=':
      case '>':
      case '>=': {
        if (one.kind === 'null') return { sql: '0', params: [] };
        if (one.kind === 'range') {
          const bound = op === '<' || op === '>=' ? one.r.start : one.r.end;
          const sqlOp = op === '<' || op === '<=' ? '<' : '>=';
          return { sql: `${expr} ${sqlOp} ?`, params: [bound] };
        }
        return { sql: `${expr} ${op} ?${coll}`, params: [one.v] };
      }
      case 'LIKE':
        if (!isText && field.type !== 'id' && field.type !== 'reference') {
          throw this.errors.error('INVALID_QUERY_FILTER_OPERATOR', at, `invalid operator on ${typeName(field)} field: LIKE`);
        }
        if (one.kind !== 'value') return { sql: '0', params: [] };
        return { sql: `${expr} LIKE ? ESCAPE '\\'`, params: [one.v] };
      case 'IN':
      case 'NOT IN': {
        const values = lits.filter((l): l is { kind: 'value'; v: SqlValue } => l.kind === 'value').map((l) => l.v);
        const ranges = lits.filter((l): l is { kind: 'range'; r: DayRange } => l.kind === 'range').map((l) => rangeEq(l.r));
        const hasNull = lits.some((l) => l.kind === 'null');
        const parts: Frag[] = [];
        if (values.length) parts.push({ sql: `${expr}${coll} IN (${values.map(() => '?').join(', ')})`, params: values });
        parts.push(...ranges);
        if (hasNull) parts.push({ sql: `${expr} IS NULL`, params: [] });
        const any: Frag = parts.length
          ? { sql: parts.map((p) => `(${p.sql})`).join(' OR '), params: parts.flatMap((p) => p.params) }
          : { sql: '0', params: [] };
        if (op === 'IN') return any;
        const nullOk = hasNull ? '' : `${expr} IS NULL OR `;
        return { sql: `(${nullOk}NOT (${any.sql}))`, params: any.params };
      }
      case 'INCLUDES':
      case 'EXCLUDES': {
        if (field.type !== 'multipicklist') {
          throw this.errors.error('INVALID_QUERY_FILTER_OPERATOR', at, 'includes or excludes operator only valid on multipicklist field');
        }
        const alts: Frag[] = [];
        for (const l of lits) {
          if (l.kind !== 'value') continue;
          const items = String(l.v)
            .split(';')
            .map((s) => s.trim())
            .filter((s) => s !== '');
          if (items.length === 0) continue;
          alts.push({
            sql: items.map(() => `(';' || ${expr} || ';') LIKE ? ESCAPE '\\'`).join(' AND '),
            params: items.map((s) => `%;${s.replace(/[\\%_]/g, (m) => `\\${m}`)};%`),
          });
        }
        const any: Frag = alts.length ? { sql: alts.map((a) => `(${a.sql})`).join(' OR '), params: alts.flatMap((a) => a.params) } : { sql: '0', params: [] };
        if (op === 'INCLUDES') return { sql: `(${expr} IS NOT NULL AND (${any.sql}))`, params: any.params };
        return { sql: `(${expr} IS NULL OR NOT (${any.sql}))`, params: any.params };
      }
    }
    throw this.errors.unexpected(at, operator);
  }

  // ---- ORDER BY -----------------------------------------------------------------------------

  private orderSql(expr: string, field: FieldDef | null, o: { order?: string; nulls?: string }): string {
    const dir = (o.order ?? 'ASC').toUpperCase();
    const nulls = (o.nulls ?? (dir === 'DESC' ? 'LAST' : 'FIRST')).toUpperCase();
    const coll = field && TEXT_TYPES.has(field.type) ? ' COLLATE NOCASE' : '';
    return `${expr}${coll} ${dir} NULLS ${nulls}`;
  }

  private orderTerms(scope: Scope, orderBy: OrderByClause | OrderByClause[] | undefined, base: number): { terms: string[]; explicit: boolean } {
    if (!orderBy) return { terms: [], explicit: false };
    const at = this.parsed.src.clause('ORDER', base);
    const terms: string[] = [];
    for (const o of Array.isArray(orderBy) ? orderBy : [orderBy]) {
      if ('fn' in o) {
        const fnName = (o.fn.functionName ?? '').toUpperCase();
        const param = o.fn.parameters?.[0];
        if (PASS_THROUGH.has(fnName) && typeof param === 'string') {
          const r = this.resolve(scope, param, at);
          terms.push(this.orderSql(r.sql, r.field, o));
          continue;
        }
        const fn = this.functionSql(scope, o.fn, at);
        terms.push(this.orderSql(fn.sql, fn.field, o));
        continue;
      }
      const r = this.resolve(scope, o.field, at);
      if (!r.field.sortable || r.parts) {
        throw this.errors.error('INVALID_FIELD', { name: o.field, from: at }, `field '${r.field.name}' can not be sorted in a query call`);
      }
      terms.push(this.orderSql(r.sql, r.field, o));
    }
    return { terms, explicit: true };
  }

  // ---- COUNT() and aggregates ---------------------------------------------------------------

  private countPlan(scope: Scope, query: Query, base: number): CountPlan {
    const fields = query.fields ?? [];
    if (fields.length !== 1 || query.groupBy) {
      throw this.errors.malformed(this.parsed.src.clause('COUNT', base), 'COUNT() must be the only element in the SELECT list.');
    }
    const where = this.whereFrag(scope, query, base);
    return {
      obj: scope.obj,
      from: `${tableRef(this.org, scope.obj)} ${scope.alias}`,
      joins: scope.joins,
      where,
      limit: query.limit,
      offset: query.offset,
    };
  }

  private aggregatePlan(scope: Scope, query: Query, base: number): AggregatePlan {
    const src = this.parsed.src;
    const groupAt = src.clause('GROUP', base);
    const groups: { key: string; sql: string }[] = [];
    for (const g of query.groupBy ? (Array.isArray(query.groupBy) ? query.groupBy : [query.groupBy]) : []) {
      if ('fn' in g) {
        const fname = (g.fn.functionName ?? '').toUpperCase();
        if (fname === 'ROLLUP' || fname === 'CUBE') throw this.errors.unexpected({ name: g.fn.rawValue ?? fname, from: groupAt }, g.fn.functionName ?? '');
        const fn = this.functionSql(scope, g.fn, groupAt);
        groups.push({ key: (g.fn.rawValue ?? '').replace(/\s+/g, '').toLowerCase(), sql: fn.sql });
        continue;
      }
      const r = this.resolve(scope, g.field, groupAt);
      if (!r.field.groupable || r.parts) {
        throw this.errors.error('INVALID_FIELD', { name: g.field, from: groupAt }, `field '${r.field.name}' can not be grouped in a query call`);
      }
      groups.push({ key: r.path.toLowerCase(), sql: r.sql });
    }
    const groupKeys = new Set(groups.map((g) => g.key));
    const select: string[] = [];
    const outs: AggOut[] = [];
    const used = new Set<string>();
    let expr = 0;
    const fields = query.fields ?? [];
    const offsets = this.itemOffsets(fields, base);
    let selectAt = base;
    const push = (key: string, sql: string, field: FieldDef | null, fn: string, display: string, at: At, round?: number) => {
      if (used.has(key.toLowerCase())) throw this.errors.error('INVALID_FIELD', at, `duplicate alias: ${key}`);
      used.add(key.toLowerCase());
      const out: AggOut = { k: 'agg', key, col: select.push(sql) - 1, field, fn, display };
      if (round !== undefined) out.round = round;
      outs.push(out);
    };
    for (const [i, item] of fields.entries()) {
      selectAt = offsets[i] ?? base;
      if (item.type === 'Field' || item.type === 'FieldRelationship') {
        const raw = item.type === 'Field' ? item.field : [...item.relationships, item.field].join('.');
        const r = this.resolve(scope, raw, selectAt);
        if (!groupKeys.has(r.path.toLowerCase()))
          throw this.errors.malformed({ name: raw, from: selectAt }, `Field must be grouped or aggregated: ${r.field.name}`);
        const alias = 'alias' in item ? item.alias : undefined;
        push(alias ?? r.field.name, r.sql, r.field, '', r.path, { name: raw, from: selectAt });
        continue;
      }
      if (item.type !== 'FieldFunctionExpression')
        throw this.errors.malformed({ name: 'SELECT', from: selectAt }, 'Aggregate queries do not support subqueries or TYPEOF');
      const agg = this.aggregateSql(scope, item, selectAt);
      if (agg) {
        push(item.alias ?? `expr${expr++}`, agg.sql, agg.field, agg.fn, agg.display, { name: item.rawValue ?? item.functionName, from: selectAt }, agg.round);
        continue;
      }
      const fn = this.functionSql(scope, item, selectAt);
      const key = (item.rawValue ?? '').replace(/\s+/g, '').toLowerCase();
      if (!groupKeys.has(key))
        throw this.errors.malformed({ name: item.rawValue ?? item.functionName, from: selectAt }, `Field must be grouped or aggregated: ${fn.arg.field.name}`);
      push(item.alias ?? `expr${expr++}`, fn.sql, fn.field, item.functionName.toUpperCase(), item.rawValue ?? item.functionName, {
        name: item.functionName,
        from: selectAt,
      });
    }
    const where = this.whereFrag(scope, query, base);
    let having = TRUE_FRAG;
    if (query.having) {
      const at = src.clause('HAVING', base);
      this.whereAt = at;
      const tree = conditionTree(query.having, this.errors, at);
      having = this.condTree(scope, tree, (s, cond) => {
        if ('fn' in cond) {
          const agg = this.aggregateSql(s, { functionName: cond.fn.functionName ?? '', parameters: cond.fn.parameters ?? [] }, at);
          if (!agg) throw this.errors.unexpected({ name: cond.fn.rawValue ?? '', from: at }, cond.fn.functionName ?? '');
          return this.compare(agg.sql, agg.field ?? NUMBER_FIELD, cond.operator, cond as { value: string | string[] }, cond.fn.rawValue ?? '');
        }
        const c = cond as { field: string; operator: string; value: string | string[]; literalType?: LiteralType | LiteralType[] };
        const r = this.resolve(s, c.field, at);
        if (!groupKeys.has(r.path.toLowerCase()))
          throw this.errors.malformed({ name: c.field, from: at }, `Field must be grouped or aggregated: ${r.field.name}`);
        return this.compare(r.sql, r.field, c.operator, c, c.field);
      });
    }
    const orderBy: string[] = [];
    const orderAt = src.clause('ORDER', base);
    for (const o of query.orderBy ? (Array.isArray(query.orderBy) ? query.orderBy : [query.orderBy]) : []) {
      if ('fn' in o) {
        const agg = this.aggregateSql(scope, { functionName: o.fn.functionName ?? '', parameters: o.fn.parameters ?? [] }, orderAt);
        if (agg) {
          orderBy.push(this.orderSql(agg.sql, agg.field, o));
          continue;
        }
        const fn = this.functionSql(scope, o.fn, orderAt);
        orderBy.push(this.orderSql(fn.sql, fn.field, o));
        continue;
      }
      const r = this.resolve(scope, o.field, orderAt);
      if (!groupKeys.has(r.path.toLowerCase()))
        throw this.errors.malformed({ name: o.field, from: orderAt }, `Ordered field must be grouped or aggregated: ${r.field.name}`);
      orderBy.push(this.orderSql(r.sql, r.field, o));
    }
    return {
      obj: scope.obj,
      select,
      outs,
      from: `${tableRef(this.org, scope.obj)} ${scope.alias}`,
      joins: scope.joins,
      where,
      groupBy: groups.map((g) => g.sql),
      having,
      orderBy,
      limit: query.limit,
      offset: query.offset,
    };
  }

  private aggregateSql(
    scope: Scope,
    item: { functionName: string; parameters: readonly unknown[] },
    at: number,
  ): { sql: string; field: FieldDef | null; fn: string; display: string; round?: number } | undefined {
    const fn = item.functionName.toUpperCase();
    if (!AGGREGATES.has(fn)) return undefined;
    const param = item.parameters[0];
    if (typeof param !== 'string') {
      if (fn === 'COUNT' && param === undefined) return { sql: 'COUNT(*)', field: null, fn, display: 'count()' };
      throw this.errors.unexpected({ name: item.functionName, from: at }, item.functionName);
    }
    const r = this.resolve(scope, param, at);
    if (r.parts || r.field.type === 'base64' || r.field.type === 'textarea') {
      throw this.errors.error('INVALID_FIELD', { name: param, from: at }, `field ${r.field.name} does not support aggregate operator ${fn}`);
    }
    const display = `${fn.toLowerCase()}(${r.path})`;
    switch (fn) {
      case 'COUNT':
        return { sql: `COUNT(${r.sql})`, field: null, fn, display };
      case 'COUNT_DISTINCT':
        return { sql: `COUNT(DISTINCT ${r.sql})`, field: null, fn, display };
      case 'SUM':
      case 'AVG':
        if (!NUMBER_TYPES.has(r.field.type)) {
          throw this.errors.error('INVALID_FIELD', { name: param, from: at }, `field ${r.field.name} does not support aggregate operator ${fn}`);
        }
        // A sum of decimals is exact on Salesforce; SQLite adds binary floating-point noise.
        return fn === 'SUM' ? { sql: `SUM(${r.sql})`, field: null, fn, display, round: r.field.scale } : { sql: `AVG(${r.sql})`, field: null, fn, display };
      default: {
        const coll = TEXT_TYPES.has(r.field.type) ? ' COLLATE NOCASE' : '';
        return { sql: `${fn}(${r.sql}${coll})`, field: r.field, fn, display };
      }
    }
  }
}

const INT_FIELD: FieldDef = defineField({ name: 'expr', type: 'int' });
const NUMBER_FIELD: FieldDef = defineField({ name: 'expr', type: 'double' });
const DATE_FIELD: FieldDef = defineField({ name: 'expr', type: 'date' });
