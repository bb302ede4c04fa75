import { makeId } from '../ids.ts';
import type { FieldDef, FieldSpec, FieldType, ObjectDef, ObjectFlags, ObjectSpec, Schema } from './types.ts';

const SOAP_TYPES: Record<FieldType, string> = {
  id: 'tns:ID',
  reference: 'tns:ID',
  string: 'xsd:string',
  textarea: 'xsd:string',
  picklist: 'xsd:string',
  multipicklist: 'xsd:string',
  combobox: 'xsd:string',
  email: 'xsd:string',
  phone: 'xsd:string',
  url: 'xsd:string',
  encryptedstring: 'xsd:string',
  boolean: 'xsd:boolean',
  int: 'xsd:int',
  long: 'xsd:long',
  double: 'xsd:double',
  currency: 'xsd:double',
  percent: 'xsd:double',
  date: 'xsd:date',
  datetime: 'xsd:dateTime',
  time: 'xsd:time',
  base64: 'xsd:base64Binary',
  address: 'urn:address',
  location: 'urn:location',
  anyType: 'xsd:anyType',
};

const DEFAULT_LENGTH: Partial<Record<FieldType, number>> = {
  id: 18,
  reference: 18,
  string: 255,
  textarea: 255,
  picklist: 255,
  multipicklist: 4099,
  combobox: 255,
  email: 80,
  phone: 40,
  url: 255,
  encryptedstring: 175,
};

const DEFAULT_FLAGS: ObjectFlags = {
  activateable: false,
  createable: true,
  custom: false,
  customSetting: false,
  deletable: true,
  deprecatedAndHidden: false,
  feedEnabled: false,
  layoutable: true,
  mergeable: false,
  mruEnabled: true,
  queryable: true,
  replicateable: true,
  retrieveable: true,
  searchable: true,
  triggerable: true,
  undeletable: true,
  updateable: true,
};

function label(name: string): string {
  return name
    .replace(/__c$/, '')
    .replace(/Id$/, '')
    .replace(/_/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .trim();
}

export function defineField(spec: FieldSpec): FieldDef {
  const t = spec.type;
  const isText = ['string', 'textarea', 'picklist', 'multipicklist', 'combobox', 'email', 'phone', 'url', 'encryptedstring'].includes(t);
  const readOnly = spec.calculated === true || spec.autoNumber === true || t === 'id';
  const createable = spec.createable ?? !readOnly;
  const updateable = spec.updateable ?? !readOnly;
  const required = spec.required === true;
  const nillable = spec.nillable ?? !(required || t === 'boolean' || t === 'id');
  const isNumber = ['int', 'long', 'double', 'currency', 'percent'].includes(t);
  const length = spec.length ?? DEFAULT_LENGTH[t] ?? 0;
  const refTo = spec.referenceTo ?? [];
  // Long text areas (and anyType history values) cannot be filtered, sorted or grouped; a plain
  // 255-char text area (e.g. BillingStreet) can.
  const unfilterable = (t === 'textarea' && length > 255) || ['base64', 'address', 'location', 'anyType'].includes(t);
  const hasDefault = spec.defaultValue !== undefined && spec.defaultValue !== null;
  return {
    name: spec.name,
    type: t,
    label: spec.label ?? label(spec.name),
    length: isText || t === 'id' || t === 'reference' ? length : 0,
    byteLength: isText || t === 'id' || t === 'reference' ? length * 3 : 0,
    precision: spec.precision ?? (t === 'currency' ? 18 : isNumber && t !== 'int' && t !== 'long' ? 18 : 0),
    scale: spec.scale ?? (t === 'currency' || t === 'percent' ? 2 : 0),
    digits: spec.digits ?? (t === 'int' ? 9 : t === 'long' ? 18 : 0),
    required,
    nillable,
    createable,
    updateable,
    unique: spec.unique ?? false,
    caseSensitive: spec.caseSensitive ?? false,
    externalId: spec.externalId ?? false,
    idLookup: spec.idLookup ?? (t === 'id' || spec.externalId === true || spec.name === 'Email' || spec.name === 'Username'),
    calculated: spec.calculated ?? false,
    calculatedFormula: spec.calculatedFormula ?? null,
    autoNumber: spec.autoNumber ?? false,
    displayFormat: spec.displayFormat ?? null,
    defaultedOnCreate: spec.defaultedOnCreate ?? (t === 'boolean' || t === 'id' || spec.autoNumber === true || hasDefault),
    defaultValue: spec.defaultValue ?? (t === 'boolean' ? false : null),
    nameField: spec.nameField ?? false,
    filterable: spec.filterable ?? !unfilterable,
    sortable: spec.sortable ?? !(unfilterable || t === 'multipicklist'),
    groupable: spec.groupable ?? !(unfilterable || ['multipicklist', 'double', 'currency', 'percent', 'datetime'].includes(t)),
    referenceTo: refTo,
    relationshipName: spec.relationshipName ?? null,
    childRelationshipName: spec.childRelationshipName ?? null,
    cascadeDelete: spec.cascadeDelete ?? false,
    deletedWithParent: spec.deletedWithParent ?? false,
    restrictedDelete: spec.restrictedDelete ?? false,
    relationshipOrder: spec.relationshipOrder ?? null,
    picklistValues: (spec.picklist ?? []).map((v) => ({
      value: v,
      label: v,
      active: true,
      defaultValue: spec.defaultValue === v,
    })),
    restrictedPicklist: spec.restrictedPicklist ?? false,
    compoundFieldName: spec.compoundFieldName ?? null,
    htmlFormatted: spec.htmlFormatted ?? false,
    deprecatedAndHidden: spec.deprecatedAndHidden ?? false,
    permissionable: spec.permissionable ?? (nillable && !readOnly && spec.name !== 'Id'),
    stored: t !== 'address' && t !== 'location',
    // `__s` marks the components of a custom compound field (Geo__Latitude__s).
    custom: /__[cs]$/.test(spec.name),
    soapType: SOAP_TYPES[t],
    polymorphicForeignKey: refTo.length > 1,
  };
}

const AUDIT_FIELDS: FieldSpec[] = [
  { name: 'IsDeleted', type: 'boolean', label: 'Deleted', createable: false, updateable: false, defaultedOnCreate: true },
  { name: 'CreatedDate', type: 'datetime', createable: false, updateable: false, nillable: false, defaultedOnCreate: true, label: 'Created Date' },
  {
    name: 'CreatedById',
    type: 'reference',
    referenceTo: ['User'],
    relationshipName: 'CreatedBy',
    createable: false,
    updateable: false,
    nillable: false,
    defaultedOnCreate: true,
    label: 'Created By ID',
  },
  { name: 'LastModifiedDate', type: 'datetime', createable: false, updateable: false, nillable: false, defaultedOnCreate: true, label: 'Last Modified Date' },
  {
    name: 'LastModifiedById',
    type: 'reference',
    referenceTo: ['User'],
    relationshipName: 'LastModifiedBy',
    createable: false,
    updateable: false,
    nillable: false,
    defaultedOnCreate: true,
    label: 'Last Modified By ID',
  },
  { name: 'SystemModstamp', type: 'datetime', createable: false, updateable: false, nillable: false, defaultedOnCreate: true, label: 'System Modstamp' },
];

/** Names of the fields the store maintains itself on every write. */
export const SYSTEM_FIELDS = ['Id', 'IsDeleted', 'CreatedDate', 'CreatedById', 'LastModifiedDate', 'LastModifiedById', 'SystemModstamp'];

export function defineObject(spec: ObjectSpec): ObjectDef {
  const own = new Map(spec.fields.map((f) => [f.name.toLowerCase(), f]));
  const specs: FieldSpec[] = [{ name: 'Id', type: 'id', label: `${spec.label} ID`, nillable: false }];
  if (!spec.virtual) {
    if (spec.owner && !own.has('ownerid')) {
      specs.push({
        name: 'OwnerId',
        type: 'reference',
        label: 'Owner ID',
        referenceTo: spec.owner === 'userOrQueue' ? ['Group', 'User'] : ['User'],
        relationshipName: 'Owner',
        nillable: false,
        defaultedOnCreate: true,
      });
    }
    specs.push(AUDIT_FIELDS[0] as FieldSpec);
  }
  const nameKind = spec.nameField ?? 'text';
  if (!spec.virtual && nameKind !== false && !own.has('name')) {
    specs.push(
      nameKind === 'autoNumber'
        ? { name: 'Name', type: 'string', label: `${spec.label} Name`, autoNumber: true, nameField: true, length: 80, nillable: false }
        : { name: 'Name', type: 'string', label: `${spec.label} Name`, required: true, nameField: true, length: 80 },
    );
  }
  specs.push(...spec.fields);
  if (!spec.virtual) specs.push(...AUDIT_FIELDS.slice(1));
  const fields = specs.map(defineField);
  const flags: ObjectFlags = { ...DEFAULT_FLAGS, custom: spec.name.endsWith('__c'), ...spec.flags };
  return {
    name: spec.name,
    label: spec.label,
    labelPlural: spec.labelPlural,
    keyPrefix: spec.keyPrefix,
    flags,
    fields,
    fieldMap: new Map(fields.map((f) => [f.name.toLowerCase(), f])),
    relationshipMap: new Map(fields.filter((f) => f.relationshipName).map((f) => [(f.relationshipName as string).toLowerCase(), f])),
    childRelationships: [],
    bulkQueryable: spec.bulkQueryable ?? flags.queryable,
    pkChunking: spec.pkChunking ?? (flags.queryable && !spec.virtual),
    virtual: spec.virtual ?? false,
    recordTypes: (spec.recordTypes ?? []).map((rt, i) => ({
      id: '',
      developerName: rt.developerName,
      name: rt.name,
      description: rt.description ?? null,
      defaultMapping: i === 0,
    })),
  };
}

/** Pod marker of the schema's record type ids: a template; each org's own Id puts its pod there (ids.ts orgScopedId). */
const RECORD_TYPE_POD = '5e';

export function buildSchema(specs: ObjectSpec[]): Schema {
  const objects = specs.map(defineObject);
  const byName = new Map(objects.map((o) => [o.name.toLowerCase(), o]));
  const byPrefix = new Map(objects.filter((o) => o.keyPrefix).map((o) => [o.keyPrefix as string, o]));
  let recordTypeCounter = 0;
  for (const o of objects) {
    for (const rt of o.recordTypes) rt.id = makeId('012', RECORD_TYPE_POD, ++recordTypeCounter);
  }
  for (const child of objects) {
    for (const f of child.fields) {
      if (f.type !== 'reference') continue;
      for (const target of f.referenceTo) {
        const parent = byName.get(target.toLowerCase());
        if (!parent) continue;
        parent.childRelationships.push({
          childSObject: child.name,
          field: f.name,
          relationshipName: f.childRelationshipName,
          cascadeDelete: f.cascadeDelete || f.deletedWithParent,
          restrictedDelete: f.restrictedDelete,
        });
      }
    }
  }
  return { objects, byName, byPrefix };
}
