// The org schema as jsforce sees it: describeGlobal, every object's describe, the flags and
// relationships the backup and restore rely on (spec §2.4, §2.5, §2.8).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Connection, DescribeSObjectResult, Field, RecordTypeInfo } from 'jsforce';
import type { Emulator } from '../../emulators/salesforce/emulator.ts';
import { getObject } from '../../emulators/salesforce/schema/types.ts';
import { creds, emulator, raw, refreshConnection } from '../../helpers/emulator.ts';

const GLOBAL_KEYS = [
  'activateable',
  'associateEntityType',
  'associateParentEntity',
  'createable',
  'custom',
  'customSetting',
  'deepCloneable',
  'deletable',
  'deprecatedAndHidden',
  'feedEnabled',
  'hasSubtypes',
  'isInterface',
  'isSubtype',
  'keyPrefix',
  'label',
  'labelPlural',
  'layoutable',
  'mergeable',
  'mruEnabled',
  'name',
  'queryable',
  'replicateable',
  'retrieveable',
  'searchable',
  'triggerable',
  'undeletable',
  'updateable',
  'urls',
];

const DESCRIBE_KEYS = [
  ...GLOBAL_KEYS,
  'actionOverrides',
  'childRelationships',
  'compactLayoutable',
  'fields',
  'listviewable',
  'lookupLayoutable',
  'namedLayoutInfos',
  'networkScopeFieldName',
  'recordTypeInfos',
  'searchLayoutable',
  'sobjectDescribeOption',
  'supportedScopes',
];

const FIELD_KEYS = `aggregatable, aiPredictionField, autoNumber, byteLength, calculated, calculatedFormula,
cascadeDelete, caseSensitive, compoundFieldName, controllerName, createable, custom, defaultValue,
defaultValueFormula, defaultedOnCreate, dependentPicklist, deprecatedAndHidden, digits,
displayLocationInDecimal, encrypted, externalId, extraTypeInfo, filterable, filteredLookupInfo,
formulaTreatNullNumberAsZero, groupable, highScaleNumber, htmlFormatted, idLookup, inlineHelpText,
label, length, mask, maskType, name, nameField, namePointing, nillable, permissionable,
picklistValues, polymorphicForeignKey, precision, queryByDistance, referenceTargetField,
referenceTo, relationshipName, relationshipOrder, restrictedDelete, restrictedPicklist, scale,
searchPrefilterable, soapType, sortable, type, unique, updateable, writeRequiresMasterRead`
  .split(',')
  .map((s) => s.trim());

const SOAP_TYPES: Record<string, string> = {
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

const KEY_PREFIXES: Record<string, string> = {
  Organization: '00D',
  User: '005',
  Group: '00G',
  Profile: '00e',
  RecordType: '012',
  Account: '001',
  Contact: '003',
  Opportunity: '006',
  Lead: '00Q',
  Case: '500',
  Task: '00T',
  Attachment: '00P',
  ContentVersion: '068',
  ContentDocument: '069',
  Project__c: 'a00',
  Project_Member__c: 'a01',
};

// jsforce's types omit a few keys Salesforce sends.
type FieldInfo = Field & { polymorphicForeignKey: boolean };
type Described = Omit<DescribeSObjectResult, 'fields' | 'recordTypeInfos'> & {
  fields: FieldInfo[];
  recordTypeInfos: (RecordTypeInfo & { developerName: string })[];
};

let emu: Emulator;
let conn: Connection;
const described = new Map<string, Described>();

function obj(name: string): Described {
  const d = described.get(name);
  assert.ok(d, `${name} was described`);
  return d;
}

function field(objName: string, name: string): FieldInfo {
  const f = obj(objName).fields.find((x) => x.name === name);
  assert.ok(f, `${objName}.${name} exists`);
  return f;
}

function childRel(parent: string, child: string, fieldName: string) {
  return obj(parent).childRelationships.find((c) => c.childSObject === child && c.field === fieldName);
}

before(async () => {
  emu = await emulator({ orgs: [{ alias: 'prod', records: 300, seed: 7, name: 'Schema Test Org' }] });
  conn = refreshConnection(emu);
  const global = await conn.describeGlobal();
  for (const s of global.sobjects) described.set(s.name, (await conn.describe(s.name)) as Described);
});

after(async () => {
  await emu?.close();
});

describe('describeGlobal', () => {
  it('lists every object once, by name, with every global key', async () => {
    const global = await conn.describeGlobal();
    assert.equal(global.encoding, 'UTF-8');
    assert.equal(global.maxBatchSize, 200);
    const names = global.sobjects.map((s) => s.name);
    assert.deepEqual(names, [...names].sort());
    assert.equal(new Set(names).size, names.length);
    for (const s of global.sobjects) assert.deepEqual(Object.keys(s).sort(), [...GLOBAL_KEYS].sort(), s.name);
    for (const [name, prefix] of Object.entries(KEY_PREFIXES)) {
      assert.equal(global.sobjects.find((s) => s.name === name)?.keyPrefix, prefix, name);
    }
  });

  it('has no ScratchOrgInfo, so sf sees INVALID_TYPE and knows this is no Dev Hub', async () => {
    assert.equal(described.has('ScratchOrgInfo'), false);
    await assert.rejects(async () => conn.query('SELECT Id FROM ScratchOrgInfo limit 1'), { errorCode: 'INVALID_TYPE' });
    const res = await raw(`${creds(emu).instanceUrl}/services/data/v62.0/sobjects/ScratchOrgInfo/describe`, { token: conn.accessToken ?? '' });
    assert.equal(res.status, 404);
    assert.deepEqual(res.json(), [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
  });

  it('mixes in objects the backup must filter out or treat specially', () => {
    for (const name of ['AggregateResult', 'ProcessInstanceHistory']) {
      assert.equal(obj(name).queryable, false, name);
      assert.equal(obj(name).retrieveable, false, name);
    }
    const history = obj('AccountHistory');
    assert.equal(history.queryable, true);
    assert.equal(history.retrieveable, true);
    assert.equal(history.replicateable, false);
    assert.equal(history.createable, false);
    const stage = obj('OpportunityStage');
    assert.equal(stage.queryable, true);
    assert.equal(stage.createable, false);
    // Bulk API 2.0 refuses it; REST query works.
    assert.equal(getObject(emu.state.schema, 'OpportunityStage')?.bulkQueryable, false);
    assert.equal(getObject(emu.state.schema, 'Account')?.bulkQueryable, true);
    const org = obj('Organization');
    assert.equal(org.createable, false);
    assert.equal(org.deletable, false);
    assert.equal(org.queryable, true);
  });

  it('marks custom objects custom, with a00/a01 key prefixes', () => {
    for (const name of ['Project__c', 'Project_Member__c']) {
      assert.equal(obj(name).custom, true, name);
    }
    assert.equal(obj('Account').custom, false);
  });
});

describe('describe', () => {
  it('gives every object every top-level key and every field every descriptor key', () => {
    for (const [name, d] of described) {
      assert.deepEqual(
        Object.keys(d)
          .filter((k) => DESCRIBE_KEYS.includes(k))
          .sort(),
        [...DESCRIBE_KEYS].sort(),
        name,
      );
      assert.equal(d.name, name);
      assert.equal(d.urls.describe, `/services/data/v62.0/sobjects/${name}/describe`);
      assert.ok(d.fields.length > 0, name);
      for (const f of d.fields) {
        assert.deepEqual(Object.keys(f).sort(), [...FIELD_KEYS].sort(), `${name}.${f.name}`);
        assert.equal(f.soapType, SOAP_TYPES[f.type], `${name}.${f.name} soapType`);
        if (f.calculated || f.autoNumber || f.type === 'id') {
          assert.equal(f.createable, false, `${name}.${f.name} createable`);
          assert.equal(f.updateable, false, `${name}.${f.name} updateable`);
        }
        for (const p of f.picklistValues ?? []) assert.deepEqual(Object.keys(p).sort(), ['active', 'defaultValue', 'label', 'validFor', 'value']);
        if (f.type === 'reference') {
          assert.ok(f.referenceTo && f.referenceTo.length > 0, `${name}.${f.name} referenceTo`);
          assert.equal(f.polymorphicForeignKey, (f.referenceTo?.length ?? 0) > 1, `${name}.${f.name} polymorphic`);
          for (const target of f.referenceTo ?? []) assert.ok(described.has(target), `${name}.${f.name} -> ${target}`);
        }
      }
    }
  });

  it('gives every data object the canonical fields and flags', () => {
    for (const [name, d] of described) {
      if (!d.queryable) continue;
      const f = (n: string) => d.fields.find((x) => x.name === n);
      const id = f('Id');
      assert.ok(id, `${name}.Id`);
      assert.equal(id.type, 'id');
      assert.equal(id.length, 18);
      assert.equal(id.idLookup, true);
      assert.equal(id.defaultedOnCreate, true);
      assert.equal(id.nillable, false);
      assert.equal(id.createable || id.updateable, false);
      const deleted = f('IsDeleted');
      assert.ok(deleted, `${name}.IsDeleted`);
      assert.equal(deleted.type, 'boolean');
      assert.equal(deleted.createable || deleted.updateable || deleted.nillable, false);
      assert.equal(deleted.defaultedOnCreate, true);
      for (const n of ['CreatedDate', 'LastModifiedDate', 'SystemModstamp']) {
        const t = f(n);
        assert.ok(t, `${name}.${n}`);
        assert.equal(t.type, 'datetime');
        assert.equal(t.createable || t.updateable || t.nillable, false, `${name}.${n}`);
        assert.equal(t.defaultedOnCreate, true);
      }
      for (const [n, rel] of [
        ['CreatedById', 'CreatedBy'],
        ['LastModifiedById', 'LastModifiedBy'],
      ]) {
        const t = f(n as string);
        assert.ok(t, `${name}.${n}`);
        assert.equal(t.type, 'reference');
        assert.deepEqual(t.referenceTo, ['User']);
        assert.equal(t.relationshipName, rel);
        assert.equal(t.createable || t.updateable || t.nillable, false);
      }
      const owner = f('OwnerId');
      if (owner && name !== 'Group') {
        assert.equal(owner.relationshipName, 'Owner');
        assert.equal(owner.nillable, false);
        assert.equal(owner.createable && owner.updateable, true, `${name}.OwnerId`);
        assert.equal(owner.polymorphicForeignKey, owner.referenceTo?.length === 2);
      }
      // History rows have no name; everything else has exactly one, required except a task's Subject.
      const nameFields = d.fields.filter((x) => x.nameField);
      assert.equal(nameFields.length, name.endsWith('History') ? 0 : 1, `${name} name fields`);
      for (const nf of nameFields) assert.equal(nf.nillable, name === 'Task', `${name}.${nf.name} nillable`);
    }
  });

  it('lets queues own leads and cases but not accounts', () => {
    assert.deepEqual(field('Lead', 'OwnerId').referenceTo, ['Group', 'User']);
    assert.deepEqual(field('Case', 'OwnerId').referenceTo, ['Group', 'User']);
    assert.equal(field('Case', 'OwnerId').polymorphicForeignKey, true);
    assert.deepEqual(field('Account', 'OwnerId').referenceTo, ['User']);
    assert.equal(field('Account', 'OwnerId').polymorphicForeignKey, false);
    assert.equal(
      obj('Project_Member__c').fields.some((f) => f.name === 'OwnerId'),
      false,
    );
  });

  it('models Account like a real org', () => {
    const nameF = field('Account', 'Name');
    assert.equal(nameF.createable && nameF.updateable && nameF.nameField, true);
    const parent = field('Account', 'ParentId');
    assert.deepEqual(parent.referenceTo, ['Account']);
    assert.equal(parent.relationshipName, 'Parent');
    assert.equal(childRel('Account', 'Account', 'ParentId')?.relationshipName, 'ChildAccounts');
    for (const prefix of ['Billing', 'Shipping']) {
      const compound = field('Account', `${prefix}Address`);
      assert.equal(compound.type, 'address');
      assert.equal(compound.createable || compound.updateable, false);
      for (const part of ['Street', 'City', 'State', 'PostalCode', 'Country', 'Latitude', 'Longitude', 'GeocodeAccuracy']) {
        assert.equal(field('Account', `${prefix}${part}`).compoundFieldName, `${prefix}Address`, `${prefix}${part}`);
      }
    }
    assert.equal(field('Account', 'BillingStreet').type, 'textarea');
    assert.equal(field('Account', 'BillingStreet').filterable, true);
    assert.equal(field('Account', 'BillingLatitude').scale, 15);
    const ext = field('Account', 'Ext_Id__c');
    assert.equal(ext.externalId && ext.unique && ext.idLookup && ext.custom, true);
    assert.equal(field('Account', 'Industry').type, 'picklist');
    assert.ok((field('Account', 'Industry').picklistValues?.length ?? 0) > 20);
    assert.equal(field('Account', 'Type').type, 'picklist');
    assert.equal(field('Account', 'AnnualRevenue').type, 'currency');
    assert.equal(field('Account', 'NumberOfEmployees').type, 'int');
    const desc = field('Account', 'Description');
    assert.equal(desc.type, 'textarea');
    assert.equal(desc.length, 32000);
    assert.equal(desc.filterable, false);
    assert.equal(desc.extraTypeInfo, 'plaintextarea');
    assert.equal(field('Account', 'Phone').type, 'phone');
    assert.equal(field('Account', 'Website').type, 'url');
    assert.equal(field('Account', 'Rating').type, 'picklist');
    assert.equal(field('Account', 'Active__c').type, 'boolean');
    assert.equal(field('Account', 'Active__c').custom, true);
    for (const [child, fieldName, rel] of [
      ['Contact', 'AccountId', 'Contacts'],
      ['Opportunity', 'AccountId', 'Opportunities'],
      ['Case', 'AccountId', 'Cases'],
      ['Task', 'WhatId', 'Tasks'],
      ['Project__c', 'Account__c', 'Projects__r'],
      ['AccountHistory', 'AccountId', 'Histories'],
    ] as const) {
      assert.equal(childRel('Account', child, fieldName)?.relationshipName, rel, `${child}.${fieldName}`);
    }
  });

  it('lists record types before Master, with the ids of the RecordType rows', async () => {
    const infos = obj('Account').recordTypeInfos;
    assert.deepEqual(
      infos.map((r) => [r.developerName, r.master, r.defaultRecordTypeMapping]),
      [
        ['Customer', false, true],
        ['Partner', false, false],
        ['Master', true, false],
      ],
    );
    assert.equal(infos[2]?.recordTypeId, '012000000000000AAA');
    const rows = await conn.query<{ Id: string; DeveloperName: string }>("SELECT Id, DeveloperName FROM RecordType WHERE SobjectType = 'Account'");
    assert.deepEqual(
      rows.records.map((r) => [r.DeveloperName, r.Id]).sort(),
      infos
        .filter((r) => !r.master)
        .map((r) => [r.developerName, r.recordTypeId])
        .sort(),
    );
    const contactTypes = obj('Contact').recordTypeInfos;
    assert.deepEqual(
      contactTypes.map((r) => [r.developerName, r.defaultRecordTypeMapping]),
      [['Master', true]],
    );
    const byName = await conn.query<{ Id: string }>("SELECT Id FROM RecordType WHERE Name = 'New Business' AND SobjectType = 'Opportunity'");
    assert.equal(byName.totalSize, 1);
    assert.equal(byName.records[0]?.Id.slice(0, 3), '012');
  });

  it('models Contact with account, self lookup, mailing address and typed fields', () => {
    const acct = field('Contact', 'AccountId');
    assert.deepEqual(acct.referenceTo, ['Account']);
    assert.equal(acct.relationshipName, 'Account');
    assert.equal(acct.nillable, true);
    assert.deepEqual(field('Contact', 'ReportsToId').referenceTo, ['Contact']);
    assert.equal(field('Contact', 'ReportsToId').relationshipName, 'ReportsTo');
    assert.equal(field('Contact', 'Email').type, 'email');
    assert.equal(field('Contact', 'Birthdate').type, 'date');
    assert.equal(field('Contact', 'MailingAddress').type, 'address');
    assert.equal(field('Contact', 'MailingCity').compoundFieldName, 'MailingAddress');
    assert.equal(field('Contact', 'HasOptedOutOfEmail').type, 'boolean');
    assert.equal(field('Contact', 'LeadSource').type, 'picklist');
    const last = field('Contact', 'LastName');
    assert.equal(last.nillable || last.defaultedOnCreate, false);
    assert.equal(last.createable, true);
    const legacy = field('Contact', 'Legacy_Id__c');
    assert.equal(legacy.externalId, true);
    assert.equal(legacy.unique, false);
  });

  it('models Opportunity stages, required close date and formula fields', () => {
    const stage = field('Opportunity', 'StageName');
    assert.equal(stage.restrictedPicklist, true);
    assert.equal(stage.nillable, false);
    assert.equal(stage.createable, true);
    assert.ok(stage.picklistValues?.some((p) => p.value === 'Closed Won'));
    const close = field('Opportunity', 'CloseDate');
    assert.equal(close.type, 'date');
    assert.equal(close.nillable || close.defaultedOnCreate, false);
    assert.equal(field('Opportunity', 'Amount').type, 'currency');
    assert.equal(field('Opportunity', 'Amount').scale, 2);
    assert.equal(field('Opportunity', 'Probability').type, 'percent');
    const closed = field('Opportunity', 'IsClosed');
    assert.equal(closed.calculated, true);
    assert.match(closed.calculatedFormula ?? '', /StageName/);
    assert.equal(closed.createable || closed.updateable, false);
  });

  it('models Case with an auto-number name and defaulted picklists', () => {
    const num = field('Case', 'CaseNumber');
    assert.equal(num.autoNumber && num.nameField, true);
    assert.equal(num.createable, false);
    assert.deepEqual(field('Case', 'ContactId').referenceTo, ['Contact']);
    assert.equal(childRel('Contact', 'Case', 'ContactId')?.relationshipName, 'Cases');
    const priority = field('Case', 'Priority');
    assert.equal(priority.defaultedOnCreate, true);
    assert.deepEqual(
      priority.picklistValues?.filter((p) => p.defaultValue).map((p) => p.value),
      ['Medium'],
    );
    for (const n of ['Status', 'Subject', 'Description']) field('Case', n);
  });

  it('models Task with polymorphic What and Who lookups', () => {
    const what = field('Task', 'WhatId');
    assert.deepEqual(what.referenceTo, ['Account', 'Opportunity', 'Case', 'Project__c']);
    assert.equal(what.polymorphicForeignKey, true);
    assert.equal(what.relationshipName, 'What');
    const who = field('Task', 'WhoId');
    assert.deepEqual(who.referenceTo, ['Contact', 'Lead']);
    assert.equal(who.relationshipName, 'Who');
    for (const parent of ['Account', 'Opportunity', 'Case', 'Project__c']) {
      assert.equal(childRel(parent, 'Task', 'WhatId')?.relationshipName, 'Tasks', parent);
    }
    for (const parent of ['Contact', 'Lead']) assert.equal(childRel(parent, 'Task', 'WhoId')?.relationshipName, 'Tasks', parent);
    assert.equal(field('Task', 'Subject').type, 'combobox');
    assert.equal(field('Task', 'ActivityDate').type, 'date');
    assert.equal(field('Task', 'IsClosed').createable, false);
    for (const n of ['Status', 'Priority', 'OwnerId']) field('Task', n);
  });

  it('models the custom objects: lookups ending in __r, master-detail, every value type', () => {
    const acct = field('Project__c', 'Account__c');
    assert.equal(acct.relationshipName, 'Account__r');
    assert.equal(acct.custom, true);
    assert.equal(field('Project__c', 'Ext_Id__c').externalId, true);
    assert.equal(field('Project__c', 'Budget__c').type, 'currency');
    assert.equal(field('Project__c', 'Start__c').type, 'date');
    assert.equal(field('Project__c', 'Kickoff__c').type, 'datetime');
    assert.equal(field('Project__c', 'Daily_Standup__c').type, 'time');
    assert.equal(field('Project__c', 'Code__c').autoNumber, true);
    assert.equal(field('Project__c', 'Tags__c').type, 'multipicklist');
    assert.equal(field('Project__c', 'Completion__c').type, 'percent');
    assert.equal(field('Project__c', 'Notes__c').length, 131072);
    assert.equal(field('Project__c', 'Summary__c').extraTypeInfo, 'richtextarea');
    assert.equal(field('Project__c', 'Access_Code__c').type, 'encryptedstring');
    assert.equal(field('Project__c', 'Geo__c').type, 'location');
    const lat = field('Project__c', 'Geo__Latitude__s');
    assert.equal(lat.compoundFieldName, 'Geo__c');
    assert.equal(lat.custom, true);

    const master = field('Project_Member__c', 'Project__c');
    assert.equal(master.cascadeDelete, true);
    assert.equal(master.relationshipOrder, 0);
    assert.equal(master.nillable, false);
    assert.equal(master.relationshipName, 'Project__r');
    assert.deepEqual(childRel('Project__c', 'Project_Member__c', 'Project__c'), {
      cascadeDelete: true,
      childSObject: 'Project_Member__c',
      deprecatedAndHidden: false,
      field: 'Project__c',
      junctionIdListNames: [],
      junctionReferenceTo: [],
      relationshipName: 'Project_Members__r',
      restrictedDelete: false,
    });
    assert.equal(field('Project_Member__c', 'Contact__c').cascadeDelete, false);
    assert.equal(field('Project_Member__c', 'Role__c').type, 'picklist');
  });

  it('models files with base64 bodies', () => {
    const data = field('ContentVersion', 'VersionData');
    assert.equal(data.type, 'base64');
    assert.equal(data.createable, true);
    for (const n of ['Title', 'PathOnClient']) assert.equal(field('ContentVersion', n).nillable, false);
    assert.equal(field('Attachment', 'Body').type, 'base64');
    assert.equal(field('Attachment', 'ParentId').polymorphicForeignKey, true);
  });
});

describe('setup queries the clients send', () => {
  it('reads the Organization row the way sf does after login', async () => {
    const c = creds(emu);
    const res = await conn.query<Record<string, unknown>>(
      'SELECT Name, InstanceName, IsSandbox, TrialExpirationDate, NamespacePrefix, OrganizationType FROM Organization',
    );
    assert.equal(res.totalSize, 1);
    const { attributes: _, ...row } = res.records[0] as Record<string, unknown>;
    assert.deepEqual(row, {
      Name: 'Schema Test Org',
      InstanceName: 'NA224',
      IsSandbox: false,
      TrialExpirationDate: null,
      NamespacePrefix: null,
      OrganizationType: 'Enterprise Edition',
    });
    const byId = await conn.query<{ Id: string }>('SELECT Id, OrganizationType, IsSandbox FROM Organization LIMIT 1');
    assert.equal(byId.records[0]?.Id, c.orgId);
  });

  it('finds users, the admin among them, and queues', async () => {
    const c = creds(emu);
    const users = await conn.query<{ Id: string; Username: string; IsActive: boolean }>('SELECT Id, Username, IsActive FROM User');
    assert.ok(users.totalSize > 1);
    assert.ok(users.records.some((u) => u.Id === c.userId && u.Username === c.username && u.IsActive));
    const queues = await conn.query<{ Id: string; Name: string }>("SELECT Id, Name FROM Group WHERE Type = 'Queue'");
    assert.ok(queues.totalSize >= 2);
    for (const q of queues.records) assert.equal(q.Id.slice(0, 3), '00G');
  });

  it('answers the person-account probe with INVALID_FIELD (person accounts off)', async () => {
    await assert.rejects(async () => conn.query('SELECT IsPersonAccount FROM Account LIMIT 1'), { errorCode: 'INVALID_FIELD' });
  });

  it('reads opportunity stages over REST', async () => {
    const res = await conn.query<{ MasterLabel: string; IsWon: boolean }>('SELECT MasterLabel, IsWon FROM OpportunityStage');
    assert.deepEqual(
      res.records.filter((r) => r.IsWon).map((r) => r.MasterLabel),
      ['Closed Won'],
    );
    const picklist = field('Opportunity', 'StageName').picklistValues?.map((p) => p.value);
    assert.deepEqual(res.records.map((r) => r.MasterLabel).sort(), [...(picklist ?? [])].sort());
  });
});
