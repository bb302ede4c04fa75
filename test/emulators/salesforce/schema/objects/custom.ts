// The org's own objects: projects under accounts, and their members (a master-detail child).
import type { ObjectSpec } from '../types.ts';
import { bool, currency, date, dateTime, email, location, multiPicklist, num, percent, phone, picklist, ref, str, textArea, url } from './fields.ts';

export const PROJECT_TAGS = ['Migration', 'Integration', 'Analytics', 'Training', 'Support', 'Données', 'データ', 'Ελλάδα'];

export const project: ObjectSpec = {
  name: 'Project__c',
  label: 'Project',
  labelPlural: 'Projects',
  keyPrefix: 'a00',
  owner: 'user',
  fields: [
    ref('Account__c', ['Account'], 'Account__r', 'Projects__r', { label: 'Account' }),
    str('Ext_Id__c', 40, { label: 'Project External ID', externalId: true, unique: true }),
    str('Code__c', 30, { label: 'Code', autoNumber: true, displayFormat: 'PRJ-{00000}', nillable: false }),
    picklist('Status__c', ['Planned', 'Active', 'On Hold', 'Done', 'Cancelled'], { label: 'Status', restrictedPicklist: true, defaultValue: 'Planned' }),
    currency('Budget__c', 16, 2, { label: 'Budget' }),
    num('Hours_Variance__c', 8, 2, { label: 'Hours Variance' }),
    date('Start__c', { label: 'Start' }),
    date('End__c', { label: 'End' }),
    dateTime('Kickoff__c', { label: 'Kickoff' }),
    { name: 'Daily_Standup__c', type: 'time', label: 'Daily Standup' },
    multiPicklist('Tags__c', PROJECT_TAGS, { label: 'Tags' }),
    percent('Completion__c', 5, 2, { label: 'Completion' }),
    bool('Is_Billable__c', { label: 'Billable', defaultValue: true }),
    email('Sponsor_Email__c', { label: 'Sponsor Email' }),
    phone('Hotline__c', { label: 'Hotline' }),
    url('Repository__c', { label: 'Repository' }),
    { name: 'Access_Code__c', type: 'encryptedstring', length: 175, label: 'Access Code' },
    textArea('Notes__c', 131072, { label: 'Notes' }),
    textArea('Summary__c', 32768, { label: 'Summary', htmlFormatted: true }),
    ...location('Geo__c', 'Site Location', 6),
  ],
};

export const projectMember: ObjectSpec = {
  name: 'Project_Member__c',
  label: 'Project Member',
  labelPlural: 'Project Members',
  keyPrefix: 'a01',
  // A detail record: owned through its master, so no OwnerId of its own.
  owner: false,
  nameField: false,
  fields: [
    str('Name', 80, { label: 'Project Member Name', nameField: true, autoNumber: true, displayFormat: 'PM-{000000}', nillable: false }),
    ref('Project__c', ['Project__c'], 'Project__r', 'Project_Members__r', {
      label: 'Project',
      required: true,
      cascadeDelete: true,
      relationshipOrder: 0,
      // Reparenting is off, as it is by default for master-detail fields.
      updateable: false,
    }),
    ref('Contact__c', ['Contact'], 'Contact__r', 'Project_Members__r', { label: 'Contact' }),
    picklist('Role__c', ['Lead', 'Developer', 'Analyst', 'Sponsor', 'Tester', 'Conseiller Spécial'], { label: 'Role' }),
    percent('Allocation__c', 5, 2, { label: 'Allocation' }),
    date('Joined__c', { label: 'Joined' }),
    textArea('Comment__c', 255, { label: 'Comment' }),
  ],
};
