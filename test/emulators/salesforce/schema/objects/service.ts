// Service and activity objects: cases and tasks (whose What/Who lookups are polymorphic).
import type { ObjectSpec } from '../types.ts';
import { bool, date, dateTime, email, int, phone, picklist, READ_ONLY, ref, str, textArea } from './fields.ts';

export const CASE_STATUS = ['New', 'Working', 'Escalated', 'Closed'];

export const caseObject: ObjectSpec = {
  name: 'Case',
  label: 'Case',
  labelPlural: 'Cases',
  keyPrefix: '500',
  owner: 'userOrQueue',
  flags: { feedEnabled: true },
  nameField: false,
  fields: [
    str('CaseNumber', 30, {
      label: 'Case Number',
      nameField: true,
      autoNumber: true,
      displayFormat: '{00000000}',
      idLookup: true,
      nillable: false,
    }),
    ref('AccountId', ['Account'], 'Account', 'Cases', { label: 'Account ID', deletedWithParent: true }),
    ref('ContactId', ['Contact'], 'Contact', 'Cases', { label: 'Contact ID' }),
    ref('ParentId', ['Case'], 'Parent', 'Cases', { label: 'Parent Case ID' }),
    str('SuppliedName', 80, { label: 'Web Name' }),
    email('SuppliedEmail', { label: 'Web Email' }),
    phone('SuppliedPhone', { label: 'Web Phone' }),
    picklist('Type', ['Mechanical', 'Electrical', 'Electronic', 'Structural', 'Other'], { label: 'Case Type' }),
    picklist('Status', CASE_STATUS, { nillable: false, defaultValue: 'New' }),
    picklist('Reason', ['Installation', 'Equipment Complexity', 'Performance', 'Breakdown', 'Equipment Design', 'Feedback', 'Other'], {
      label: 'Case Reason',
    }),
    picklist('Origin', ['Phone', 'Email', 'Web'], { label: 'Case Origin' }),
    str('Subject', 255),
    picklist('Priority', ['High', 'Medium', 'Low'], { nillable: false, defaultValue: 'Medium' }),
    textArea('Description', 32000),
    bool('IsClosed', { label: 'Closed', ...READ_ONLY }),
    dateTime('ClosedDate', { label: 'Closed Date', ...READ_ONLY }),
    bool('IsEscalated', { label: 'Escalated' }),
    str('Product_Serial__c', 40, { label: 'Product Serial', caseSensitive: true }),
  ],
};

export const TASK_STATUS = ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'];

export const task: ObjectSpec = {
  name: 'Task',
  label: 'Task',
  labelPlural: 'Tasks',
  keyPrefix: '00T',
  owner: 'user',
  nameField: false,
  fields: [
    // Activities go to the Recycle Bin with the record they are about and the person they concern.
    ref('WhoId', ['Contact', 'Lead'], 'Who', 'Tasks', { label: 'Name ID', deletedWithParent: true }),
    ref('WhatId', ['Account', 'Opportunity', 'Case', 'Project__c'], 'What', 'Tasks', { label: 'Related To ID', deletedWithParent: true }),
    { name: 'Subject', type: 'combobox', length: 255, nameField: true, picklist: ['Call', 'Send Letter', 'Send Quote', 'Other'] },
    date('ActivityDate', { label: 'Due Date Only' }),
    picklist('Status', TASK_STATUS, { nillable: false, defaultValue: 'Not Started', restrictedPicklist: true }),
    picklist('Priority', ['High', 'Normal', 'Low'], { nillable: false, defaultValue: 'Normal', restrictedPicklist: true }),
    bool('IsClosed', { label: 'Closed', ...READ_ONLY }),
    bool('IsHighPriority', { label: 'High Priority', ...READ_ONLY }),
    textArea('Description', 32000, { label: 'Comments' }),
    picklist('TaskSubtype', ['Task', 'Email', 'ListEmail', 'Cadence', 'Call', 'LinkedIn'], { label: 'Task Subtype', ...READ_ONLY, createable: true }),
    int('CallDurationInSeconds', 8, { label: 'Call Duration' }),
    bool('IsReminderSet', { label: 'Reminder Set' }),
    dateTime('ReminderDateTime', { label: 'Reminder Date/Time' }),
    // Tasks older than a year are archived: only queryAll returns them.
    bool('IsArchived', { label: 'Archived', ...READ_ONLY }),
  ],
};
