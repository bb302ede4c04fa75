// The emulator's schema model. Object and field definitions are written as specs (only what
// differs from the defaults) and normalised by `defineObject` into full definitions that describe,
// the store, the SOQL engine and both Bulk APIs read.

export type FieldType =
  | 'id'
  | 'reference'
  | 'string'
  | 'textarea'
  | 'picklist'
  | 'multipicklist'
  | 'combobox'
  | 'email'
  | 'phone'
  | 'url'
  | 'encryptedstring'
  | 'boolean'
  | 'int'
  | 'long'
  | 'double'
  | 'currency'
  | 'percent'
  | 'date'
  | 'datetime'
  | 'time'
  | 'base64'
  | 'address'
  | 'location'
  | 'anyType';

export interface PicklistValue {
  value: string;
  label: string;
  active: boolean;
  defaultValue: boolean;
}

export interface FieldSpec {
  name: string;
  type: FieldType;
  label?: string;
  length?: number;
  precision?: number;
  scale?: number;
  digits?: number;
  /** Required on create: not nillable, createable, not defaulted. */
  required?: boolean;
  nillable?: boolean;
  createable?: boolean;
  updateable?: boolean;
  unique?: boolean;
  caseSensitive?: boolean;
  externalId?: boolean;
  idLookup?: boolean;
  calculated?: boolean;
  calculatedFormula?: string;
  autoNumber?: boolean;
  /** For auto-number fields: e.g. `PRJ-{0000}`. */
  displayFormat?: string;
  defaultedOnCreate?: boolean;
  defaultValue?: string | number | boolean | null;
  nameField?: boolean;
  filterable?: boolean;
  sortable?: boolean;
  groupable?: boolean;
  referenceTo?: string[];
  /** Relationship name on this (child) side, e.g. `Account` for Contact.AccountId. */
  relationshipName?: string;
  /** Child relationship name on the parent side, e.g. `Contacts`. */
  childRelationshipName?: string;
  /** Master-detail: deleting the parent deletes this record. */
  cascadeDelete?: boolean;
  /**
   * A lookup the platform still deletes along (Contact.AccountId, Task.WhatId): the parent's child
   * relationship says `cascadeDelete: true`, the field itself does not (it is no master-detail).
   */
  deletedWithParent?: boolean;
  restrictedDelete?: boolean;
  relationshipOrder?: number;
  picklist?: string[];
  restrictedPicklist?: boolean;
  /** Components of an address/location compound field name it here. */
  compoundFieldName?: string;
  htmlFormatted?: boolean;
  deprecatedAndHidden?: boolean;
  permissionable?: boolean;
}

export interface FieldDef
  extends Required<
    Omit<
      FieldSpec,
      | 'picklist'
      | 'displayFormat'
      | 'defaultValue'
      | 'calculatedFormula'
      | 'relationshipName'
      | 'childRelationshipName'
      | 'compoundFieldName'
      | 'relationshipOrder'
      | 'required'
    >
  > {
  picklistValues: PicklistValue[];
  byteLength: number;
  displayFormat: string | null;
  defaultValue: string | number | boolean | null;
  calculatedFormula: string | null;
  relationshipName: string | null;
  childRelationshipName: string | null;
  compoundFieldName: string | null;
  relationshipOrder: number | null;
  /** Whether this field has a column of its own (compound fields do not: their components do). */
  stored: boolean;
  required: boolean;
  custom: boolean;
  soapType: string;
  polymorphicForeignKey: boolean;
}

export interface ObjectFlags {
  activateable: boolean;
  createable: boolean;
  custom: boolean;
  customSetting: boolean;
  deletable: boolean;
  deprecatedAndHidden: boolean;
  feedEnabled: boolean;
  layoutable: boolean;
  mergeable: boolean;
  mruEnabled: boolean;
  queryable: boolean;
  replicateable: boolean;
  retrieveable: boolean;
  searchable: boolean;
  triggerable: boolean;
  undeletable: boolean;
  updateable: boolean;
}

export interface ObjectSpec {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string | null;
  fields: FieldSpec[];
  flags?: Partial<ObjectFlags>;
  /** Adds OwnerId (User, or Group and User when queues may own it). */
  owner?: 'user' | 'userOrQueue' | false;
  /** Adds a Name field (the name field) unless the spec defines its own. Default `text`. */
  nameField?: false | 'text' | 'autoNumber';
  /** Bulk API 2.0 refuses query jobs on this object (the backup falls back to REST). */
  bulkQueryable?: boolean;
  /** PK chunking applies (Bulk 2.0 results come back in shuffled chunk order). */
  pkChunking?: boolean;
  /** No audit fields (e.g. AggregateResult, which is not a real table). */
  virtual?: boolean;
  /** Record types besides Master; the first is the default mapping. */
  recordTypes?: { developerName: string; name: string; description?: string }[];
}

export interface RecordTypeDef {
  /** Same id in every org of the emulator (as in a sandbox copied from its production org). */
  id: string;
  developerName: string;
  name: string;
  description: string | null;
  defaultMapping: boolean;
}

export interface ChildRelationshipDef {
  childSObject: string;
  field: string;
  relationshipName: string | null;
  cascadeDelete: boolean;
  restrictedDelete: boolean;
}

export interface ObjectDef {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string | null;
  flags: ObjectFlags;
  fields: FieldDef[];
  /** Lower-cased field name → field. */
  fieldMap: Map<string, FieldDef>;
  /** Lower-cased relationship name → reference field. */
  relationshipMap: Map<string, FieldDef>;
  /** Filled by `buildSchema` from every reference that points here. */
  childRelationships: ChildRelationshipDef[];
  bulkQueryable: boolean;
  pkChunking: boolean;
  virtual: boolean;
  recordTypes: RecordTypeDef[];
}

export interface Schema {
  objects: ObjectDef[];
  /** Lower-cased name → object. */
  byName: Map<string, ObjectDef>;
  byPrefix: Map<string, ObjectDef>;
}

export function getObject(schema: Schema, name: string): ObjectDef | undefined {
  return schema.byName.get(name.toLowerCase());
}

export function getField(obj: ObjectDef, name: string): FieldDef | undefined {
  return obj.fieldMap.get(name.toLowerCase());
}
