// Status data for the site's tests and benchmark, written with the action's own writer (so every
// file is valid by construction): one org in every state the site shows, a half-done campaign,
// and, for scale, N orgs with D days of daily history.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeCampaigns, writeOrgStatus } from '../../src/status/files.ts';
import {
  type Campaign,
  type HistoryEntry,
  type LastBackup,
  type OrgHistory,
  type OrgStatus,
  type OrgType,
  redactStatus,
  STATUS_SCHEMA_VERSION,
} from '../../src/status/index.ts';

export const NOW = '2026-11-24T08:00:00.000Z';
const DAY = 24 * 3600 * 1000;
const HOUR = 3600 * 1000;

/** Values that must never reach the site: planted in the data (as fields no schema knows) and in the build's environment. */
export const SECRETS = {
  refreshToken: '5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJAbCdEfGhIjKlMnOpQrStUvWxYz0123456789',
  accessToken: '00D5g000004XyZa!AQ4AQFakeAccessTokenValue.abcdefghijklmnopqrstuvwxyz',
  clientSecret: 'F1A2B3C4D5E6F7A8B9C0D1E2F3A4B5C6D7E8F9A0B1C2D3E4F5A6B7C8D9E0F1A2',
  clientId: '3MVG9fakeConsumerKeyForTheSiteTests.aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789',
  githubToken: 'ghs_FakeInstallationToken0123456789abcdefABCDEF',
} as const;

/** Identifying values the redacted build must leave out. */
export const IDENTIFYING = {
  usernames: ['integration@acme.com', 'backup.user@acme.com.uat'],
  instanceHosts: ['acme.my.salesforce.com', 'acme--uat.sandbox.my.salesforce.com'],
} as const;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function orgId(n: number): string {
  return `00D5g0000${String(n).padStart(9, '0')}`;
}
function userId(n: number): string {
  return `0055g0000${String(n).padStart(9, '0')}`;
}

interface OrgSpec {
  alias: string;
  type: OrgType;
  loginHost?: string;
  n: number;
  username?: string;
  instanceUrl?: string;
  auth?: Partial<OrgStatus['auth']> & Pick<OrgStatus['auth'], 'state'>;
  /** Daily backups ending `lastAt`, `days` of them. */
  days: number;
  lastAt: number;
  lastOutcome?: LastBackup['outcome'];
  lastBackup?: Partial<LastBackup> | null;
  /** History entries after the last backup (runs that failed to log in), daily. */
  failedLogins?: number;
  appFingerprint?: string;
  rows?: number;
  schedule?: OrgStatus['schedule'];
}

const RUN = (n: number, i: number) => `https://github.com/acme/salesforce-backups/actions/runs/${1000000 + n * 1000 + i}`;

function makeOrg(spec: OrgSpec): { status: OrgStatus; history: OrgHistory } {
  const entries: HistoryEntry[] = [];
  const baseRows = spec.rows ?? 50_000 + spec.n * 1_000;
  for (let i = spec.days - 1; i >= 0; i--) {
    const at = spec.lastAt - i * DAY;
    const last = i === 0;
    const outcome = last ? (spec.lastOutcome ?? 'success') : 'success';
    const rows = Math.round(baseRows + (spec.days - i) * 37 + (i % 7) * 11);
    entries.push({
      at: iso(at),
      runUrl: RUN(spec.n, entries.length),
      authState: 'ok',
      authReason: null,
      outcome,
      mode: (spec.days - i) % 7 === 1 ? 'full' : 'incremental',
      rows,
      bytes: rows * 180,
      durationS: 60 + (i % 5) * 7 + spec.n,
      apiCallsUsed: 40 + (i % 3) * 4,
    });
  }
  const lastEntry = entries.at(-1);
  const failedLogins = spec.failedLogins ?? 0;
  for (let j = 1; j <= failedLogins; j++) {
    entries.push({
      at: iso(spec.lastAt + j * DAY),
      runUrl: RUN(spec.n, entries.length),
      authState: spec.auth?.state ?? 'ok',
      authReason: spec.auth?.reason ?? null,
      outcome: null,
      mode: null,
      rows: null,
      bytes: null,
      durationS: null,
      apiCallsUsed: null,
    });
  }
  const lastBackup: LastBackup | null =
    spec.lastBackup === null || lastEntry === undefined
      ? null
      : {
          outcome: lastEntry.outcome ?? 'success',
          mode: lastEntry.mode,
          startedAt: iso(Date.parse(lastEntry.at) - (lastEntry.durationS ?? 60) * 1000),
          finishedAt: lastEntry.at,
          durationS: lastEntry.durationS ?? 60,
          objects: 17,
          rows: lastEntry.rows ?? 0,
          bytes: lastEntry.bytes ?? 0,
          apiCallsUsed: lastEntry.apiCallsUsed ?? 0,
          apiRemaining: 99_000,
          apiLimit: 100_000,
          changes: { added: 40, changed: 120, deleted: 3 },
          failedObjects: lastEntry.outcome === 'failed' ? ['Account', 'Contact'] : [],
          location: `branch salesforce-backups@${(spec.n * 7919).toString(16).padStart(7, '0')}`,
          ...spec.lastBackup,
        };
  const updatedAt = entries.at(-1)?.at ?? iso(spec.lastAt);
  const authState = spec.auth?.state ?? 'ok';
  const status: OrgStatus = {
    schemaVersion: STATUS_SCHEMA_VERSION,
    alias: spec.alias,
    type: spec.type,
    loginHost: spec.loginHost ?? (spec.type === 'sandbox' ? 'test.salesforce.com' : 'login.salesforce.com'),
    orgId: orgId(spec.n),
    userId: userId(spec.n),
    username: spec.username ?? `integration+${spec.alias}@example.org`,
    instanceUrl: spec.instanceUrl ?? `https://${spec.alias}-inst.example.org`,
    appFingerprint: spec.appFingerprint ?? '0123456789ab',
    authorizedAt: iso(spec.lastAt - (spec.days + 3) * DAY),
    auth: {
      state: authState,
      reason: spec.auth?.reason ?? null,
      since: spec.auth?.since ?? iso(spec.lastAt - (spec.days - 1) * DAY),
      lastOkAt: spec.auth?.lastOkAt !== undefined ? spec.auth.lastOkAt : (lastEntry?.at ?? null),
      message: spec.auth?.message ?? (authState === 'ok' ? 'Authenticated' : 'Login failed'),
      remedy: spec.auth?.remedy ?? null,
    },
    lastBackup,
    updatedAt,
    runUrl: entries.length ? RUN(spec.n, entries.length - 1) : null,
    redacted: false,
    ...(spec.schedule ? { schedule: spec.schedule } : {}),
  };
  return { status, history: { schemaVersion: STATUS_SCHEMA_VERSION, alias: spec.alias, entries } };
}

export interface StateCase {
  alias: string;
  /** The state the overview must show. */
  state: string;
  /** The reason code, when the state has one. */
  reason: string | null;
  /** Text the org's page must show in its remedy. */
  remedyHas: string[];
}

const now = Date.parse(NOW);
const lastNight = now - 4 * HOUR - 43 * 60 * 1000; // 03:17 today

/** Every state the site shows, one org each (the campaign has four), with what its page must say. */
export function stateSpecs(): Array<{ spec: OrgSpec; expect: StateCase }> {
  const reauthRemedy = (alias: string, host: string) =>
    `Re-authorize org ${alias} (login host ${host}): run \`npx sfbackup reauth --org ${alias}\` on a machine with a browser, then run the backup workflow.`;
  const cmd = (alias: string) => `npx sfbackup reauth --org ${alias} --repo acme/salesforce-backups`;
  return [
    {
      spec: {
        alias: 'prod',
        type: 'production',
        n: 1,
        days: 30,
        lastAt: lastNight,
        username: 'integration@acme.com',
        instanceUrl: 'https://acme.my.salesforce.com',
      },
      expect: { alias: 'prod', state: 'healthy', reason: null, remedyHas: [] },
    },
    {
      spec: {
        alias: 'revoked',
        type: 'production',
        n: 2,
        days: 20,
        lastAt: lastNight - 2 * DAY,
        failedLogins: 2,
        auth: {
          state: 'reauth_required',
          reason: 'token_expired_or_revoked',
          since: iso(lastNight - DAY),
          message: 'Salesforce refused the refresh token: invalid_grant: expired access/refresh token',
          remedy: reauthRemedy('revoked', 'login.salesforce.com'),
        },
      },
      expect: {
        alias: 'revoked',
        state: 'reauth',
        reason: 'token_expired_or_revoked',
        remedyHas: [cmd('revoked'), 'production (login.salesforce.com)', 'up to 10 minutes', 'refresh_token, offline_access', 'openid', 'full'],
      },
    },
    {
      spec: {
        alias: 'uat',
        type: 'sandbox',
        n: 3,
        days: 20,
        lastAt: lastNight - DAY,
        failedLogins: 1,
        username: 'backup.user@acme.com.uat',
        auth: {
          state: 'reauth_required',
          reason: 'user_inactive',
          since: iso(lastNight),
          message: 'The user backup.user@acme.com.uat is inactive',
          remedy: null,
        },
      },
      expect: { alias: 'uat', state: 'reauth', reason: 'user_inactive', remedyHas: [cmd('uat'), 'sandbox (test.salesforce.com)', 'Reactivate or unfreeze'] },
    },
    {
      spec: {
        alias: 'dev-sso',
        type: 'my_domain',
        loginHost: 'acme--uat.sandbox.my.salesforce.com',
        instanceUrl: 'https://acme--uat.sandbox.my.salesforce.com',
        n: 4,
        days: 20,
        lastAt: lastNight - DAY,
        failedLogins: 1,
        auth: {
          state: 'reauth_required',
          reason: 'policy_expired',
          since: iso(lastNight),
          message: 'The refresh token expired under the policy of the app',
          remedy: reauthRemedy('dev-sso', 'acme--uat.sandbox.my.salesforce.com'),
        },
      },
      expect: {
        alias: 'dev-sso',
        state: 'reauth',
        reason: 'policy_expired',
        remedyHas: [cmd('dev-sso'), 'My Domain (acme--uat.sandbox.my.salesforce.com)', 'Refresh Token Policy'],
      },
    },
    {
      spec: {
        alias: 'rotated',
        type: 'production',
        n: 5,
        days: 10,
        lastAt: lastNight - DAY,
        failedLogins: 1,
        auth: {
          state: 'rotation_write_failed',
          reason: 'secret_write_failed',
          since: iso(lastNight),
          message: 'The rotated refresh token could not be stored',
          remedy: null,
        },
      },
      expect: { alias: 'rotated', state: 'reauth', reason: 'rotation_write_failed', remedyHas: [cmd('rotated'), 'secrets-token'] },
    },
    ...(['app-a', 'app-b', 'app-c', 'app-d'] as const).map((alias, i) => {
      const done = i < 2;
      return {
        spec: {
          alias,
          type: 'production' as const,
          n: 6 + i,
          days: 15,
          lastAt: done ? lastNight : lastNight - DAY,
          failedLogins: done ? 0 : 1,
          appFingerprint: done ? 'fedcba987654' : '0123456789ab',
          auth: done
            ? { state: 'ok' as const, since: iso(lastNight) }
            : {
                state: 'reauth_required' as const,
                reason: 'app_changed',
                since: iso(lastNight),
                message: 'The Connected App changed',
                remedy: reauthRemedy(alias, 'login.salesforce.com'),
              },
        },
        expect: done
          ? { alias, state: 'healthy', reason: null, remedyHas: [] }
          : { alias, state: 'app_change', reason: 'app_changed', remedyHas: [cmd(alias), 'new Connected App', 'up to 10 minutes'] },
      };
    }),
    {
      spec: {
        alias: 'new-app',
        type: 'production',
        n: 10,
        days: 5,
        lastAt: lastNight - DAY,
        failedLogins: 0,
        auth: {
          state: 'app_pending',
          reason: 'client_unknown',
          since: iso(now - 5 * 60 * 1000),
          message: 'Salesforce does not know the consumer key yet',
          remedy:
            'Salesforce does not know the consumer key yet: a new or changed Connected App takes up to 10 minutes to become active. Run the job again in a few minutes.',
        },
      },
      expect: { alias: 'new-app', state: 'app_pending', reason: 'client_unknown', remedyHas: ['up to 10 minutes'] },
    },
    {
      spec: { alias: 'late', type: 'production', n: 11, days: 20, lastAt: now - 40 * HOUR },
      expect: { alias: 'late', state: 'late', reason: null, remedyHas: ['gh workflow enable backup.yml', '60 days'] },
    },
    {
      spec: { alias: 'stopped', type: 'sandbox', n: 12, days: 20, lastAt: now - 10 * DAY },
      expect: { alias: 'stopped', state: 'not_running', reason: null, remedyHas: ['gh workflow enable backup.yml', 'disabled_inactivity', '60 days'] },
    },
    {
      spec: { alias: 'failing', type: 'production', n: 13, days: 20, lastAt: lastNight, lastOutcome: 'failed' },
      expect: { alias: 'failing', state: 'failing', reason: 'backup_failed', remedyHas: ['gh workflow run backup.yml -f org=failing'] },
    },
    {
      spec: {
        alias: 'misconfigured',
        type: 'production',
        n: 14,
        days: 3,
        lastAt: lastNight - DAY,
        failedLogins: 1,
        auth: {
          state: 'misconfigured',
          reason: 'missing_secret',
          since: iso(lastNight),
          message: 'The secret SF_REFRESH_TOKEN_MISCONFIGURED is not among the secrets passed to the action',
          remedy:
            'Add the repository secret SF_REFRESH_TOKEN_MISCONFIGURED (gh secret set SF_REFRESH_TOKEN_MISCONFIGURED), or fix refresh-token-secret for org misconfigured.',
        },
      },
      expect: { alias: 'misconfigured', state: 'failing', reason: 'missing_secret', remedyHas: ['gh secret set SF_REFRESH_TOKEN_MISCONFIGURED'] },
    },
    {
      spec: {
        alias: 'first-run',
        type: 'sandbox',
        n: 15,
        days: 0,
        lastAt: now - 2 * HOUR,
        lastBackup: null,
        auth: { state: 'ok', since: iso(now - 2 * HOUR), lastOkAt: iso(now - 2 * HOUR) },
      },
      expect: { alias: 'first-run', state: 'first_backup', reason: null, remedyHas: ['gh workflow run backup.yml -f org=first-run'] },
    },
    {
      spec: {
        alias: 'shrunk',
        type: 'production',
        n: 16,
        days: 20,
        lastAt: lastNight,
        lastBackup: {
          changes: { added: 10, changed: 50, deleted: 21_000 },
          droppedObjects: [{ name: 'Invoice__c', rows: 4_200, reason: 'not_exportable' }],
          objectList: [
            { name: 'Account', rows: 9_000, added: 0, changed: 40, deleted: 0 },
            { name: 'Contact', rows: 3_000, added: 10, changed: 10, deleted: 21_000 },
            { name: 'Task', rows: 500, added: 0, changed: 0, deleted: 0 },
          ],
          massDeletes: [{ object: 'Contact', before: 24_000, after: 3_000, dropped: 21_000 }],
        },
      },
      expect: { alias: 'shrunk', state: 'healthy', reason: null, remedyHas: [] },
    },
  ];
}

function campaignOf(): Campaign {
  return {
    id: '20261123T090000Z-fedcba987654',
    startedAt: '2026-11-23T09:00:00.000Z',
    completedAt: null,
    supersededBy: null,
    previousFingerprint: '0123456789ab',
    newFingerprint: 'fedcba987654',
    orgs: [
      { alias: 'app-a', reauthorizedAt: '2026-11-23T10:05:00.000Z' },
      { alias: 'app-b', reauthorizedAt: '2026-11-23T11:30:00.000Z' },
      { alias: 'app-c', reauthorizedAt: null },
      { alias: 'app-d', reauthorizedAt: null },
    ],
  };
}

/** Adds fields no schema knows, carrying secrets: a reader that printed unknown fields would leak them. */
async function plantSecrets(dir: string, alias: string): Promise<void> {
  for (const [file, extra] of [
    ['status.json', { accessToken: SECRETS.accessToken, auth: { refreshToken: SECRETS.refreshToken } }],
    ['history.json', { clientSecret: SECRETS.clientSecret }],
  ] as const) {
    const full = path.join(dir, 'orgs', alias, file);
    const data = JSON.parse(await readFile(full, 'utf8')) as Record<string, unknown>;
    for (const [k, v] of Object.entries(extra)) {
      data[k] = typeof v === 'object' && typeof data[k] === 'object' ? { ...(data[k] as object), ...v } : v;
    }
    await writeFile(full, `${JSON.stringify(data, null, 2)}\n`);
  }
}

/** One org in every state, a campaign 2 of 4 done, secrets planted; `redact` writes it as `redact-status: true` would. */
export async function writeStateFixture(dir: string, opts: { redact?: boolean } = {}): Promise<StateCase[]> {
  await mkdir(dir, { recursive: true });
  const cases: StateCase[] = [];
  for (const { spec, expect } of stateSpecs()) {
    const { status, history } = makeOrg(spec);
    await writeOrgStatus(dir, opts.redact ? redactStatus(status, { redact: true }) : status, history, { secretValues: Object.values(SECRETS) });
    cases.push(expect);
  }
  await writeCampaigns(dir, { schemaVersion: STATUS_SCHEMA_VERSION, campaigns: [campaignOf()] });
  await plantSecrets(dir, 'prod');
  await plantSecrets(dir, 'revoked');
  return cases;
}

/** `orgs` orgs with `days` days of daily history each, a mix of states, ending the night before `now`. */
export async function writeScaleFixture(dir: string, orgs: number, days: number, nowIso = NOW): Promise<void> {
  await mkdir(dir, { recursive: true });
  const end = Date.parse(nowIso) - 4 * HOUR - 43 * 60 * 1000;
  const writes: Array<Promise<void>> = [];
  for (let n = 0; n < orgs; n++) {
    const alias = `org-${String(n + 1).padStart(3, '0')}`;
    const kind = n % 20;
    const spec: OrgSpec = {
      alias,
      type: n % 3 === 0 ? 'sandbox' : 'production',
      n: 100 + n,
      days,
      lastAt: kind === 7 ? end - 2 * DAY : kind === 13 ? end - 9 * DAY : end,
      lastOutcome: kind === 3 ? 'failed' : 'success',
      rows: 20_000 + n * 5_000,
      ...(kind === 5
        ? {
            failedLogins: 1,
            lastAt: end - DAY,
            auth: {
              state: 'reauth_required' as const,
              reason: 'token_expired_or_revoked',
              since: iso(end),
              message: 'expired access/refresh token',
              remedy: null,
            },
          }
        : {}),
    };
    const { status, history } = makeOrg(spec);
    writes.push(writeOrgStatus(dir, status, { ...history, entries: history.entries.slice(-500) }));
  }
  await Promise.all(writes);
  await writeCampaigns(dir, { schemaVersion: STATUS_SCHEMA_VERSION, campaigns: [] });
}
