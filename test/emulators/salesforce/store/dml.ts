// Contract between the record-write layer (owner: records module) and its users (REST sObject
// resources, sObject Collections, composite tree, Bulk 2.0 ingest). PLACEHOLDER bodies.
import type { Org } from '../model.ts';
import type { ObjectDef } from '../schema/types.ts';

export interface SaveError {
  statusCode: string;
  message: string;
  fields: string[];
}

export interface SaveResult {
  id?: string;
  success: boolean;
  /** insert/upsert: whether a record was created. */
  created?: boolean;
  errors: SaveError[];
}

export interface DmlOptions {
  userId: string;
  /**
   * `json`: REST bodies (null = set null). `csv`: Bulk ingest cells (empty = no value / leave as is,
   * `#N/A` = set null). Keys may be relationship paths by external id: `Account.Ext_Id__c`,
   * polymorphic `Owner:User.Username`.
   */
  source: 'json' | 'csv';
}

export function insertRecord(_org: Org, _obj: ObjectDef, _values: Record<string, unknown>, _opts: DmlOptions): SaveResult {
  throw new Error('not implemented');
}

export function updateRecord(_org: Org, _obj: ObjectDef, _id: string, _values: Record<string, unknown>, _opts: DmlOptions): SaveResult {
  throw new Error('not implemented');
}

/** Upsert by an external-id (or idLookup) field; `Id` as the key updates by id. */
export function upsertRecord(_org: Org, _obj: ObjectDef, _keyField: string, _values: Record<string, unknown>, _opts: DmlOptions): SaveResult {
  throw new Error('not implemented');
}

/** Soft delete to the Recycle Bin, or hard delete (purge) when `hard` is set. */
export function deleteRecord(_org: Org, _obj: ObjectDef, _id: string, _opts: DmlOptions & { hard?: boolean }): SaveResult {
  throw new Error('not implemented');
}
