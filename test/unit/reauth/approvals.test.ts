// The approval-limit arithmetic: which configured orgs hold a live approval of the same user and app,
// and whose token a new login would cost.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ApprovalRecord, approvalWarning, checkApprovals, holdsLiveApproval } from '../../../src/salesforce/auth/approvals.ts';

const USER = '005000000000001AAA';
const OTHER_USER = '005000000000002AAA';
const APP = 'aaaaaaaaaaaa';
const OTHER_APP = 'bbbbbbbbbbbb';

function rec(alias: string, day: number, over: Partial<ApprovalRecord> = {}): ApprovalRecord {
  return {
    alias,
    userId: USER,
    appFingerprint: APP,
    authorizedAt: `2026-01-${String(day).padStart(2, '0')}T00:00:00Z`,
    auth: { state: 'ok', reason: null },
    ...over,
  };
}

const aliases = (rs: ApprovalRecord[]) => rs.map((r) => r.alias);

describe('checkApprovals', () => {
  test('five live approvals of the same user and app: the next login evicts the oldest other org', () => {
    const statuses = [rec('e', 5), rec('b', 2), rec('a', 9), rec('c', 3), rec('d', 4)];
    const q = { alias: 'a', appFingerprint: APP, statuses, configuredAliases: ['a', 'b', 'c', 'd', 'e'] };
    const c = checkApprovals(q);
    assert.equal(c.known, true);
    assert.equal(c.exceeds, true);
    assert.deepEqual(aliases(c.live), ['b', 'c', 'd', 'e', 'a']);
    assert.equal(c.evicts?.alias, 'b');
    const warning = approvalWarning(q, c);
    assert.match(warning ?? '', /approval 6 /);
    assert.match(warning ?? '', /org "b", authorized 2026-01-02T00:00:00Z/);
  });

  test('four live approvals: the fifth login is fine', () => {
    const statuses = [rec('a', 1), rec('b', 2), rec('c', 3), rec('d', 4)];
    const q = { alias: 'a', appFingerprint: APP, statuses, configuredAliases: ['a', 'b', 'c', 'd'] };
    const c = checkApprovals(q);
    assert.equal(c.exceeds, false);
    assert.equal(c.evicts, undefined);
    assert.equal(approvalWarning(q, c), undefined);
  });

  test('when the oldest approval is this org’s own, replacing it is harmless: no warning', () => {
    const statuses = [rec('a', 1), rec('b', 2), rec('c', 3), rec('d', 4), rec('e', 5)];
    const q = { alias: 'a', appFingerprint: APP, statuses, configuredAliases: ['a', 'b', 'c', 'd', 'e'] };
    const c = checkApprovals(q);
    assert.equal(c.exceeds, true);
    assert.equal(c.evicts, undefined);
    assert.equal(approvalWarning(q, c), undefined);
  });

  test('dead tokens, other users, other apps and orgs no longer configured do not count', () => {
    const statuses = [
      rec('a', 9),
      rec('dead', 1, { auth: { state: 'reauth_required', reason: 'token_expired_or_revoked' } }),
      rec('old-spelling', 1, { auth: { state: 'reauth_required', reason: 'token_revoked_or_expired' } }),
      rec('app-changed', 1, { auth: { state: 'reauth_required', reason: 'app_changed' } }),
      rec('someone-else', 1, { userId: OTHER_USER }),
      rec('other-app', 1, { appFingerprint: OTHER_APP }),
      rec('gone', 1),
      rec('b', 2),
      rec('c', 3),
      rec('d', 4, { auth: { state: 'transient', reason: 'network' } }),
    ];
    const configured = statuses.map((s) => s.alias).filter((a) => a !== 'gone');
    const c = checkApprovals({ alias: 'a', appFingerprint: APP, statuses, configuredAliases: configured });
    assert.deepEqual(aliases(c.live), ['b', 'c', 'd', 'a']);
    assert.equal(c.exceeds, false);
  });

  test('a user inactive or a policy-expired token still holds its approval until Salesforce drops it', () => {
    assert.equal(holdsLiveApproval(rec('x', 1, { auth: { state: 'reauth_required', reason: 'user_inactive' } })), true);
    assert.equal(holdsLiveApproval(rec('x', 1, { auth: { state: 'rotation_write_failed', reason: 'secret_write_failed' } })), true);
    assert.equal(holdsLiveApproval(rec('x', 1, { auth: { state: 'reauth_required', reason: 'token_expired_or_revoked' } })), false);
  });

  test('an org whose user is unknown cannot be checked', () => {
    const c = checkApprovals({ alias: 'new', appFingerprint: APP, statuses: [rec('a', 1), rec('new', 2, { userId: null })], configuredAliases: ['a', 'new'] });
    assert.equal(c.known, false);
    assert.equal(c.exceeds, false);
    assert.equal(checkApprovals({ alias: 'missing', appFingerprint: APP, statuses: [rec('a', 1)], configuredAliases: ['a', 'missing'] }).known, false);
  });

  test('approvals without a date are taken as the oldest and reported', () => {
    const statuses = [rec('a', 9), rec('b', 2), rec('c', 3), rec('d', 4), rec('nodate', 0, { authorizedAt: null })];
    const q = { alias: 'a', appFingerprint: APP, statuses, configuredAliases: aliases(statuses) };
    const c = checkApprovals(q);
    assert.equal(c.evicts?.alias, 'nodate');
    assert.deepEqual(c.undated, ['nodate']);
    assert.match(approvalWarning(q, c) ?? '', /authorized at an unknown time/);
  });

  test('a smaller limit can be given (Salesforce pages disagree on 5th or 6th)', () => {
    const statuses = [rec('a', 9), rec('b', 2), rec('c', 3)];
    const c = checkApprovals({ alias: 'a', appFingerprint: APP, statuses, configuredAliases: ['a', 'b', 'c'], maxApprovals: 3 });
    assert.equal(c.evicts?.alias, 'b');
  });
});
