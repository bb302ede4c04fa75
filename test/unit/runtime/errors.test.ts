// One error base for every failure a person acts on: each module's classes keep their names and
// fields, carry a state (the CLI's exit code), a reason and a remedy, and print the same way.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ReauthDeclinedError, ReauthUsageError } from '../../../src/app/reauth.ts';
import { CampaignNotPublishedError, RotateAppError, RotateAppWriteError } from '../../../src/app/rotate-app.ts';
import { RotateAppUsageError } from '../../../src/cli/commands/rotate-app.ts';
import { ConfigError } from '../../../src/config/load.ts';
import type { SecretTarget } from '../../../src/github/contracts.ts';
import { IssueSyncError, SecretWriteError } from '../../../src/github/errors.ts';
import {
  AppPendingError,
  MisconfiguredError,
  ReauthRequiredError,
  RotationWriteFailedError,
  SalesforceError,
  TransientError,
} from '../../../src/runtime/auth-errors.ts';
import { describeFailure, failureState, ProductError, type ProductState } from '../../../src/runtime/errors.ts';
import { DiskFullError } from '../../../src/runtime/io.ts';
import { LockError } from '../../../src/runtime/lock.ts';
import { WebLoginError } from '../../../src/salesforce/auth/web-login.ts';
import { BudgetExceededError } from '../../../src/salesforce/export/budget.ts';
import { SelectionError } from '../../../src/salesforce/export/describe.ts';
import { IncrementalNotPossibleError, SnapshotCorruptError, SnapshotError } from '../../../src/snapshot/errors.ts';
import { CampaignError } from '../../../src/status/campaigns.ts';
import { StatusPublishError } from '../../../src/status/publish.ts';
import { StatusDataError } from '../../../src/status/schema.ts';
import { StatusSecretError } from '../../../src/status/secrets.ts';
import { StorageError } from '../../../src/storage/errors.ts';

const target: SecretTarget = { scope: 'repository', owner: 'acme', repo: 'backups', name: 'SF_REFRESH_TOKEN_PROD' };
const sf = { reason: 'network' as const, message: 'It failed.', remedy: 'Do this.' };
const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', path: '/tmp/x/a.csv' });
const secretWrite = new SecretWriteError({ target, reason: 'unavailable', status: 503, detail: 'Service Unavailable', remedy: 'Try later.' });

/** One of every class, the state it must end in, and the class name it keeps. */
const CASES: [ProductError, ProductState, string][] = [
  [new ReauthRequiredError(sf), 'reauth_required', 'ReauthRequiredError'],
  [new AppPendingError(sf), 'app_pending', 'AppPendingError'],
  [new TransientError(sf), 'transient', 'TransientError'],
  [new MisconfiguredError(sf), 'misconfigured', 'MisconfiguredError'],
  [new RotationWriteFailedError(sf), 'rotation_write_failed', 'RotationWriteFailedError'],
  [new BudgetExceededError(60, 100, 50, 0.5), 'transient', 'BudgetExceededError'],
  [new ConfigError(['orgs[0].type is wrong'], 'Fix it.'), 'misconfigured', 'MisconfiguredError'],
  [new ReauthUsageError('no --org'), 'misconfigured', 'MisconfiguredError'],
  [new ReauthDeclinedError('declined', 'Run it again.'), 'misconfigured', 'MisconfiguredError'],
  [new RotateAppUsageError('no --client-id'), 'misconfigured', 'MisconfiguredError'],
  [new RotateAppError(sf), 'misconfigured', 'MisconfiguredError'],
  [new RotateAppWriteError(target, [], secretWrite), 'transient', 'RotateAppWriteError'],
  [new CampaignNotPublishedError('not published', 'Publish it.'), 'failed', 'CampaignNotPublishedError'],
  [new SelectionError('nothing selected', 'Fix --include.', ['Acount']), 'misconfigured', 'SelectionError'],
  [new WebLoginError({ state: 'misconfigured', reason: 'bad_response', message: 'bad', remedy: 'Check.' }), 'misconfigured', 'WebLoginError'],
  [new SnapshotError('snapshot_not_found', 'no snapshot', 'Pass the folder.'), 'misconfigured', 'SnapshotError'],
  [new SnapshotCorruptError('/out/prod/x', [{ message: 'sha256 does not match' }]), 'corrupt', 'SnapshotCorruptError'],
  [new IncrementalNotPossibleError('Account', 'fields_changed', 'fields changed'), 'misconfigured', 'IncrementalNotPossibleError'],
  [new StorageError({ target: 'branch', reason: 'push_conflict', message: 'moved', remedy: 'Run again.' }), 'transient', 'StorageError'],
  [new StorageError({ target: 'branch', reason: 'permission_denied', message: 'denied', remedy: 'Grant it.' }), 'misconfigured', 'StorageError'],
  [secretWrite, 'failed', 'SecretWriteError'],
  [new IssueSyncError({ reason: 'permission_denied', status: 403, message: 'denied', remedy: 'Grant issues: write.' }), 'failed', 'IssueSyncError'],
  [new DiskFullError({ place: 'staging', folder: '/tmp/x', cause: enospc }), 'disk_full', 'DiskFullError'],
  [new LockError({ reason: 'held', message: 'held', remedy: 'Wait.', lockFile: '/tmp/l', holder: undefined }), 'locked', 'LockError'],
  [new StatusPublishError('network', 'down', 'Run again.'), 'transient', 'StatusPublishError'],
  [new StatusDataError('orgs/prod/status.json', ['auth.state is wrong'], 'Fix it.'), 'failed', 'StatusDataError'],
  [new StatusSecretError(['auth.message']), 'failed', 'StatusSecretError'],
  [new CampaignError('no such campaign', 'Check the id.'), 'failed', 'CampaignError'],
];

describe('ProductError', () => {
  test('every failure class extends the one base, keeps its name, and carries state, reason and remedy', () => {
    for (const [err, state, name] of CASES) {
      assert.ok(err instanceof ProductError, name);
      assert.ok(err instanceof Error, name);
      assert.equal(err.name, name);
      assert.equal(err.state, state, name);
      assert.equal(failureState(err), state, name);
      assert.ok(err.reason, `${name} has a reason`);
      assert.ok(err.remedy, `${name} has a remedy`);
      assert.equal(describeFailure(err), `${err.message}\nTo fix: ${err.remedy}`, name);
    }
  });

  test('the Salesforce classes are still told apart by instanceof', () => {
    const [reauth] = CASES[0] as [ProductError, ProductState, string];
    assert.ok(reauth instanceof SalesforceError && reauth instanceof ReauthRequiredError && !(reauth instanceof TransientError));
    assert.ok(new ConfigError(['x'], 'y') instanceof MisconfiguredError);
    assert.ok(new SnapshotCorruptError('/d', []) instanceof SnapshotError);
  });

  test('anything else is a plain failure, printed as its message', () => {
    assert.equal(failureState(new Error('boom')), 'failed');
    assert.equal(failureState('boom'), 'failed');
    assert.equal(describeFailure(new Error('boom')), 'boom');
    assert.equal(describeFailure('boom'), 'boom');
    // A remedy on some other object is not a ProductError's: it is not printed as one.
    assert.equal(describeFailure(Object.assign(new Error('boom'), { remedy: 'ignored' })), 'boom');
  });

  test('no module probes an error for a remedy or a state by its shape', () => {
    const src = path.resolve(import.meta.dirname, '../../../src');
    const probes: string[] = [];
    for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
      const file = path.join(entry.parentPath, entry.name);
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/'remedy' in |\{ remedy\?: unknown|\{ state\?: unknown/.test(line)) probes.push(`${path.relative(src, file)}:${i + 1}`);
        });
    }
    assert.deepEqual(probes, []);
  });
});
