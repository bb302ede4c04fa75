// The write order of a restore: parents before children from the createable lookups between the
// objects restored, self-lookups and cycles deferred to a second pass, the same order every time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { writeOrder } from '../../../src/restore/order.ts';
import type { ObjectSchema, SchemaField } from '../../../src/snapshot/contracts.ts';

function field(name: string, referenceTo: string[] = [], o: Partial<SchemaField> = {}): SchemaField {
  return {
    name,
    type: referenceTo.length > 0 ? 'reference' : 'string',
    label: name,
    referenceTo,
    relationshipName: null,
    createable: true,
    updateable: true,
    nillable: true,
    externalId: false,
    unique: false,
    calculated: false,
    autoNumber: false,
    defaultedOnCreate: false,
    cascadeDelete: false,
    length: 18,
    ...o,
  };
}

function object(name: string, ...fields: SchemaField[]): ObjectSchema {
  return { name, label: name, keyPrefix: null, fields: [field('Id', [], { createable: false, updateable: false }), ...fields] };
}

test('parents come before children, ties by name, and lookups to objects not restored do not count', () => {
  const r = writeOrder([
    object('Task', field('WhatId', ['Account', 'Opportunity']), field('WhoId', ['Contact', 'Lead'])),
    object('Opportunity', field('AccountId', ['Account'])),
    object('Contact', field('AccountId', ['Account']), field('OwnerId', ['User'])),
    object('Account', field('ParentId', ['Account']), field('OwnerId', ['User'])),
    object('Zeta__c'),
  ]);
  assert.deepEqual(r.order, ['Account', 'Contact', 'Opportunity', 'Task', 'Zeta__c']);
  assert.deepEqual(r.deferred, [{ object: 'Account', field: 'ParentId', parent: 'Account', kind: 'self' }]);
  assert.deepEqual(r.notes, []);
});

test('lookups that cannot be created (set by the system) do not order anything', () => {
  const r = writeOrder([object('A', field('BId', ['B'], { createable: false })), object('B', field('AId', ['A']))]);
  assert.deepEqual(r.order, ['A', 'B']);
  assert.deepEqual(r.deferred, []);
});

test('a cycle is broken at a nillable lookup rather than a required one, and noted', () => {
  // Child__c needs its Parent__c (master-detail); Parent__c only optionally points at a favourite child.
  const schemas = [object('Child__c', field('Parent__c', ['Parent__c'], { nillable: false })), object('Parent__c', field('Favourite__c', ['Child__c']))];
  const r = writeOrder(schemas);
  assert.deepEqual(r.order, ['Parent__c', 'Child__c']);
  assert.deepEqual(r.deferred, [{ object: 'Parent__c', field: 'Favourite__c', parent: 'Child__c', kind: 'cycle' }]);
  assert.deepEqual(r.notes, ['cycle: Parent__c is written before Child__c; Parent__c.Favourite__c → Child__c set in a second pass']);
  // The input order does not matter.
  assert.deepEqual(writeOrder([...schemas].reverse()), r);
});

test('a cycle of equals is broken at the first by name, and the rest follow in dependency order', () => {
  const r = writeOrder([
    object('C', field('AId', ['A'])),
    object('B', field('CId', ['C'])),
    object('A', field('BId', ['B'])),
    object('D', field('CId', ['C'])),
  ]);
  assert.deepEqual(r.order, ['A', 'C', 'B', 'D']);
  assert.deepEqual(r.deferred, [{ object: 'A', field: 'BId', parent: 'B', kind: 'cycle' }]);
});
