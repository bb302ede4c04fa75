// The status data directory (laid out as layout.ts says) on disk. Reading validates every file and
// names the file and field that is wrong; writing validates and checks for secrets first, so
// nothing invalid or secret is ever put on the branch.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CAMPAIGNS_FILE, emptyCampaigns, historyFile, statusFile, WATCHDOG_FILE } from './layout.ts';
import {
  aliasSchema,
  type CampaignsFile,
  campaignsSchema,
  type OrgHistory,
  type OrgStatus,
  orgHistorySchema,
  orgStatusSchema,
  parseStatusFile,
  STATUS_SCHEMA_VERSION,
  StatusDataError,
  type StatusIndex,
  type WatchdogFile,
  watchdogFileSchema,
} from './schema.ts';
import { assertNoSecrets } from './secrets.ts';

/** Parsed JSON of `rel` under `dir`, or undefined when the file does not exist. */
export async function readJson(dir: string, rel: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path.join(dir, rel), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new StatusDataError(rel, [`is not valid JSON (${(err as Error).message})`], 'Fix or delete the file on the status branch; the next run rewrites it.');
  }
}

/**
 * Loads and validates everything in a checked-out data directory. A missing `orgs/` or
 * `campaigns.json` is an empty list (no run published yet); a missing history is an empty one.
 * Throws StatusDataError naming the file and field on the first invalid file.
 */
export async function readStatusDir(dir: string): Promise<StatusIndex> {
  if (!existsSync(dir)) {
    throw new StatusDataError(dir, ['does not exist'], 'Check out the status branch (salesforce-backup-status by default) into this directory first.');
  }
  const orgsDir = path.join(dir, 'orgs');
  const names = existsSync(orgsDir)
    ? (await readdir(orgsDir, { withFileTypes: true }))
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
    : [];
  const orgs: StatusIndex['orgs'] = [];
  for (const name of names) {
    const folder = aliasSchema.safeParse(name);
    if (!folder.success) {
      throw new StatusDataError(`orgs/${name}`, ['is not an org alias folder (letters, digits, - or _)'], 'Remove the folder from the status branch.');
    }
    const { status, history } = await readOrgFiles(dir, name);
    if (!status) throw new StatusDataError(statusFile(name), ['is missing'], 'Remove the org folder from the status branch, or run the action for the org.');
    orgs.push({ status, history: history ?? { schemaVersion: STATUS_SCHEMA_VERSION, alias: name, entries: [] } });
  }
  const rawCampaigns = await readJson(dir, CAMPAIGNS_FILE);
  const campaigns = rawCampaigns === undefined ? emptyCampaigns() : parseStatusFile(campaignsSchema, rawCampaigns, CAMPAIGNS_FILE);
  const rawWatchdog = await readJson(dir, WATCHDOG_FILE);
  // No file: no watchdog has run (or the data predates it).
  if (rawWatchdog === undefined) return { orgs, campaigns };
  return { orgs, campaigns, watchdog: parseStatusFile(watchdogFileSchema, rawWatchdog, WATCHDOG_FILE) };
}

/** One org's files, validated; undefined for a file that does not exist. */
export async function readOrgFiles(dir: string, alias: string): Promise<{ status?: OrgStatus; history?: OrgHistory }> {
  const out: { status?: OrgStatus; history?: OrgHistory } = {};
  const rawStatus = await readJson(dir, statusFile(alias));
  if (rawStatus !== undefined) out.status = checkAlias(parseStatusFile(orgStatusSchema, rawStatus, statusFile(alias)), alias, statusFile(alias));
  const rawHistory = await readJson(dir, historyFile(alias));
  if (rawHistory !== undefined) out.history = checkAlias(parseStatusFile(orgHistorySchema, rawHistory, historyFile(alias)), alias, historyFile(alias));
  return out;
}

function checkAlias<T extends { alias: string }>(data: T, alias: string, file: string): T {
  if (data.alias !== alias) {
    throw new StatusDataError(
      file,
      [`alias is "${data.alias}" but the file is in orgs/${alias}/`],
      'Move the file to the folder of its alias, or fix the alias.',
    );
  }
  return data;
}

/** Pretty, stable JSON with a final newline: small diffs on the branch, readable by people. */
export function toJson(data: unknown): string {
  return `${JSON.stringify(data, null, 2)}\n`;
}

async function writeAtomic(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}

export interface WriteOptions {
  /** Values that must not appear anywhere in the data (tokens, keys); checked before writing. */
  secretValues?: Iterable<string | undefined | null>;
}

/** Validates an org's status and history, checks them for secrets, then writes both files. */
export async function writeOrgStatus(dir: string, status: OrgStatus, history: OrgHistory, opts: WriteOptions = {}): Promise<void> {
  const s = checkAlias(parseStatusFile(orgStatusSchema, status, statusFile(status.alias)), status.alias, statusFile(status.alias));
  const h = checkAlias(parseStatusFile(orgHistorySchema, history, historyFile(status.alias)), status.alias, historyFile(status.alias));
  const secrets = [...(opts.secretValues ?? [])];
  assertNoSecrets(s, secrets, statusFile(s.alias));
  assertNoSecrets(h, secrets, historyFile(s.alias));
  await writeAtomic(path.join(dir, statusFile(s.alias)), toJson(s));
  await writeAtomic(path.join(dir, historyFile(s.alias)), toJson(h));
}

/** Validates the campaign list, checks it for secrets, then writes campaigns.json. */
export async function writeCampaigns(dir: string, campaigns: CampaignsFile, opts: WriteOptions = {}): Promise<void> {
  const c = parseStatusFile(campaignsSchema, campaigns, CAMPAIGNS_FILE);
  assertNoSecrets(c, [...(opts.secretValues ?? [])], CAMPAIGNS_FILE);
  await writeAtomic(path.join(dir, CAMPAIGNS_FILE), toJson(c));
}

/** Validates the watchdog record, checks it for secrets, then writes watchdog.json. */
export async function writeWatchdog(dir: string, watchdog: WatchdogFile, opts: WriteOptions = {}): Promise<void> {
  const w = parseStatusFile(watchdogFileSchema, watchdog, WATCHDOG_FILE);
  assertNoSecrets(w, [...(opts.secretValues ?? [])], WATCHDOG_FILE);
  await writeAtomic(path.join(dir, WATCHDOG_FILE), toJson(w));
}
