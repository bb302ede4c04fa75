// `GET /query?q=…&columns=true` (undocumented; `sf data query` reads it to lay out its table).
import type { FieldDef, ObjectDef } from '../schema/types.ts';
import type { Out, QueryPlan } from './plan.ts';

export interface ColumnMetadata {
  aggregate: boolean;
  apexType: string | null;
  booleanType: boolean;
  columnName: string;
  custom: boolean;
  displayName: string;
  foreignKeyName: string | null;
  insertable: boolean;
  joinColumns: ColumnMetadata[];
  numberType: boolean;
  textType: boolean;
  updatable: boolean;
}

const APEX_TYPES: Record<string, string> = {
  id: 'Id',
  reference: 'Id',
  boolean: 'Boolean',
  int: 'Integer',
  long: 'Long',
  double: 'Double',
  percent: 'Double',
  currency: 'Decimal',
  date: 'Date',
  datetime: 'Datetime',
  time: 'Time',
  base64: 'Blob',
  address: 'Address',
  location: 'Location',
  anyType: 'Object',
};

const NUMBER_TYPES = new Set(['int', 'long', 'double', 'currency', 'percent']);

function fieldColumn(name: string, f: FieldDef | null, top: boolean): ColumnMetadata {
  const t = f?.type ?? 'double';
  const textLike = !!f && !APEX_TYPES[t];
  return {
    aggregate: false,
    apexType: f ? (APEX_TYPES[t] ?? 'String') : 'Double',
    booleanType: t === 'boolean',
    columnName: name,
    custom: f?.custom ?? false,
    displayName: name,
    foreignKeyName: null,
    insertable: top && !!f?.createable,
    joinColumns: [],
    numberType: NUMBER_TYPES.has(t),
    textType: textLike,
    updatable: top && !!f?.updateable,
  };
}

function columnsOf(outs: Out[], top: boolean): ColumnMetadata[] {
  return outs.map((o): ColumnMetadata => {
    switch (o.k) {
      case 'value':
      case 'blob':
      case 'compound':
        return fieldColumn(o.key, o.field, top);
      case 'parent':
        return {
          ...fieldColumn(o.key, null, false),
          apexType: null,
          numberType: false,
          foreignKeyName: o.field.name,
          custom: o.field.custom,
          joinColumns: columnsOf(o.entries, false),
        };
      case 'children':
        return {
          ...fieldColumn(o.key, null, false),
          aggregate: true,
          apexType: null,
          numberType: false,
          joinColumns: columnsOf(o.child.outs, false),
        };
      default: {
        const base = fieldColumn(o.key, o.field, false);
        if (!o.fn) return { ...base, displayName: o.display.split('.').pop() ?? o.display };
        return { ...base, aggregate: true, displayName: o.display, apexType: o.field ? base.apexType : o.fn.startsWith('COUNT') ? 'Integer' : 'Double' };
      }
    }
  });
}

export function columnMetadata(obj: ObjectDef, plan: QueryPlan): Record<string, unknown> {
  let columns: ColumnMetadata[] = [];
  let idSelected = false;
  if (plan.kind === 'records') {
    columns = columnsOf(plan.plan.outs, true);
    idSelected = plan.plan.outs.some((o) => o.k === 'value' && o.field.type === 'id');
  } else if (plan.kind === 'aggregate') {
    columns = columnsOf(plan.plan.outs, false);
  }
  return {
    columnMetadata: columns,
    entityName: obj.name,
    groupBy: plan.kind === 'aggregate' && plan.plan.groupBy.length > 0,
    idSelected,
    keyPrefix: obj.keyPrefix,
  };
}
