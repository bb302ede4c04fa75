// Where an object's rows come from in SQL: its table in the org store, or, for objects the store
// keeps no table for (Organization, EntityDefinition, FieldDefinition when the schema makes them
// virtual), a TEMP table filled from the emulator's model right before the query runs.
import type { Org } from '../model.ts';
import type { FieldDef, ObjectDef, Schema } from '../schema/types.ts';
import { q } from '../store/db.ts';
import { columnType, type SqlValue } from '../store/values.ts';

type VirtualRows = (org: Org, schema: Schema) => Record<string, unknown>[];

function organizationRows(org: Org): Record<string, unknown>[] {
  return [
    {
      Id: org.id,
      Name: org.name,
      InstanceName: org.instanceName,
      IsSandbox: org.isSandbox,
      OrganizationType: org.orgType,
      NamespacePrefix: org.namespacePrefix,
      TrialExpirationDate: null,
      Division: null,
      Country: 'US',
      LanguageLocaleKey: 'en_US',
      DefaultLocaleSidKey: 'en_US',
      TimeZoneSidKey: 'America/Los_Angeles',
      PrimaryContact: null,
      IsReadOnly: false,
      FiscalYearStartMonth: 1,
      UsesStartDateAsFiscalYearName: false,
    },
  ];
}

function dataType(f: FieldDef): string {
  if (f.type === 'reference') return `Lookup(${f.referenceTo.join(',')})`;
  if (f.type === 'string') return `Text(${f.length})`;
  return f.type.charAt(0).toUpperCase() + f.type.slice(1);
}

function entityRows(_org: Org, schema: Schema): Record<string, unknown>[] {
  return schema.objects
    .filter((o) => o.name !== 'EntityDefinition' && o.name !== 'FieldDefinition')
    .map((o) => ({
      Id: `000000000000000AAA${o.name}`,
      DurableId: o.name,
      QualifiedApiName: o.name,
      DeveloperName: o.name.replace(/__c$/, ''),
      Label: o.label,
      PluralLabel: o.labelPlural,
      KeyPrefix: o.keyPrefix,
      NamespacePrefix: null,
      IsCustomizable: o.flags.custom,
      IsDeprecatedAndHidden: o.flags.deprecatedAndHidden,
      IsQueryable: o.flags.queryable,
      IsRetrieveable: o.flags.retrieveable,
      IsReplicateable: o.flags.replicateable,
      IsCustomSetting: o.flags.customSetting,
      IsLayoutable: o.flags.layoutable,
      IsSearchable: o.flags.searchable,
      IsTriggerable: o.flags.triggerable,
      IsEverCreatable: o.flags.createable,
      IsEverUpdatable: o.flags.updateable,
      IsEverDeletable: o.flags.deletable,
    }));
}

function fieldRows(_org: Org, schema: Schema): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (const o of schema.objects) {
    for (const f of o.fields) {
      rows.push({
        Id: `000000000000000AAA${o.name}.${f.name}`,
        DurableId: `${o.name}.${f.name}`,
        QualifiedApiName: f.name,
        DeveloperName: f.name.replace(/__c$/, ''),
        EntityDefinitionId: o.name,
        Label: f.label,
        DataType: dataType(f),
        Length: f.length,
        Precision: f.precision,
        Scale: f.scale,
        IsPolymorphicForeignKey: f.polymorphicForeignKey,
        IsNillable: f.nillable,
        IsCalculated: f.calculated,
        IsApiFilterable: f.filterable,
        IsApiSortable: f.sortable,
        IsApiGroupable: f.groupable,
        IsCompound: !f.stored,
        IsIndexed: f.type === 'id' || f.externalId,
        IsFieldHistoryTracked: false,
        NamespacePrefix: null,
        RelationshipName: f.relationshipName,
        ReferenceTo: null,
      });
    }
  }
  return rows;
}

const PROVIDERS: Record<string, VirtualRows> = {
  organization: organizationRows,
  entitydefinition: entityRows,
  fielddefinition: fieldRows,
};

/** Mirrors `OrgStore.tables()`. */
export function hasTable(obj: ObjectDef): boolean {
  return !obj.virtual && obj.keyPrefix !== null;
}

/** Whether SOQL can read this object at all. */
export function isQueryableSource(obj: ObjectDef): boolean {
  if (!obj.flags.queryable) return false;
  return hasTable(obj) || PROVIDERS[obj.name.toLowerCase()] !== undefined;
}

function storageValue(f: FieldDef, v: unknown): SqlValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' || typeof v === 'string') return columnType(f) === 'TEXT' ? String(v) : v;
  return JSON.stringify(v);
}

/**
 * The SQL table reference for an object. Virtual objects get a TEMP table refreshed now (they are
 * small and derived from the model, so refreshing per query keeps them exact).
 */
export function tableRef(org: Org, obj: ObjectDef): string {
  if (hasTable(obj)) return q(obj.name);
  const provider = PROVIDERS[obj.name.toLowerCase()];
  if (!provider) throw new Error(`no source for ${obj.name}`);
  const table = `_v_${obj.name}`;
  const db = org.store.db;
  const cols = obj.fields.filter((f) => f.stored);
  db.exec(`DROP TABLE IF EXISTS temp.${q(table)}`);
  db.exec(`CREATE TEMP TABLE ${q(table)} (${cols.map((f) => `${q(f.name)} ${columnType(f)}`).join(', ')})`);
  const insert = db.prepare(`INSERT INTO temp.${q(table)} (${cols.map((f) => q(f.name)).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
  for (const row of provider(org, org.store.schema)) {
    const lower = new Map(Object.entries(row).map(([k, v]) => [k.toLowerCase(), v]));
    insert.run(...cols.map((f) => storageValue(f, lower.get(f.name.toLowerCase()))));
  }
  return `temp.${q(table)}`;
}
