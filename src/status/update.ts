// Pure transitions from one run to the next status and history: no I/O, so the publisher can
// re-run them against whatever another job pushed meanwhile and nothing is lost.
import {
  type AuthState,
  HISTORY_LIMIT,
  type HistoryEntry,
  type LastBackup,
  type OrgHistory,
  type OrgStatus,
  type OrgType,
  type Schedule,
  STATUS_SCHEMA_VERSION,
  WATCHDOG_HISTORY_LIMIT,
  type WatchdogEvent,
  type WatchdogFile,
  type WatchdogWorkflow,
  type WorkflowState,
} from './schema.ts';

/** What this run knows about the org; an omitted (undefined) field keeps the previous value, null clears it. */
export interface OrgIdentity {
  alias: string;
  type: OrgType;
  /** A host (`login.salesforce.com`) or a login URL (`https://acme.my.salesforce.com`); stored as the host. */
  loginHost: string;
  orgId?: string | null;
  userId?: string | null;
  username?: string | null;
  instanceUrl?: string | null;
  appFingerprint?: string | null;
  /** When the refresh token in use was obtained (reauth or rotation). */
  authorizedAt?: string | null;
}

/** One authentication attempt; `Reason` narrows the reason where the writer knows its list (Salesforce's FailureReason). */
export interface AuthOutcome<Reason extends string = string> {
  state: AuthState;
  /** `token_expired_or_revoked`, `app_changed`, …; null for ok. */
  reason: Reason | null;
  message: string;
  /** What a person should do; null for ok. */
  remedy: string | null;
  /** When the run authenticated or gave up (ISO time). */
  at: string;
}

export interface OrgRun {
  identity: OrgIdentity;
  auth: AuthOutcome;
  /** The backup this run attempted; omit when it did not try one (check, rotate-app): the previous one stays. */
  backup?: LastBackup;
  /** The workflow run's URL; null or omitted on a laptop. */
  runUrl?: string | null;
  /** When the status was written; by default the later of the backup's end and the auth time. */
  at?: string;
  /** How often backups are expected, for the status site's lateness check; omitted keeps the previous one. */
  schedule?: Schedule;
}

/** The config's org `type` (production, sandbox or a My Domain URL) as the status records it. */
export function orgTypeOf(configType: string): OrgType {
  if (configType === 'production' || configType === 'sandbox') return configType;
  return 'my_domain';
}

/** `https://acme.my.salesforce.com/` → `acme.my.salesforce.com`; a bare host stays as it is. */
export function loginHostOf(urlOrHost: string): string {
  const trimmed = urlOrHost.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) return new URL(trimmed).host;
  return trimmed.replace(/\/.*$/, '');
}

function pick<T>(next: T | undefined, previous: T | null | undefined): T | null {
  return next === undefined ? (previous ?? null) : next;
}

/**
 * The next status of an org: `since` stays when the state and reason did not change and is the
 * run's auth time otherwise; `lastOkAt` moves on every ok run and stays otherwise. A run older
 * than the status it is applied to leaves the status as it is (but may move `lastOkAt`).
 */
export function nextOrgStatus(previous: OrgStatus | undefined, run: OrgRun): OrgStatus {
  const { identity, auth } = run;
  if (previous?.alias === identity.alias && Date.parse(previous.updatedAt) > Date.parse(runTime(run))) {
    // A run that finished after a newer one was published (a re-run, a slow job) only adds
    // history: the status already says something more recent.
    const lastOkAt = auth.state === 'ok' ? latestOf(previous.auth.lastOkAt, auth.at) : previous.auth.lastOkAt;
    return { ...previous, auth: { ...previous.auth, lastOkAt } };
  }
  const same = previous !== undefined && previous.auth.state === auth.state && previous.auth.reason === auth.reason;
  const keep = previous?.alias === identity.alias ? previous : undefined;
  return {
    schemaVersion: STATUS_SCHEMA_VERSION,
    alias: identity.alias,
    type: identity.type,
    loginHost: loginHostOf(identity.loginHost),
    orgId: pick(identity.orgId, keep?.orgId),
    userId: pick(identity.userId, keep?.userId),
    username: pick(identity.username, keep?.username),
    instanceUrl: pick(identity.instanceUrl, keep?.instanceUrl),
    appFingerprint: pick(identity.appFingerprint, keep?.appFingerprint),
    authorizedAt: pick(identity.authorizedAt, keep?.authorizedAt),
    auth: {
      state: auth.state,
      reason: auth.reason,
      since: same && keep ? keep.auth.since : auth.at,
      lastOkAt: auth.state === 'ok' ? auth.at : (keep?.auth.lastOkAt ?? null),
      message: auth.message,
      remedy: auth.remedy,
    },
    lastBackup: run.backup ?? keep?.lastBackup ?? null,
    updatedAt: runTime(run),
    runUrl: run.runUrl ?? null,
    redacted: false,
    // Only present once a writer knows it, so statuses written without it stay as they were.
    ...(run.schedule ? { schedule: run.schedule } : keep?.schedule ? { schedule: keep.schedule } : {}),
  };
}

function latestOf(a: string | null, b: string): string {
  return a !== null && Date.parse(a) >= Date.parse(b) ? a : b;
}

function runTime(run: OrgRun): string {
  if (run.at) return run.at;
  return run.backup ? latestOf(run.backup.finishedAt, run.auth.at) : run.auth.at;
}

/** One line of history for this run. */
export function historyEntryOf(run: OrgRun): HistoryEntry {
  const b = run.backup;
  return {
    at: runTime(run),
    runUrl: run.runUrl ?? null,
    authState: run.auth.state,
    authReason: run.auth.reason,
    outcome: b?.outcome ?? null,
    mode: b?.mode ?? null,
    rows: b ? b.rows : null,
    bytes: b ? b.bytes : null,
    durationS: b ? b.durationS : null,
    apiCallsUsed: b ? b.apiCallsUsed : null,
  };
}

/**
 * The history with `entry` added in time order (newest last), the oldest dropped beyond `limit`.
 * An entry of the same workflow run at the same time replaces the earlier copy, so re-applying a
 * run after a push race never counts it twice.
 */
export function appendHistory(previous: OrgHistory | undefined, alias: string, entry: HistoryEntry, limit = HISTORY_LIMIT): OrgHistory {
  const entries = (previous?.alias === alias ? previous.entries : []).filter((e) => !(e.runUrl !== null && e.runUrl === entry.runUrl && e.at === entry.at));
  let i = entries.length;
  while (i > 0 && Date.parse(entries[i - 1]?.at ?? '') > Date.parse(entry.at)) i--;
  entries.splice(i, 0, entry);
  return { schemaVersion: STATUS_SCHEMA_VERSION, alias, entries: entries.slice(Math.max(0, entries.length - limit)) };
}

/** Status and history after `run`, from whatever was there before (nothing for a new org). */
export function applyRun(previous: { status?: OrgStatus; history?: OrgHistory }, run: OrgRun): { status: OrgStatus; history: OrgHistory } {
  return {
    status: nextOrgStatus(previous.status, run),
    history: appendHistory(previous.history, run.identity.alias, historyEntryOf(run)),
  };
}

/** What one watchdog run found and did about one workflow (watchdog.json keeps the last per workflow). */
export interface WatchdogCheck {
  workflow: string;
  state: WorkflowState | null;
  action: WatchdogWorkflow['action'];
  reason: string | null;
  message: string;
  remedy: string | null;
  dispatched: boolean;
  /** ISO time of the check. */
  at: string;
  runUrl?: string | null;
}

/**
 * watchdog.json after `check`: the workflow's entry replaced (a check older than the recorded one
 * only adds its re-enable to the history), a re-enable appended to its history in time order, the
 * oldest dropped beyond `limit`. Other workflows' entries stay as they are.
 */
export function nextWatchdog(previous: WatchdogFile | undefined, check: WatchdogCheck, limit = WATCHDOG_HISTORY_LIMIT): WatchdogFile {
  const workflows = previous?.workflows ?? [];
  const before = workflows.find((w) => w.workflow === check.workflow);
  const runUrl = check.runUrl ?? null;
  let reEnables = before?.reEnables ?? [];
  if (check.action === 're-enabled' && !reEnables.some((e) => e.at === check.at && e.runUrl === runUrl)) {
    const event: WatchdogEvent = { at: check.at, from: check.state ?? 'disabled_inactivity', dispatched: check.dispatched, runUrl };
    reEnables = [...reEnables, event].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    reEnables = reEnables.slice(Math.max(0, reEnables.length - limit));
  }
  const newer = before !== undefined && Date.parse(before.checkedAt) > Date.parse(check.at);
  const entry: WatchdogWorkflow = newer
    ? { ...before, reEnables }
    : {
        workflow: check.workflow,
        state: check.state,
        checkedAt: check.at,
        action: check.action,
        reason: check.reason,
        message: check.message,
        remedy: check.remedy,
        dispatched: check.dispatched,
        runUrl,
        reEnables,
      };
  const others = workflows.filter((w) => w.workflow !== check.workflow);
  return {
    schemaVersion: STATUS_SCHEMA_VERSION,
    workflows: [...others, entry].sort((a, b) => a.workflow.localeCompare(b.workflow)),
  };
}
