// Files: Salesforce Files (ContentDocument + its versions) and classic attachments. Their binary
// fields are base64: REST returns a blob URL, Bulk API 2.0 refuses to select them.
import type { ObjectSpec } from '../types.ts';
import { bool, int, READ_ONLY, ref, str, textArea } from './fields.ts';

export const FILE_PARENTS = ['Account', 'Contact', 'Opportunity', 'Case', 'Project__c'];

export const contentDocument: ObjectSpec = {
  name: 'ContentDocument',
  label: 'Content Document',
  labelPlural: 'Content Documents',
  keyPrefix: '069',
  owner: 'user',
  // Created by inserting its first ContentVersion.
  flags: { createable: false, mergeable: false, triggerable: true },
  nameField: false,
  fields: [
    str('Title', 255, { nameField: true, nillable: false }),
    str('Description', 1000),
    ref('LatestPublishedVersionId', ['ContentVersion'], 'LatestPublishedVersion', null, { label: 'Latest Published Version ID', ...READ_ONLY }),
    str('FileType', 20, { label: 'File Type', ...READ_ONLY }),
    str('FileExtension', 40, { label: 'File Extension', ...READ_ONLY }),
    int('ContentSize', 9, { label: 'Size', ...READ_ONLY }),
    str('PublishStatus', 40, { label: 'Publish Status', ...READ_ONLY }),
  ],
};

export const contentVersion: ObjectSpec = {
  name: 'ContentVersion',
  label: 'Content Version',
  labelPlural: 'Content Versions',
  keyPrefix: '068',
  owner: 'user',
  // Versions go away with their document.
  flags: { deletable: false, undeletable: false, mergeable: false },
  nameField: false,
  fields: [
    ref('ContentDocumentId', ['ContentDocument'], 'ContentDocument', 'ContentVersions', {
      label: 'ContentDocument ID',
      defaultedOnCreate: true,
      updateable: false,
      deletedWithParent: true,
    }),
    bool('IsLatest', { label: 'Is Latest', ...READ_ONLY }),
    str('Title', 255, { nameField: true, required: true }),
    str('Description', 1000),
    str('PathOnClient', 500, { label: 'Path On Client', required: true, updateable: false }),
    { name: 'VersionData', type: 'base64', label: 'Version Data', required: true, updateable: false },
    str('VersionNumber', 20, { label: 'Version Number', ...READ_ONLY }),
    str('ReasonForChange', 1000, { label: 'Reason For Change' }),
    int('ContentSize', 9, { label: 'Size', ...READ_ONLY }),
    str('FileType', 20, { label: 'File Type', ...READ_ONLY }),
    str('FileExtension', 40, { label: 'File Extension', ...READ_ONLY }),
    str('Checksum', 50, READ_ONLY),
    ref('FirstPublishLocationId', [...FILE_PARENTS, 'User'], 'FirstPublishLocation', null, { label: 'First Publish Location ID', updateable: false }),
  ],
};

export const attachment: ObjectSpec = {
  name: 'Attachment',
  label: 'Attachment',
  labelPlural: 'Attachments',
  keyPrefix: '00P',
  owner: 'user',
  flags: { mergeable: false, feedEnabled: false, mruEnabled: false, searchable: false },
  nameField: false,
  fields: [
    // Attachments go to the Recycle Bin with their parent.
    ref('ParentId', FILE_PARENTS, 'Parent', 'Attachments', { label: 'Parent ID', required: true, updateable: false, cascadeDelete: true }),
    str('Name', 255, { label: 'File Name', nameField: true, required: true }),
    bool('IsPrivate', { label: 'Private' }),
    str('ContentType', 120, { label: 'Content Type' }),
    int('BodyLength', 9, { label: 'Body Length', ...READ_ONLY }),
    { name: 'Body', type: 'base64', required: true },
    textArea('Description', 500),
  ],
};
