// Shorthands for field specs, so object definitions read like a Setup page.
import type { FieldSpec } from '../types.ts';

type Extra = Partial<FieldSpec>;

export function str(name: string, length: number, extra: Extra = {}): FieldSpec {
  return { name, type: 'string', length, ...extra };
}

export function textArea(name: string, length = 255, extra: Extra = {}): FieldSpec {
  return { name, type: 'textarea', length, ...extra };
}

export function picklist(name: string, values: string[], extra: Extra = {}): FieldSpec {
  return { name, type: 'picklist', picklist: values, ...extra };
}

export function multiPicklist(name: string, values: string[], extra: Extra = {}): FieldSpec {
  return { name, type: 'multipicklist', picklist: values, ...extra };
}

export function bool(name: string, extra: Extra = {}): FieldSpec {
  return { name, type: 'boolean', ...extra };
}

export function num(name: string, precision: number, scale: number, extra: Extra = {}): FieldSpec {
  return { name, type: 'double', precision, scale, ...extra };
}

export function int(name: string, digits: number, extra: Extra = {}): FieldSpec {
  return { name, type: 'int', digits, ...extra };
}

export function currency(name: string, precision: number, scale: number, extra: Extra = {}): FieldSpec {
  return { name, type: 'currency', precision, scale, ...extra };
}

export function percent(name: string, precision: number, scale: number, extra: Extra = {}): FieldSpec {
  return { name, type: 'percent', precision, scale, ...extra };
}

export function date(name: string, extra: Extra = {}): FieldSpec {
  return { name, type: 'date', ...extra };
}

export function dateTime(name: string, extra: Extra = {}): FieldSpec {
  return { name, type: 'datetime', ...extra };
}

export function email(name: string, extra: Extra = {}): FieldSpec {
  return { name, type: 'email', ...extra };
}

export function phone(name: string, extra: Extra = {}): FieldSpec {
  return { name, type: 'phone', ...extra };
}

export function url(name: string, extra: Extra = {}): FieldSpec {
  return { name, type: 'url', ...extra };
}

/** A lookup (or master-detail, with `cascadeDelete`) to one or more objects. */
export function ref(name: string, referenceTo: string[], relationshipName: string, childRelationshipName: string | null, extra: Extra = {}): FieldSpec {
  return {
    name,
    type: 'reference',
    referenceTo,
    relationshipName,
    ...(childRelationshipName ? { childRelationshipName } : {}),
    ...extra,
  };
}

/** Read-only: maintained by the platform, never in a create or update body. */
export const READ_ONLY: Extra = { createable: false, updateable: false };

export const GEOCODE_ACCURACY = ['Address', 'NearAddress', 'Block', 'Street', 'ExtendedZip', 'Zip', 'Neighborhood', 'City', 'County', 'State', 'Unknown'];

/**
 * A standard address: its components (which have columns and are what Bulk queries select) followed
 * by the compound field itself, in the order Salesforce's describe lists them.
 */
export function address(prefix: string, label: string): FieldSpec[] {
  const compound = `${prefix}Address`;
  const part = (f: FieldSpec): FieldSpec => ({ ...f, compoundFieldName: compound });
  const sp = prefix ? `${label} ` : '';
  return [
    part(textArea(`${prefix}Street`, 255, { label: `${sp}Street` })),
    part(str(`${prefix}City`, 40, { label: `${sp}City` })),
    part(str(`${prefix}State`, 80, { label: `${sp}State/Province` })),
    part(str(`${prefix}PostalCode`, 20, { label: `${sp}Zip/Postal Code` })),
    part(str(`${prefix}Country`, 80, { label: `${sp}Country` })),
    part(num(`${prefix}Latitude`, 18, 15, { label: `${sp}Latitude` })),
    part(num(`${prefix}Longitude`, 18, 15, { label: `${sp}Longitude` })),
    part(picklist(`${prefix}GeocodeAccuracy`, GEOCODE_ACCURACY, { label: `${sp}Geocode Accuracy`, restrictedPicklist: true })),
    { name: compound, type: 'address', label: prefix ? `${label} Address` : 'Address', ...READ_ONLY },
  ];
}

/** A custom geolocation field: `Geo__c` plus its `Geo__Latitude__s` / `Geo__Longitude__s` components. */
export function location(name: string, label: string, scale: number): FieldSpec[] {
  const base = name.replace(/__c$/, '');
  return [
    num(`${base}__Latitude__s`, 18, scale, { label: `${label} (Latitude)`, compoundFieldName: name }),
    num(`${base}__Longitude__s`, 18, scale, { label: `${label} (Longitude)`, compoundFieldName: name }),
    { name, type: 'location', label, scale, ...READ_ONLY },
  ];
}

export const LEAD_SOURCE = ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other'];
export const INDUSTRY = [
  'Agriculture',
  'Apparel',
  'Banking',
  'Biotechnology',
  'Chemicals',
  'Communications',
  'Construction',
  'Consulting',
  'Education',
  'Electronics',
  'Energy',
  'Engineering',
  'Entertainment',
  'Environmental',
  'Finance',
  'Food & Beverage',
  'Government',
  'Healthcare',
  'Hospitality',
  'Insurance',
  'Machinery',
  'Manufacturing',
  'Media',
  'Not For Profit',
  'Recreation',
  'Retail',
  'Shipping',
  'Technology',
  'Telecommunications',
  'Transportation',
  'Utilities',
  'Other',
];
export const RATING = ['Hot', 'Warm', 'Cold'];
export const SALUTATION = ['Mr.', 'Ms.', 'Mrs.', 'Dr.', 'Prof.', 'Mx.'];
