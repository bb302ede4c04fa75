// Which orgs a rotation moves to the new Connected App and which secrets it writes, decided from
// the secrets map, the status branch and an explicit old key, before anything is written.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planRotation, RotateAppError } from '../../../src/app/rotate-app.ts';
import { parseConfig } from '../../../src/config/index.ts';
import { appFingerprint } from '../../../src/salesforce/auth/app-fingerprint.ts';
import type { Campaign } from '../../../src/status/index.ts';

const OLD = 'old-consumer-key-0000000000';
const EU = 'eu-consumer-key-11111111111';
const NEW = 'new-consumer-key-2222222222';
const REPO = 'acme/backups';

const config = parseConfig(
  `orgs:
  - alias: prod
    type: production
    refresh-token-secret: SF_REFRESH_TOKEN_PROD
  - alias: uat
    type: sandbox
    refresh-token-secret: SF_REFRESH_TOKEN_UAT
    secrets-scope: { kind: environment, environment: uat }
  - alias: eu
    type: https://acme-eu.my.salesforce.com
    refresh-token-secret: SF_REFRESH_TOKEN_EU
    client-id-secret: SF_CLIENT_ID_EU
    client-secret-secret: SF_CLIENT_SECRET_EU
`,
  'cfg.yml',
);

const names = (plan: ReturnType<typeof planRotation>) => plan.writes.map((w) => `${w.target.scope}:${w.target.name}`);

describe('planRotation', () => {
  test('from the secrets map: the shared app is rotated, the other app is left alone, each distinct secret is written once', () => {
    const plan = planRotation({ config, repository: REPO, newClientId: NEW, secrets: { SF_CLIENT_ID: OLD, SF_CLIENT_ID_EU: EU } });
    assert.equal(plan.previousFingerprint, appFingerprint(OLD));
    assert.equal(plan.newFingerprint, appFingerprint(NEW));
    assert.deepEqual(
      plan.orgs.map((o) => [o.alias, o.loginHost, o.reauthCommand]),
      [
        ['prod', 'login.salesforce.com', 'sfbackup reauth --org prod'],
        ['uat', 'test.salesforce.com', 'sfbackup reauth --org uat'],
      ],
    );
    // uat keeps its secrets in an environment: the same names, another place.
    assert.deepEqual(names(plan), ['repository:SF_CLIENT_ID', 'environment:SF_CLIENT_ID', 'repository:SF_CLIENT_SECRET', 'environment:SF_CLIENT_SECRET']);
    assert.deepEqual(
      plan.untouched.map((u) => [u.alias, u.fingerprint]),
      [['eu', appFingerprint(EU)]],
    );
  });

  test('several apps and nothing naming the old one: refused with both apps listed', () => {
    const cfg = parseConfig(
      `orgs:
  - { alias: a, type: production, refresh-token-secret: RA, client-id-secret: KA }
  - { alias: b, type: production, refresh-token-secret: RB, client-id-secret: KB }
`,
      'cfg.yml',
    );
    assert.throws(
      () => planRotation({ config: cfg, repository: REPO, newClientId: NEW, secrets: { KA: OLD, KB: EU } }),
      (e: unknown) =>
        e instanceof RotateAppError && e.message.includes(appFingerprint(OLD)) && e.message.includes(appFingerprint(EU)) && /--old-client-id/.test(e.remedy),
    );
    const explicit = planRotation({ config: cfg, repository: REPO, newClientId: NEW, secrets: { KA: OLD, KB: EU }, oldClientId: EU });
    assert.deepEqual(
      explicit.orgs.map((o) => o.alias),
      ['b'],
    );
  });

  test('the same key as now is refused, and so is an old key equal to the new one', () => {
    assert.throws(
      () => planRotation({ config, repository: REPO, newClientId: OLD, secrets: { SF_CLIENT_ID: OLD, SF_CLIENT_ID_EU: OLD } }),
      /already use the new consumer key/,
    );
    assert.throws(() => planRotation({ config, repository: REPO, newClientId: NEW, oldClientId: NEW }), /old and the new consumer key are the same/);
  });

  test('without a secrets map the status branch says which orgs used the old app', () => {
    const published = new Map([
      ['prod', appFingerprint(OLD)],
      ['uat', appFingerprint(OLD)],
      ['eu', appFingerprint(EU)],
    ]);
    const plan = planRotation({ config, repository: REPO, newClientId: NEW, published, oldClientId: OLD });
    assert.deepEqual(
      plan.orgs.map((o) => o.alias),
      ['prod', 'uat'],
    );
  });

  test('orgs already waiting for the new app are not campaigned twice; a rerun after the status push failed is', () => {
    const published = new Map([
      ['prod', appFingerprint(OLD)],
      ['uat', appFingerprint(OLD)],
      ['eu', appFingerprint(EU)],
    ]);
    const campaign: Campaign = {
      id: `20260101T000000Z-${appFingerprint(NEW)}`,
      startedAt: '2026-01-01T00:00:00Z',
      completedAt: null,
      supersededBy: null,
      previousFingerprint: appFingerprint(OLD),
      newFingerprint: appFingerprint(NEW),
      orgs: [
        { alias: 'prod', reauthorizedAt: null },
        { alias: 'uat', reauthorizedAt: null },
      ],
    };
    assert.throws(
      () => planRotation({ config, repository: REPO, newClientId: NEW, published, campaigns: [campaign], secrets: { SF_CLIENT_ID: NEW, SF_CLIENT_ID_EU: EU } }),
      /SF_CLIENT_ID secret \(prod, uat\) already use the new consumer key.*Still to re-authorize: prod, uat/,
    );
    // The secrets hold the new key but no campaign was recorded: the orgs' tokens are still the old app's.
    const rerun = planRotation({ config, repository: REPO, newClientId: NEW, published, secrets: { SF_CLIENT_ID: NEW, SF_CLIENT_ID_EU: EU } });
    assert.equal(rerun.previousFingerprint, appFingerprint(OLD));
    assert.deepEqual(
      rerun.orgs.map((o) => o.alias),
      ['prod', 'uat'],
    );
  });

  test('nothing known about the orgs of the default secret: refused, naming them and how to tell', () => {
    assert.throws(
      () => planRotation({ config, repository: REPO, newClientId: NEW, secrets: { SF_CLIENT_ID_EU: EU } }),
      (e: unknown) => e instanceof RotateAppError && /org\(s\) prod, uat use now/.test(e.message) && /--old-client-id/.test(e.remedy),
    );
  });

  test('without a default client-id secret in use, a single old app among the orgs is the one replaced', () => {
    const cfg = parseConfig(
      `orgs:
  - { alias: a, type: production, refresh-token-secret: RA, client-id-secret: KA }
  - { alias: b, type: sandbox, refresh-token-secret: RB, client-id-secret: KB, client-secret-secret: SB }
`,
      'cfg.yml',
    );
    const plan = planRotation({ config: cfg, repository: REPO, newClientId: NEW, secrets: { KA: OLD, KB: OLD } });
    assert.deepEqual(names(plan), ['repository:KA', 'repository:KB', 'repository:SF_CLIENT_SECRET', 'repository:SB']);
  });
});
