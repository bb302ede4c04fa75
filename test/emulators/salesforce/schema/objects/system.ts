// Setup objects every org has: the organization itself, profiles, users, groups and queues,
// record types, opportunity stages, and describe-only objects that cannot be queried.
import type { ObjectFlags, ObjectSpec } from '../types.ts';
import { address, bool, dateTime, email, int, percent, picklist, READ_ONLY, ref, str, textArea } from './fields.ts';

/** Setup data: readable through the API, changed in Setup only. */
const SETUP_ONLY: Partial<ObjectFlags> = {
  createable: false,
  updateable: false,
  deletable: false,
  undeletable: false,
  mergeable: false,
  triggerable: false,
  mruEnabled: false,
  searchable: false,
};

export const ORGANIZATION_TYPES = [
  'Team Edition',
  'Professional Edition',
  'Enterprise Edition',
  'Developer Edition',
  'Personal Edition',
  'Unlimited Edition',
  'Contact Manager Edition',
  'Base Edition',
];

export const TIME_ZONES = ['America/Los_Angeles', 'America/New_York', 'Europe/London', 'Europe/Paris', 'Asia/Tokyo', 'Australia/Sydney', 'GMT'];
export const LOCALES = ['en_US', 'en_GB', 'fr_FR', 'de_DE', 'ja_JP', 'el_GR'];
export const LANGUAGES = ['en_US', 'fr', 'de', 'ja'];

export const organization: ObjectSpec = {
  name: 'Organization',
  label: 'Organization',
  labelPlural: 'Organizations',
  keyPrefix: '00D',
  // The one row describing the org itself; sf reads it right after login.
  flags: { ...SETUP_ONLY, replicateable: false, layoutable: false },
  nameField: false,
  pkChunking: false,
  fields: [
    str('Name', 80, { nameField: true, nillable: false, ...READ_ONLY }),
    str('Division', 80, READ_ONLY),
    ...address('', '').map((f) => ({ ...f, ...READ_ONLY })),
    { name: 'Phone', type: 'phone', ...READ_ONLY },
    str('PrimaryContact', 80, READ_ONLY),
    picklist('DefaultLocaleSidKey', LOCALES, { label: 'Locale', nillable: false, ...READ_ONLY }),
    picklist('LanguageLocaleKey', LANGUAGES, { label: 'Language', nillable: false, ...READ_ONLY }),
    picklist('TimeZoneSidKey', TIME_ZONES, { label: 'Time Zone', nillable: false, ...READ_ONLY }),
    str('InstanceName', 5, { label: 'Instance Name', ...READ_ONLY }),
    bool('IsSandbox', { label: 'Is Sandbox', ...READ_ONLY }),
    dateTime('TrialExpirationDate', { label: 'Trial Expiration Date', ...READ_ONLY }),
    str('NamespacePrefix', 15, { label: 'Namespace Prefix', ...READ_ONLY }),
    picklist('OrganizationType', ORGANIZATION_TYPES, { label: 'Edition', ...READ_ONLY }),
    int('FiscalYearStartMonth', 2, { label: 'Fiscal Year Starts In', ...READ_ONLY }),
    bool('IsReadOnly', { label: 'Is Read Only', ...READ_ONLY }),
  ],
};

export const profile: ObjectSpec = {
  name: 'Profile',
  label: 'Profile',
  labelPlural: 'Profiles',
  keyPrefix: '00e',
  flags: SETUP_ONLY,
  pkChunking: false,
  fields: [
    picklist('UserType', ['Standard', 'PowerPartner', 'CspLitePortal', 'CsnOnly', 'Guest'], { label: 'User Type', ...READ_ONLY }),
    textArea('Description', 255),
    bool('PermissionsApiEnabled', { label: 'API Enabled' }),
    bool('PermissionsModifyAllData', { label: 'Modify All Data' }),
    bool('PermissionsViewAllData', { label: 'View All Data' }),
    bool('PermissionsBulkApiHardDelete', { label: 'Bulk API Hard Delete' }),
  ],
};

export const user: ObjectSpec = {
  name: 'User',
  label: 'User',
  labelPlural: 'Users',
  keyPrefix: '005',
  // Users are deactivated, never deleted.
  flags: { deletable: false, undeletable: false, mergeable: false, feedEnabled: true },
  nameField: false,
  fields: [
    str('Username', 80, { required: true, unique: true }),
    str('LastName', 80, { label: 'Last Name', required: true }),
    str('FirstName', 40, { label: 'First Name' }),
    str('Name', 121, { label: 'Full Name', nameField: true, nillable: false, ...READ_ONLY }),
    str('Alias', 8, { required: true }),
    str('CommunityNickname', 40, { label: 'Nickname', unique: true }),
    email('Email', { required: true }),
    str('Title', 80),
    str('Department', 80),
    { name: 'Phone', type: 'phone' },
    bool('IsActive', { label: 'Active', defaultValue: true }),
    ref('ProfileId', ['Profile'], 'Profile', 'Users', { label: 'Profile ID' }),
    ref('ManagerId', ['User'], 'Manager', 'ManagedUsers', { label: 'Manager ID' }),
    picklist('UserType', ['Standard', 'PowerPartner', 'CspLitePortal', 'CsnOnly', 'Guest', 'AutomatedProcess'], {
      label: 'User Type',
      defaultValue: 'Standard',
      ...READ_ONLY,
    }),
    picklist('TimeZoneSidKey', TIME_ZONES, { label: 'Time Zone', required: true, restrictedPicklist: true }),
    picklist('LocaleSidKey', LOCALES, { label: 'Locale', required: true, restrictedPicklist: true }),
    picklist('LanguageLocaleKey', LANGUAGES, { label: 'Language', required: true, restrictedPicklist: true }),
    picklist('EmailEncodingKey', ['UTF-8', 'ISO-8859-1', 'Shift_JIS'], { label: 'Email Encoding', required: true, restrictedPicklist: true }),
    str('FederationIdentifier', 512, { label: 'SAML Federation ID', idLookup: true }),
    dateTime('LastLoginDate', { label: 'Last Login', ...READ_ONLY }),
  ],
};

export const group: ObjectSpec = {
  name: 'Group',
  label: 'Group',
  labelPlural: 'Groups',
  keyPrefix: '00G',
  flags: { undeletable: false, mergeable: false, searchable: false, triggerable: false },
  nameField: false,
  fields: [
    str('Name', 40, { nameField: true, required: true }),
    str('DeveloperName', 80, { label: 'Developer Name', idLookup: true }),
    picklist('Type', ['Regular', 'Role', 'RoleAndSubordinates', 'RoleAndSubordinatesInternal', 'Organization', 'Queue', 'Manager', 'AllCustomerPortal'], {
      required: true,
      restrictedPicklist: true,
    }),
    email('Email'),
    bool('DoesSendEmailToMembers', { label: 'Send Email to Members' }),
    bool('DoesIncludeBosses', { label: 'Include Bosses' }),
    // A group belongs to the org itself (or a user for personal groups).
    ref('OwnerId', ['Organization', 'User'], 'Owner', null, { label: 'Owner ID', nillable: false, defaultedOnCreate: true }),
  ],
};

export function recordType(objectNames: string[]): ObjectSpec {
  return {
    name: 'RecordType',
    label: 'Record Type',
    labelPlural: 'Record Types',
    keyPrefix: '012',
    flags: SETUP_ONLY,
    pkChunking: false,
    nameField: false,
    fields: [
      str('Name', 80, { label: 'Record Type Label', nameField: true, required: true }),
      str('DeveloperName', 80, { label: 'Record Type Name', required: true }),
      str('NamespacePrefix', 15, { label: 'Namespace Prefix', ...READ_ONLY }),
      str('Description', 255),
      picklist('SobjectType', objectNames, { label: 'SObject Type Name', required: true, restrictedPicklist: true }),
      bool('IsActive', { label: 'Active' }),
    ],
  };
}

export const OPPORTUNITY_STAGES: { name: string; probability: number; forecast: string; closed: boolean; won: boolean }[] = [
  { name: 'Prospecting', probability: 10, forecast: 'Pipeline', closed: false, won: false },
  { name: 'Qualification', probability: 10, forecast: 'Pipeline', closed: false, won: false },
  { name: 'Needs Analysis', probability: 20, forecast: 'Pipeline', closed: false, won: false },
  { name: 'Value Proposition', probability: 50, forecast: 'Pipeline', closed: false, won: false },
  { name: 'Id. Decision Makers', probability: 60, forecast: 'Pipeline', closed: false, won: false },
  { name: 'Perception Analysis', probability: 70, forecast: 'Pipeline', closed: false, won: false },
  { name: 'Proposal/Price Quote', probability: 75, forecast: 'Best Case', closed: false, won: false },
  { name: 'Negotiation/Review', probability: 90, forecast: 'Commit', closed: false, won: false },
  { name: 'Closed Won', probability: 100, forecast: 'Closed', closed: true, won: true },
  { name: 'Closed Lost', probability: 0, forecast: 'Omitted', closed: true, won: false },
];

export const FORECAST_CATEGORY_NAMES = ['Omitted', 'Pipeline', 'Best Case', 'Commit', 'Closed'];

export const opportunityStage: ObjectSpec = {
  name: 'OpportunityStage',
  label: 'Opportunity Stage',
  labelPlural: 'Opportunity Stages',
  keyPrefix: '01J',
  flags: SETUP_ONLY,
  // One of the objects Bulk API 2.0 does not support (REST query only).
  bulkQueryable: false,
  pkChunking: false,
  nameField: false,
  fields: [
    str('MasterLabel', 255, { label: 'Master Label', nameField: true, nillable: false, ...READ_ONLY }),
    str('ApiName', 255, { label: 'Api Name', nillable: false, ...READ_ONLY }),
    bool('IsActive', { label: 'Active', ...READ_ONLY }),
    int('SortOrder', 9, { label: 'Sort Order', ...READ_ONLY }),
    bool('IsClosed', { label: 'Closed', ...READ_ONLY }),
    bool('IsWon', { label: 'Won', ...READ_ONLY }),
    picklist('ForecastCategory', ['Omitted', 'Pipeline', 'BestCase', 'Forecast', 'Closed'], { label: 'Forecast Type', ...READ_ONLY }),
    picklist('ForecastCategoryName', FORECAST_CATEGORY_NAMES, { label: 'Forecast Category', ...READ_ONLY }),
    percent('DefaultProbability', 3, 0, { label: 'Probability (%)', ...READ_ONLY }),
    str('Description', 255, READ_ONLY),
  ],
};

const NOT_DATA: Partial<ObjectFlags> = {
  ...SETUP_ONLY,
  queryable: false,
  retrieveable: false,
  replicateable: false,
  layoutable: false,
};

/** Exists in describeGlobal but is no table: the backup's object filter must skip these. */
export const aggregateResult: ObjectSpec = {
  name: 'AggregateResult',
  label: 'Aggregate Result',
  labelPlural: 'Aggregate Result',
  keyPrefix: null,
  virtual: true,
  nameField: false,
  fields: [],
  flags: NOT_DATA,
};

/** Readable only as a child subquery of ProcessInstance, never in FROM. */
export const processInstanceHistory: ObjectSpec = {
  name: 'ProcessInstanceHistory',
  label: 'Approval History',
  labelPlural: 'Approval Histories',
  keyPrefix: null,
  virtual: true,
  nameField: false,
  fields: [
    picklist('StepStatus', ['Approved', 'Rejected', 'Removed', 'Fault', 'Pending', 'Held', 'Reassigned', 'Started', 'NoResponse'], READ_ONLY),
    textArea('Comments', 4000, READ_ONLY),
  ],
  flags: NOT_DATA,
};
