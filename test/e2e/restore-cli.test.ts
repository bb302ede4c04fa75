// `sfbackup restore` end to end through the built CLI (dist/cli.js) against the emulator: back an org
// up, mass-delete Accounts (their Contacts go to the Recycle Bin with them), purge part of the bin,
// change fields on others; the dry run's plan says exactly that and writes nothing; --apply puts the
// records back (undeleted ones keep their Ids, re-created Contacts point at the re-created Accounts),
// a second --apply creates no duplicates, and overwrite sets the changed fields back.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Connection } from 'jsforce';
import type { Emulator } from '../emulators/salesforce/emulator.ts';
import { CLI_ENTRY, runNode } from '../helpers/dist.ts';
import { control, creds, emulator, sessionConnection } from '../helpers/emulator.ts';

let emu: Emulator;
let conn: Connection;
let work: string;

before(async () => {
  emu = await emulator({
    orgs: [
      { alias: 'prod', records: 300, seed: 7 },
      // A sandbox made from prod: prod's users under `.full`, its own record type Ids and records.
      { alias: 'full', sandbox: true, records: 40, seed: 7, copyOf: 'prod' },
    ],
  });
  await control(emu, 'POST', '/bulk', { pollsBeforeComplete: 0 });
  conn = await sessionConnection(emu, 'prod');
  work = mkdtempSync(path.join(tmpdir(), 'restore-cli-'));
});
after(async () => {
  await emu?.close();
  rmSync(work, { recursive: true, force: true });
});

function env(): Record<string, string> {
  const c = creds(emu, 'prod');
  return { HOME: work, SF_LOGIN_URL: c.loginUrl, SF_CLIENT_ID: c.clientId, SF_CLIENT_SECRET: c.clientSecret, SF_REFRESH_TOKEN: c.refreshToken };
}

const sfbackup = (args: string[]) => runNode(CLI_ENTRY, args, env(), { cwd: work });

async function soql<T extends Record<string, unknown>>(q: string): Promise<T[]> {
  return (await conn.query<T>(q)).records;
}

interface PlanJson {
  objects: { name: string; counts: Record<string, number>; skipped: Record<string, number> }[];
}

describe('cli: sfbackup restore', () => {
  test('missing: the dry run plans undeletes and re-creates; --apply restores with relationships; again: nothing twice', async () => {
    const out = path.join(work, 'out');
    const backedUp = await sfbackup(['backup', '--out', out, '--alias', 'prod']);
    assert.equal(backedUp.code, 0, backedUp.stdout + backedUp.stderr);
    const snapshot = path.join(out, 'prod', 'latest');

    const contacts = await soql<{ Id: string; AccountId: string; LastName: string }>(
      'SELECT Id, AccountId, LastName FROM Contact WHERE AccountId != null ORDER BY Id',
    );
    const families = new Map<string, { Id: string; LastName: string }[]>();
    for (const c of contacts) families.set(c.AccountId, [...(families.get(c.AccountId) ?? []), c]);
    const withContacts = [...families.entries()].filter(([, cs]) => cs.length >= 1).slice(0, 6);
    assert.equal(withContacts.length, 6);
    const purged = withContacts.slice(0, 3);
    const binned = withContacts.slice(3);
    const accountCount = (await conn.query('SELECT COUNT() FROM Account')).totalSize;
    const contactCount = (await conn.query('SELECT COUNT() FROM Contact')).totalSize;
    const nameOf = new Map((await soql<{ Id: string; Name: string }>('SELECT Id, Name FROM Account')).map((a) => [a.Id, a.Name]));

    for (const [acc] of purged) await control(emu, 'DELETE', `/orgs/prod/records/Account/${acc}`);
    await control(emu, 'POST', '/orgs/prod/recyclebin/purge', {});
    for (const [acc] of binned) await control(emu, 'DELETE', `/orgs/prod/records/Account/${acc}`);
    const goneContacts = withContacts.reduce((n, [, cs]) => n + cs.length, 0);
    assert.equal((await conn.query('SELECT COUNT() FROM Contact')).totalSize, contactCount - goneContacts, 'the Contacts went with their Accounts');

    const report = path.join(work, 'report');
    const dry = await sfbackup(['restore', snapshot, '--mode', 'missing', '--objects', 'Account,Contact', '--report', report]);
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    assert.match(dry.stdout, /Nothing was written to the org/);
    const plan = JSON.parse(readFileSync(path.join(report, 'plan', 'plan.json'), 'utf8')) as PlanJson;
    const account = plan.objects.find((o) => o.name === 'Account');
    assert.equal(account?.counts.undelete, 3);
    assert.equal(account?.counts.create, 3);
    assert.equal((await conn.query('SELECT COUNT() FROM Account')).totalSize, accountCount - 6, 'the dry run wrote nothing');

    const applied = await sfbackup([
      'restore',
      snapshot,
      '--mode',
      'missing',
      '--objects',
      'Account,Contact',
      '--report',
      report,
      '--apply',
      '--allow-production',
    ]);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.equal((await conn.query('SELECT COUNT() FROM Account')).totalSize, accountCount);
    assert.equal((await conn.query('SELECT COUNT() FROM Contact')).totalSize, contactCount);
    // Undeleted Accounts keep their Ids and their Contacts.
    for (const [acc, cs] of binned) {
      const back = await soql<{ Id: string }>(`SELECT Id FROM Contact WHERE AccountId = '${acc}'`);
      assert.deepEqual(back.map((c) => c.Id).sort(), cs.map((c) => c.Id).sort());
    }
    // Re-created Accounts have new Ids; their re-created Contacts point at them.
    for (const [acc, cs] of purged) {
      const [again] = await soql<{ Id: string }>(`SELECT Id FROM Account WHERE Name = '${(nameOf.get(acc) ?? '').replace(/'/g, "\\'")}'`);
      assert.ok(again && again.Id !== acc, 're-created with a new Id');
      const kids = await soql<{ LastName: string }>(`SELECT LastName FROM Contact WHERE AccountId = '${again.Id}'`);
      assert.deepEqual(kids.map((k) => k.LastName).sort(), cs.map((c) => c.LastName).sort());
    }

    const twice = await sfbackup([
      'restore',
      snapshot,
      '--mode',
      'missing',
      '--objects',
      'Account,Contact',
      '--report',
      report,
      '--apply',
      '--allow-production',
    ]);
    assert.equal(twice.code, 0, twice.stdout + twice.stderr);
    // The second plan knows what the first run re-created: nothing to create, and it says why.
    assert.match(twice.stdout, /^Account: nothing to write; \d+ skipped\.$/m);
    assert.match(twice.stdout, /- skipped \d+ records?: re-created by an earlier run over the same results/);
    assert.equal((await conn.query('SELECT COUNT() FROM Account')).totalSize, accountCount, 'no duplicates');
    assert.equal((await conn.query('SELECT COUNT() FROM Contact')).totalSize, contactCount, 'no duplicates');
  });

  test('writing to a production org needs --allow-production; the refusal writes nothing', async () => {
    const snapshot = path.join(work, 'out', 'prod', 'latest');
    const ran = await sfbackup(['restore', snapshot, '--mode', 'missing', '--objects', 'Account', '--report', path.join(work, 'r2'), '--apply']);
    assert.equal(ran.code, 2, ran.stdout + ran.stderr);
    assert.match(ran.stderr, /production org/);
    assert.match(ran.stderr, /--allow-production/);
  });

  test('a masking rule that is not blank, fake or hash is a usage error naming the form', async () => {
    const snapshot = path.join(work, 'out', 'prod', 'latest');
    const ran = await sfbackup(['restore', snapshot, '--mode', 'missing', '--mask', 'Contact.Email=scramble', '--report', path.join(work, 'r3')]);
    assert.equal(ran.code, 2, ran.stdout + ran.stderr);
    assert.match(ran.stderr, /Contact\.Email=scramble/);
    assert.match(ran.stderr, /Object\.Field=blank/);
  });

  test('seeding a sandbox: owners found by username with --username-suffix, --mask keeps the original values out of the sandbox and the key out of the output', async () => {
    const snapshot = path.join(work, 'out', 'prod', 'latest');
    const picked = await soql<{ Id: string; Email: string; LastName: string }>(
      'SELECT Id, Email, LastName FROM Contact WHERE Email != null ORDER BY Id LIMIT 4',
    );
    assert.equal(picked.length, 4);
    const c = creds(emu, 'full');
    const key = 'mask-key-that-must-not-be-printed';
    const report = path.join(work, 'seed');
    const ran = await runNode(
      CLI_ENTRY,
      [
        'restore',
        snapshot,
        '--mode',
        'missing',
        '--objects',
        'Contact',
        '--ids',
        picked.map((p) => p.Id).join(','),
        '--mask',
        'Contact.Email=fake,Contact.Phone=blank',
        '--username-suffix',
        '.full',
        '--report',
        report,
        '--apply',
      ],
      {
        ...env(),
        SF_LOGIN_URL: c.loginUrl,
        SF_CLIENT_ID: c.clientId,
        SF_CLIENT_SECRET: c.clientSecret,
        SF_REFRESH_TOKEN: c.refreshToken,
        SFBACKUP_MASK_KEY: key,
      },
      { cwd: work },
    );
    assert.equal(ran.code, 0, ran.stdout + ran.stderr);
    assert.match(ran.stdout, /into org \S+ \(the snapshot is of /);
    assert.match(ran.stdout, /References into the target org: .*User: \d+ by username/);
    assert.match(ran.stdout, /Masked on the way in: Contact\.Email \(fake\), Contact\.Phone \(blank\)\./);
    assert.match(ran.stdout, /Contact\s+0 undeleted, 4 created/);
    assert.ok(!`${ran.stdout}${ran.stderr}`.includes(key), 'the mask key is never printed');

    const sandbox = await sessionConnection(emu, 'full');
    const rows = readFileSync(path.join(report, 'results', 'Contact.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1);
    const newIds = rows.map((r) => r.split(',')[1] as string);
    const seeded = (
      await sandbox.query<{ Email: string; Phone: string | null; LastName: string; OwnerId: string }>(
        `SELECT Email, Phone, LastName, OwnerId FROM Contact WHERE Id IN (${newIds.map((i) => `'${i}'`).join(',')})`,
      )
    ).records;
    assert.deepEqual(seeded.map((s) => s.LastName).sort(), picked.map((p) => p.LastName).sort());
    const originals = new Set(picked.map((p) => p.Email));
    for (const s of seeded) {
      assert.match(s.Email, /^user\.[0-9a-f]{12}@example\.invalid$/);
      assert.ok(!originals.has(s.Email));
      assert.equal(s.Phone, null);
    }
    const owners = (await sandbox.query<{ Id: string; Username: string }>('SELECT Id, Username FROM User')).records;
    for (const s of seeded) assert.match(owners.find((u) => u.Id === s.OwnerId)?.Username ?? '', /\.full$/);
  });

  test('overwrite sets changed fields back, and leaves the rest', async () => {
    const snapshot = path.join(work, 'out', 'prod', 'latest');
    const accounts = await soql<{ Id: string; Phone: string | null }>('SELECT Id, Phone FROM Account ORDER BY Id LIMIT 3');
    const before = new Map(accounts.map((a) => [a.Id, a.Phone]));
    for (const a of accounts) await conn.sobject('Account').update({ Id: a.Id, Phone: '555-0000' });
    const report = path.join(work, 'report-overwrite');
    const ids = accounts.map((a) => a.Id).join(',');
    // The edits came after the snapshot: skipped unless the user says so.
    const dry = await sfbackup([
      'restore',
      snapshot,
      '--mode',
      'overwrite',
      '--objects',
      'Account',
      '--ids',
      ids,
      '--fields',
      'Account.Phone',
      '--report',
      report,
    ]);
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    const plan = JSON.parse(readFileSync(path.join(report, 'plan', 'plan.json'), 'utf8')) as PlanJson;
    assert.equal(plan.objects[0]?.skipped.changed_after_snapshot, 3);
    const applied = await sfbackup([
      'restore',
      snapshot,
      '--mode',
      'overwrite',
      '--objects',
      'Account',
      '--ids',
      ids,
      '--fields',
      'Account.Phone',
      '--overwrite-newer',
      '--report',
      report,
      '--apply',
      '--allow-production',
    ]);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    for (const a of await soql<{ Id: string; Phone: string | null }>(
      `SELECT Id, Phone FROM Account WHERE Id IN ('${accounts.map((x) => x.Id).join("','")}')`,
    )) {
      assert.equal(a.Phone, before.get(a.Id));
    }
  });
});
