import { orgScopedId } from '../ids.ts';
import type { FieldDef, ObjectDef } from './types.ts';

function urls(obj: ObjectDef, version: string): Record<string, string> {
  const base = `/services/data/v${version}/sobjects/${obj.name}`;
  return {
    rowTemplate: `${base}/{ID}`,
    defaultValues: `${base}/defaultValues?recordTypeId&fields`,
    describe: `${base}/describe`,
    sobject: base,
  };
}

/** One entry of describeGlobal's `sobjects` array. */
export function describeGlobalEntry(obj: ObjectDef, version: string): Record<string, unknown> {
  const f = obj.flags;
  return {
    activateable: f.activateable,
    associateEntityType: null,
    associateParentEntity: null,
    createable: f.createable,
    custom: f.custom,
    customSetting: f.customSetting,
    deepCloneable: false,
    deletable: f.deletable,
    deprecatedAndHidden: f.deprecatedAndHidden,
    feedEnabled: f.feedEnabled,
    hasSubtypes: false,
    isInterface: false,
    isSubtype: false,
    keyPrefix: obj.keyPrefix,
    label: obj.label,
    labelPlural: obj.labelPlural,
    layoutable: f.layoutable,
    mergeable: f.mergeable,
    mruEnabled: f.mruEnabled,
    name: obj.name,
    queryable: f.queryable,
    replicateable: f.replicateable,
    retrieveable: f.retrieveable,
    searchable: f.searchable,
    triggerable: f.triggerable,
    undeletable: f.undeletable,
    updateable: f.updateable,
    urls: urls(obj, version),
  };
}

/** A field descriptor with every key Salesforce sends (jsforce's types and SFDMU read them). */
export function describeField(field: FieldDef): Record<string, unknown> {
  return {
    aggregatable: field.type !== 'textarea' && field.type !== 'base64' && field.type !== 'address' && field.type !== 'location',
    aiPredictionField: false,
    autoNumber: field.autoNumber,
    byteLength: field.byteLength,
    calculated: field.calculated,
    calculatedFormula: field.calculatedFormula,
    cascadeDelete: field.cascadeDelete,
    caseSensitive: field.caseSensitive,
    compoundFieldName: field.compoundFieldName,
    controllerName: null,
    createable: field.createable,
    custom: field.custom,
    defaultValue: field.defaultValue,
    defaultValueFormula: null,
    defaultedOnCreate: field.defaultedOnCreate,
    dependentPicklist: false,
    deprecatedAndHidden: field.deprecatedAndHidden,
    digits: field.digits,
    displayLocationInDecimal: false,
    encrypted: field.type === 'encryptedstring',
    externalId: field.externalId,
    extraTypeInfo: field.type === 'textarea' ? (field.htmlFormatted ? 'richtextarea' : 'plaintextarea') : null,
    filterable: field.filterable,
    filteredLookupInfo: null,
    formulaTreatNullNumberAsZero: false,
    groupable: field.groupable,
    highScaleNumber: false,
    htmlFormatted: field.htmlFormatted,
    idLookup: field.idLookup,
    inlineHelpText: null,
    label: field.label,
    length: field.length,
    mask: null,
    maskType: null,
    name: field.name,
    nameField: field.nameField,
    namePointing: field.polymorphicForeignKey,
    nillable: field.nillable,
    permissionable: field.permissionable,
    picklistValues: field.picklistValues.map((p) => ({ ...p, validFor: null })),
    polymorphicForeignKey: field.polymorphicForeignKey,
    precision: field.precision,
    queryByDistance: false,
    referenceTargetField: null,
    referenceTo: field.referenceTo,
    relationshipName: field.relationshipName,
    relationshipOrder: field.relationshipOrder,
    restrictedDelete: field.restrictedDelete,
    restrictedPicklist: field.restrictedPicklist,
    scale: field.scale,
    searchPrefilterable: false,
    soapType: field.soapType,
    sortable: field.sortable,
    type: field.type,
    unique: field.unique,
    updateable: field.updateable,
    writeRequiresMasterRead: false,
  };
}

function recordTypeInfos(obj: ObjectDef, version: string, pod: string | undefined): Record<string, unknown>[] {
  const info = (id: string, developerName: string, name: string, master: boolean, defaultMapping: boolean) => ({
    active: true,
    available: true,
    defaultRecordTypeMapping: defaultMapping,
    developerName,
    master,
    name,
    recordTypeId: id,
    urls: { layout: `/services/data/v${version}/sobjects/${obj.name}/describe/layouts/${id}` },
  });
  const own = obj.recordTypes.map((rt) => info(pod ? orgScopedId(rt.id, pod) : rt.id, rt.developerName, rt.name, false, rt.defaultMapping));
  // Salesforce lists Master last; it is the default only when the object has no other record type.
  return [...own, info('012000000000000AAA', 'Master', 'Master', true, own.length === 0)];
}

/** The audit fields "Set Audit Fields upon Record Creation" makes createable (never updateable). */
export const AUDIT_FIELDS_ON_CREATE = new Set(['CreatedDate', 'CreatedById', 'LastModifiedDate', 'LastModifiedById']);

export interface DescribeOptions {
  /** The org has "Set Audit Fields upon Record Creation" on. */
  auditFieldsOnCreate?: boolean;
  /** The org's pod: record type Ids are the org's own. */
  pod?: string;
}

export function describeObject(obj: ObjectDef, version: string, opts: DescribeOptions = {}): Record<string, unknown> {
  const auditCreateable = opts.auditFieldsOnCreate === true && obj.flags.createable && !obj.virtual;
  return {
    ...describeGlobalEntry(obj, version),
    actionOverrides: [],
    childRelationships: obj.childRelationships.map((c) => ({
      cascadeDelete: c.cascadeDelete,
      childSObject: c.childSObject,
      deprecatedAndHidden: false,
      field: c.field,
      junctionIdListNames: [],
      junctionReferenceTo: [],
      relationshipName: c.relationshipName,
      restrictedDelete: c.restrictedDelete,
    })),
    compactLayoutable: obj.flags.layoutable,
    defaultImplementation: null,
    extendedBy: null,
    extendsInterfaces: null,
    fields: obj.fields.map((f) => {
      const d = describeField(f);
      return auditCreateable && AUDIT_FIELDS_ON_CREATE.has(f.name) ? { ...d, createable: true } : d;
    }),
    implementedBy: null,
    implementsInterfaces: null,
    listviewable: null,
    lookupLayoutable: null,
    namedLayoutInfos: [],
    networkScopeFieldName: null,
    recordTypeInfos: obj.virtual ? [] : recordTypeInfos(obj, version, opts.pod),
    searchLayoutable: obj.flags.searchable,
    sobjectDescribeOption: 'FULL',
    supportedScopes: [{ label: `All ${obj.labelPlural.toLowerCase()}`, name: 'everything' }],
  };
}
