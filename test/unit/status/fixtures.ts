// Status data a run would produce, for the status tests.
import type { LastBackup, OrgStatus } from '../../../src/status/index.ts';
import type { OrgRun } from '../../../src/status/update.ts';

export const FP_OLD = 'a1b2c3d4e5f6';
export const FP_NEW = '0123456789ab';

export function backup(overrides: Partial<LastBackup> = {}): LastBackup {
  return {
    outcome: 'success',
    mode: 'full',
    startedAt: '2026-01-31T03:17:00Z',
    finishedAt: '2026-01-31T03:19:30Z',
    durationS: 150,
    objects: 12,
    rows: 3400,
    bytes: 812_000,
    apiCallsUsed: 41,
    apiRemaining: 14_959,
    apiLimit: 15_000,
    changes: { added: 3, changed: 10, deleted: 0 },
    failedObjects: [],
    location: 'branch salesforce-backups@0123456789abcdef0123456789abcdef01234567',
    ...overrides,
  };
}

export function run(alias: string, at: string, overrides: Partial<OrgRun> = {}): OrgRun {
  return {
    identity: {
      alias,
      type: 'my_domain',
      loginHost: 'https://acme.my.salesforce.com',
      orgId: '00D000000000001AAA',
      userId: '005000000000001AAA',
      username: 'admin@acme.example',
      instanceUrl: 'https://acme.my.salesforce.com',
      appFingerprint: FP_OLD,
      authorizedAt: '2026-01-01T10:00:00Z',
    },
    auth: { state: 'ok', reason: null, message: `Authenticated to ${alias}`, remedy: null, at },
    runUrl: 'https://github.com/acme/backups/actions/runs/1001',
    ...overrides,
  };
}

export function failedAuth(alias: string, at: string, reason = 'token_expired_or_revoked'): OrgRun['auth'] {
  return {
    state: 'reauth_required',
    reason,
    message: `The refresh token of ${alias} (admin@acme.example at acme.my.salesforce.com) was revoked`,
    remedy: `Run: npx sfbackup reauth --alias ${alias} (login host acme.my.salesforce.com)`,
    at,
  };
}

export function goodStatus(overrides: Partial<OrgStatus> = {}): OrgStatus {
  return {
    schemaVersion: 1,
    alias: 'prod',
    type: 'production',
    loginHost: 'login.salesforce.com',
    orgId: '00D000000000001AAA',
    userId: '005000000000001',
    username: 'admin@acme.example',
    instanceUrl: 'https://acme.my.salesforce.com',
    appFingerprint: FP_OLD,
    authorizedAt: '2026-01-01T10:00:00.000Z',
    auth: { state: 'ok', reason: null, since: '2026-01-01T10:00:00Z', lastOkAt: '2026-01-31T03:17:00+01:00', message: 'Authenticated', remedy: null },
    lastBackup: backup(),
    updatedAt: '2026-01-31T03:19:30Z',
    runUrl: 'https://github.com/acme/backups/actions/runs/1001',
    redacted: false,
    ...overrides,
  };
}
