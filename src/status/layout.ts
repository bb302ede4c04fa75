// Where the status data sits on its branch (and in the site's checkout):
//   orgs/<alias>/status.json   orgs/<alias>/history.json   campaigns.json   watchdog.json
// Part of the contract the site imports: no Node APIs.
import { type CampaignsFile, STATUS_SCHEMA_VERSION, type WatchdogFile } from './schema.ts';

/** The branch the action publishes the status data to unless `status-branch` names another. */
export const DEFAULT_STATUS_BRANCH = 'salesforce-backup-status';

export const CAMPAIGNS_FILE = 'campaigns.json';

/** The backup-workflow watchdog's record; absent until a watchdog runs. */
export const WATCHDOG_FILE = 'watchdog.json';

export function statusFile(alias: string): string {
  return `orgs/${alias}/status.json`;
}

export function historyFile(alias: string): string {
  return `orgs/${alias}/history.json`;
}

export function emptyCampaigns(): CampaignsFile {
  return { schemaVersion: STATUS_SCHEMA_VERSION, campaigns: [] };
}

export function emptyWatchdog(): WatchdogFile {
  return { schemaVersion: STATUS_SCHEMA_VERSION, workflows: [] };
}
