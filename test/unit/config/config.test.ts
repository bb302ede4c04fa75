// The org config: valid files load, bad ones fail with the file line, the path and the fix, and
// secret names resolve through the toJSON(secrets) map without ever printing a value.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import {
  ConfigError,
  loadConfig,
  loginUrlForType,
  parseConfig,
  parseSecretsMap,
  resolveOrg,
  resolveSecretTargets,
  selectOrg,
} from '../../../src/config/index.ts';
import { MisconfiguredError } from '../../../src/runtime/auth-errors.ts';

const FILE = '.github/salesforce-backup.yml';

const GOOD = `version: 1
defaults:
  storage:
    kind: branch
    branch: salesforce-backups
orgs:
  - alias: prod
    type: production
    refresh-token-secret: SF_REFRESH_TOKEN_PROD
    objects:
      exclude: [LoginHistory]
    fields:
      exclude: [Contact.SSN__c, "*.Secret__c"]
  - alias: uat
    type: sandbox
    refresh-token-secret: SF_REFRESH_TOKEN_UAT
    client-id-secret: UAT_CLIENT_ID
    client-secret-secret: UAT_CLIENT_SECRET
    storage: { kind: artifact, retention-days: 14 }
  - alias: acme-dev
    type: https://acme--dev.sandbox.my.salesforce.com/
    refresh-token-secret: SF_REFRESH_TOKEN_DEV
`;

function problems(text: string): string[] {
  try {
    parseConfig(text, FILE);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems;
  }
  assert.fail('the config was accepted');
}

describe('org config', () => {
  test('a valid config loads with every org and its settings', () => {
    const cfg = parseConfig(GOOD, FILE);
    assert.deepEqual(
      cfg.orgs.map((o) => o.alias),
      ['prod', 'uat', 'acme-dev'],
    );
    assert.deepEqual(cfg.orgs[0]?.objects?.exclude, ['LoginHistory']);
    assert.equal(cfg.orgs[1]?.storage?.['retention-days'], 14);
  });

  test('type maps to the login host: production, sandbox, My Domain', () => {
    assert.equal(loginUrlForType('production'), 'https://login.salesforce.com');
    assert.equal(loginUrlForType('sandbox'), 'https://test.salesforce.com');
    assert.equal(loginUrlForType('https://acme.my.salesforce.com/'), 'https://acme.my.salesforce.com');
  });

  test('a bad type names the line, the path and an example', () => {
    const bad = GOOD.replace('type: sandbox', 'type: staging');
    assert.deepEqual(problems(bad), [`${FILE}:15: orgs[1].type must be production, sandbox or a https My Domain URL — e.g. type: sandbox`]);
  });

  test('plain http is refused except for a server on this machine', () => {
    assert.equal(problems(GOOD.replace('https://acme--dev', 'http://acme--dev')).length, 1);
    const local = parseConfig(GOOD.replace('https://acme--dev.sandbox.my.salesforce.com/', 'http://127.0.0.1:8484'), FILE);
    assert.equal(local.orgs[2]?.type, 'http://127.0.0.1:8484');
  });

  test('missing keys, unknown keys, bad storage and duplicate aliases are all reported with lines', () => {
    const text = `orgs:
  - alias: prod
    type: production
  - alias: PROD
    type: sandbox
    refresh-token-secret: SF_TOKEN
    storage:
      kind: bucket
    colour: blue
`;
    const got = problems(text);
    assert.ok(got.includes(`${FILE}:2: orgs[0].refresh-token-secret is required — e.g. SF_REFRESH_TOKEN_PROD`), got.join('\n'));
    assert.ok(got.includes(`${FILE}:8: orgs[1].storage.kind must be local, artifact or branch — e.g. kind: branch`), got.join('\n'));
    assert.ok(got.includes(`${FILE}:9: orgs[1] has unknown key "colour" — check the spelling against docs/setup.md`), got.join('\n'));
  });

  test('two orgs with one alias are refused', () => {
    const got = problems(
      'orgs:\n  - {alias: prod, type: production, refresh-token-secret: A}\n  - alias: PROD\n    type: sandbox\n    refresh-token-secret: B\n',
    );
    assert.deepEqual(got, [`${FILE}:3: orgs[1].alias repeats the alias of orgs[0]; every org needs its own alias`]);
  });

  test('YAML syntax errors carry the line', () => {
    const got = problems('orgs:\n  - alias: a\n   type: b\n');
    assert.match(got[0] ?? '', /^\.github\/salesforce-backup\.yml:3: /);
  });

  test('a missing file says how to add one', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cfg-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    assert.throws(
      () => loadConfig(path.join(dir, 'nope.yml'), FILE),
      (err: unknown) => err instanceof ConfigError && /cannot read the org config \(ENOENT\)/.test(err.message) && /actions\/checkout/.test(err.remedy),
    );
    writeFileSync(path.join(dir, 'ok.yml'), GOOD);
    assert.equal(loadConfig(path.join(dir, 'ok.yml'), FILE).orgs.length, 3);
  });
});

describe('secrets and org selection', () => {
  const cfg = parseConfig(GOOD, FILE);
  const secrets = {
    SF_CLIENT_ID: 'key-123',
    SF_CLIENT_SECRET: 'shh-456',
    SF_REFRESH_TOKEN_PROD: 'token-prod-789',
    github_token: 'ghs_x',
  };

  test('resolves credentials through the secrets map, with default app secret names', () => {
    const org = resolveOrg(cfg, selectOrg(cfg, 'prod', FILE), secrets, FILE);
    assert.deepEqual(org.credentials, {
      loginUrl: 'https://login.salesforce.com',
      clientId: 'key-123',
      clientSecret: 'shh-456',
      refreshToken: 'token-prod-789',
      apiVersion: '62.0',
    });
    assert.deepEqual(org.secretValues.sort(), ['key-123', 'shh-456', 'token-prod-789']);
    assert.deepEqual(org.fieldsExclude, ['Contact.SSN__c', '*.Secret__c']);
    assert.deepEqual(org.storage, { kind: 'branch', branch: 'salesforce-backups' });
  });

  test('a missing secret is named with how to add it, and no value is printed', () => {
    assert.throws(
      () => resolveOrg(cfg, selectOrg(cfg, 'uat', FILE), secrets, FILE),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        const text = `${err.message}\n${err.remedy}`;
        assert.match(text, /needs the secret SF_REFRESH_TOKEN_UAT \(orgs\[1\]\.refresh-token-secret\)/);
        assert.match(text, /needs the secret UAT_CLIENT_ID/);
        assert.match(text, /gh secret set SF_REFRESH_TOKEN_UAT/);
        for (const v of Object.values(secrets)) assert.ok(!text.includes(v), 'a secret value leaked into the error');
        return true;
      },
    );
  });

  test('no secrets at all says to pass toJSON(secrets)', () => {
    assert.throws(
      () => resolveOrg(cfg, selectOrg(cfg, 'prod', FILE), {}, FILE),
      (err: unknown) => err instanceof ConfigError && err.remedy.includes('toJSON(secrets)'),
    );
  });

  test('choosing an org: by alias, the only one, or an error listing the aliases', () => {
    assert.equal(selectOrg(cfg, 'UAT', FILE).alias, 'uat');
    assert.throws(() => selectOrg(cfg, undefined, FILE), /lists 3 orgs \(prod, uat, acme-dev\)/);
    assert.throws(() => selectOrg(cfg, 'qa', FILE), /no org with alias "qa"/);
    const one = parseConfig('orgs: [{alias: solo, type: production, refresh-token-secret: T}]', FILE);
    assert.equal(selectOrg(one, undefined, FILE).alias, 'solo');
  });

  test('the secrets input: JSON object of strings; bad JSON never echoes the text', () => {
    assert.deepEqual(parseSecretsMap('{"A":"1","B":2}'), { A: '1' });
    assert.deepEqual(parseSecretsMap(''), {});
    assert.throws(
      () => parseSecretsMap('{"TOKEN": "very-secret-value"'),
      (err: unknown) => err instanceof Error && !err.message.includes('very-secret-value') && /not JSON/.test(err.message),
    );
  });
});

describe('where the secrets live (secrets-scope)', () => {
  const SCOPED = `defaults:
  secrets-scope: { kind: environment, environment: salesforce }
orgs:
  - alias: prod
    type: production
    refresh-token-secret: SF_REFRESH_TOKEN_PROD
  - alias: uat
    type: sandbox
    refresh-token-secret: SF_REFRESH_TOKEN_UAT
    client-id-secret: UAT_CLIENT_ID
    secrets-scope: repository
  - alias: shared
    type: production
    refresh-token-secret: SF_REFRESH_TOKEN_SHARED
    secrets-scope: { kind: organization, visibility: selected }
  - alias: orgwide
    type: production
    refresh-token-secret: SF_REFRESH_TOKEN_ORGWIDE
    secrets-scope: organization
`;

  test('each org gets the targets of its refresh token, client id and client secret', () => {
    const cfg = parseConfig(SCOPED, FILE);
    assert.deepEqual(resolveSecretTargets(cfg, selectOrg(cfg, 'prod', FILE), 'acme/backups'), {
      refreshToken: { scope: 'environment', owner: 'acme', repo: 'backups', environment: 'salesforce', name: 'SF_REFRESH_TOKEN_PROD' },
      clientId: { scope: 'environment', owner: 'acme', repo: 'backups', environment: 'salesforce', name: 'SF_CLIENT_ID' },
      clientSecret: { scope: 'environment', owner: 'acme', repo: 'backups', environment: 'salesforce', name: 'SF_CLIENT_SECRET' },
    });
    assert.deepEqual(resolveSecretTargets(cfg, selectOrg(cfg, 'uat', FILE), 'acme/backups'), {
      refreshToken: { scope: 'repository', owner: 'acme', repo: 'backups', name: 'SF_REFRESH_TOKEN_UAT' },
      clientId: { scope: 'repository', owner: 'acme', repo: 'backups', name: 'UAT_CLIENT_ID' },
      clientSecret: { scope: 'repository', owner: 'acme', repo: 'backups', name: 'SF_CLIENT_SECRET' },
    });
    // Organization secrets belong to the owner of the repository.
    assert.deepEqual(resolveSecretTargets(cfg, selectOrg(cfg, 'shared', FILE), 'acme/backups').refreshToken, {
      scope: 'organization',
      org: 'acme',
      name: 'SF_REFRESH_TOKEN_SHARED',
      visibility: 'selected',
    });
    assert.deepEqual(resolveSecretTargets(cfg, selectOrg(cfg, 'orgwide', FILE), 'acme/backups').clientSecret, {
      scope: 'organization',
      org: 'acme',
      name: 'SF_CLIENT_SECRET',
    });
  });

  test('without secrets-scope anywhere the secrets are repository secrets, and ResolvedOrg carries the targets', () => {
    const cfg = parseConfig(GOOD, FILE);
    const org = resolveOrg(cfg, selectOrg(cfg, 'prod', FILE), { SF_CLIENT_ID: 'a', SF_CLIENT_SECRET: 'b', SF_REFRESH_TOKEN_PROD: 'c' }, FILE);
    assert.deepEqual(org.secretsScope, { kind: 'repository' });
    assert.deepEqual(org.secretTargets?.('octo-org/salesforce-backups').refreshToken, {
      scope: 'repository',
      owner: 'octo-org',
      repo: 'salesforce-backups',
      name: 'SF_REFRESH_TOKEN_PROD',
    });
  });

  test('a repository that is not owner/name is refused with how to set it', () => {
    const cfg = parseConfig(GOOD, FILE);
    assert.throws(
      () => resolveSecretTargets(cfg, selectOrg(cfg, 'prod', FILE), ''),
      (err: unknown) => err instanceof MisconfiguredError && /not owner\/name/.test(err.message) && /GITHUB_REPOSITORY/.test(err.remedy),
    );
  });

  test('bad scopes name the line, the path and an example', () => {
    const org = (scope: string) => `orgs:\n  - alias: prod\n    type: production\n    refresh-token-secret: T\n    secrets-scope: ${scope}\n`;
    assert.deepEqual(problems(org('bucket')), [
      `${FILE}:5: orgs[0].secrets-scope must be repository, environment or organization — e.g. secrets-scope: repository`,
    ]);
    assert.deepEqual(problems(org('environment')), [
      `${FILE}:5: orgs[0].secrets-scope must name the environment that holds the secrets — e.g. secrets-scope: { kind: environment, environment: salesforce-prod }`,
    ]);
    assert.deepEqual(problems(org('{ kind: environment }')), [
      `${FILE}:5: orgs[0].secrets-scope.environment is required — e.g. secrets-scope: { kind: environment, environment: salesforce-prod }`,
    ]);
    assert.deepEqual(problems(org('{ kind: organization, visibility: public }')), [
      `${FILE}:5: orgs[0].secrets-scope.visibility must be all, private or selected — e.g. visibility: private`,
    ]);
    assert.deepEqual(problems(org('{ kind: repository, environment: x }')), [
      `${FILE}:5: orgs[0].secrets-scope has unknown key "environment" — check the spelling against docs/setup.md`,
    ]);
    const inDefaults = `defaults:\n  secrets-scope:\n    kind: organisation\norgs:\n  - {alias: prod, type: production, refresh-token-secret: T}\n`;
    assert.deepEqual(problems(inDefaults), [
      `${FILE}:3: defaults.secrets-scope.kind must be repository, environment or organization — e.g. secrets-scope: repository`,
    ]);
  });
});
