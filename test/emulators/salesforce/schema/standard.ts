// The emulated org's schema: standard objects as a Sales/Service Cloud org has them, two custom
// objects, and the awkward cases a backup must cope with (an object Bulk API 2.0 refuses, one that
// cannot be replicated, objects that cannot be queried at all, base64 and compound fields).
// ScratchOrgInfo is deliberately absent: sf treats INVALID_TYPE on it as "not a Dev Hub".
import { buildSchema } from './define.ts';
import { project, projectMember } from './objects/custom.ts';
import { attachment, contentDocument, contentVersion } from './objects/files.ts';
import { account, accountHistory, contact, lead, opportunity } from './objects/sales.ts';
import { caseObject, task } from './objects/service.ts';
import { aggregateResult, group, opportunityStage, organization, processInstanceHistory, profile, recordType, user } from './objects/system.ts';
import type { ObjectSpec, Schema } from './types.ts';

export function standardSpecs(): ObjectSpec[] {
  const specs: ObjectSpec[] = [
    organization,
    profile,
    user,
    group,
    opportunityStage,
    account,
    accountHistory,
    contact,
    lead,
    opportunity,
    caseObject,
    task,
    contentDocument,
    contentVersion,
    attachment,
    project,
    projectMember,
    aggregateResult,
    processInstanceHistory,
  ];
  const withTypes = [...specs, recordType(specs.filter((s) => !s.virtual).map((s) => s.name))];
  // describeGlobal lists objects by name, as Salesforce does.
  return withTypes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function standardSchema(): Schema {
  return buildSchema(standardSpecs());
}
