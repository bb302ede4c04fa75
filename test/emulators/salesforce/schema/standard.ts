// PLACEHOLDER (to be replaced by the schema module): a minimal schema.
import { buildSchema } from './define.ts';
import type { Schema } from './types.ts';

export function standardSchema(): Schema {
  return buildSchema([
    {
      name: 'User',
      label: 'User',
      labelPlural: 'Users',
      keyPrefix: '005',
      nameField: false,
      fields: [
        { name: 'Username', type: 'string', required: true, unique: true, length: 80 },
        { name: 'LastName', type: 'string', required: true, length: 80 },
        { name: 'FirstName', type: 'string', length: 40 },
        { name: 'Name', type: 'string', nameField: true, createable: false, updateable: false, length: 121 },
        { name: 'Email', type: 'email', required: true },
        { name: 'IsActive', type: 'boolean', defaultValue: true },
      ],
    },
    {
      name: 'Account',
      label: 'Account',
      labelPlural: 'Accounts',
      keyPrefix: '001',
      owner: 'user',
      fields: [
        { name: 'AccountNumber', type: 'string', length: 40 },
        { name: 'AnnualRevenue', type: 'currency' },
        { name: 'ParentId', type: 'reference', referenceTo: ['Account'], relationshipName: 'Parent', childRelationshipName: 'ChildAccounts' },
      ],
    },
    {
      name: 'Contact',
      label: 'Contact',
      labelPlural: 'Contacts',
      keyPrefix: '003',
      owner: 'user',
      nameField: false,
      fields: [
        { name: 'LastName', type: 'string', required: true, length: 80 },
        { name: 'FirstName', type: 'string', length: 40 },
        { name: 'Email', type: 'email' },
        { name: 'AccountId', type: 'reference', referenceTo: ['Account'], relationshipName: 'Account', childRelationshipName: 'Contacts' },
      ],
    },
    {
      name: 'AggregateResult',
      label: 'Aggregate Result',
      labelPlural: 'Aggregate Result',
      keyPrefix: null,
      virtual: true,
      nameField: false,
      fields: [],
      flags: { queryable: false, retrieveable: false, createable: false, updateable: false, deletable: false, replicateable: false },
    },
  ]);
}
