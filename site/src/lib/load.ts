// Reads a checkout of the status branch with the action's own schema (src/status, Node-free) and
// refuses the build when anything does not match, naming every file and field: a page that
// misreads the data is worse than no page. Older data versions go through the migrations first.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ProductError } from '../../../src/runtime/errors.ts';
import {
  aliasSchema,
  CAMPAIGNS_FILE,
  type CampaignsFile,
  campaignsSchema,
  emptyCampaigns,
  historyFile,
  type OrgHistory,
  type OrgStatus,
  orgHistorySchema,
  orgStatusSchema,
  parseStatusFile,
  STATUS_SCHEMA_VERSION,
  StatusDataError,
  statusFile,
  WATCHDOG_FILE,
  type WatchdogFile,
  watchdogFileSchema,
} from '../../../src/status/index.ts';
import { migrate } from './migrate.ts';

export interface OrgData {
  status: OrgStatus;
  history: OrgHistory;
}

export interface StatusData {
  orgs: OrgData[];
  campaigns: CampaignsFile;
  /** watchdog.json; null when no watchdog has run (older data has none). */
  watchdog?: WatchdogFile | null;
}

export interface FileProblem {
  /** Relative to the data directory, as on the branch: `orgs/prod/status.json`. */
  file: string;
  problems: string[];
}

/** Every file of the data directory that the schema refused. */
export class SiteDataError extends ProductError<'invalid_status_data'> {
  override readonly name = 'SiteDataError';
  readonly state = 'failed';
  readonly files: FileProblem[];

  constructor(dir: string, files: FileProblem[]) {
    const lines = files.map((f) => `  ${f.file}: ${f.problems.join('; ')}`);
    super({
      reason: 'invalid_status_data',
      message: `The status data in ${dir} does not match the schema (${files.length} file${files.length === 1 ? '' : 's'}):\n${lines.join('\n')}`,
      remedy:
        'Fix or delete the files named above on the status branch (the next backup run rewrites an org it finds missing), or build with a site version as new as the action that wrote them.',
    });
    this.files = files;
  }
}

function readJson(dir: string, rel: string): unknown {
  const full = path.join(dir, rel);
  if (!existsSync(full)) return undefined;
  const text = readFileSync(full, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new StatusDataError(rel, [`is not valid JSON (${(err as Error).message})`], '');
  }
}

function parseFile<T>(dir: string, rel: string, parse: (raw: unknown) => T, problems: FileProblem[]): T | undefined {
  try {
    const raw = readJson(dir, rel);
    if (raw === undefined) return undefined;
    return parse(migrate(raw));
  } catch (err) {
    if (err instanceof StatusDataError) {
      problems.push({ file: rel, problems: err.problems });
      return undefined;
    }
    throw err;
  }
}

/**
 * Loads and validates the whole directory. A missing `orgs/` or `campaigns.json` is an empty list
 * (nothing published yet); a missing history is an empty one. Throws SiteDataError listing every
 * file that does not match, never a partial result.
 */
export function loadStatusData(dir: string): StatusData {
  if (!existsSync(dir)) {
    throw new SiteDataError(dir, [{ file: '.', problems: ['does not exist: check out the status branch (salesforce-backup-status) there first'] }]);
  }
  const problems: FileProblem[] = [];
  const orgsDir = path.join(dir, 'orgs');
  const names = existsSync(orgsDir)
    ? readdirSync(orgsDir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
    : [];
  const orgs: OrgData[] = [];
  for (const name of names) {
    if (!aliasSchema.safeParse(name).success) {
      problems.push({ file: `orgs/${name}`, problems: ['is not an org alias folder (letters, digits, - or _)'] });
      continue;
    }
    const sameAlias = <T extends { alias: string }>(file: string, data: T): T => {
      if (data.alias !== name) throw new StatusDataError(file, [`alias is "${data.alias}" but the file is in orgs/${name}/`], '');
      return data;
    };
    const sFile = statusFile(name);
    const hFile = historyFile(name);
    const status = parseFile(dir, sFile, (raw) => sameAlias(sFile, parseStatusFile(orgStatusSchema, raw, sFile)), problems);
    const history = parseFile(dir, hFile, (raw) => sameAlias(hFile, parseStatusFile(orgHistorySchema, raw, hFile)), problems);
    if (!status) {
      if (!problems.some((p) => p.file === sFile)) problems.push({ file: sFile, problems: ['is missing (the folder has no status)'] });
      continue;
    }
    orgs.push({ status, history: history ?? { schemaVersion: STATUS_SCHEMA_VERSION, alias: name, entries: [] } });
  }
  const campaigns = parseFile(dir, CAMPAIGNS_FILE, (raw) => parseStatusFile(campaignsSchema, raw, CAMPAIGNS_FILE), problems) ?? emptyCampaigns();
  const watchdog = parseFile(dir, WATCHDOG_FILE, (raw) => parseStatusFile(watchdogFileSchema, raw, WATCHDOG_FILE), problems) ?? null;
  if (problems.length > 0) throw new SiteDataError(dir, problems);
  return { orgs, campaigns, watchdog };
}
