// The Salesforce CLI sees the delete cascade the way it would on Salesforce: `sf data delete bulk`
// of an Account takes its contacts and opportunities to the Recycle Bin, `sf data query --all-rows`
// shows them there, and after a SOAP undelete() (jsforce; sf has no undelete command) sf reads them
// back live with their original Ids.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Emulator } from '../emulators/salesforce/emulator.ts';
import { insertRecord } from '../emulators/salesforce/store/dml.ts';
import { sessionConnection } from '../helpers/emulator.ts';
import { ALIAS, loginWithAccessToken, objectDef, orgOf, startInterop } from './fixtures.ts';
import { assertNoSfLeftovers, type SfHome, sfOk } from './sf.ts';

after(() => assertNoSfLeftovers());

interface QueryResult {
  totalSize: number;
  records: { Id: string; IsDeleted: boolean }[];
}

describe('sf and the delete cascade', () => {
  let emu: Emulator;
  let home: SfHome;
  let account: string;
  const children: string[] = [];

  function insert(type: string, values: Record<string, unknown>): string {
    const org = orgOf(emu);
    const userId = [...emu.state.users.values()].find((u) => u.orgId === org.id)?.id as string;
    const r = insertRecord(org, objectDef(emu, type), values, { userId, source: 'json' });
    assert.ok(r.success && r.id, JSON.stringify(r));
    return r.id;
  }

  async function query(soql: string, allRows: boolean): Promise<QueryResult> {
    const args = ['data', 'query', '-q', soql, '--target-org', ALIAS, ...(allRows ? ['--all-rows'] : [])];
    return (await sfOk<QueryResult>(home, args)).result;
  }

  const CHILDREN = (id: string) => `SELECT Id, IsDeleted FROM Contact WHERE AccountId = '${id}' ORDER BY Id`;

  before(async () => {
    ({ emu, home } = await startInterop({ orgs: [{ alias: 'prod', records: 0, name: 'Interop Corp' }] }));
    await loginWithAccessToken(emu, home);
    account = insert('Account', { Name: 'Cascade Parent' });
    for (let i = 0; i < 3; i++) children.push(insert('Contact', { LastName: `Child ${i}`, AccountId: account }));
  });

  after(async () => {
    await emu?.close();
    home?.remove();
  });

  it('delete bulk of an Account puts its contacts in the Recycle Bin; --all-rows shows them', async () => {
    const file = path.join(home.cwd, 'accounts.csv');
    writeFileSync(file, `Id\n${account}\n`);
    const { result } = await sfOk<{ jobInfo: { numberRecordsProcessed: number } }>(home, [
      'data',
      'delete',
      'bulk',
      '-s',
      'Account',
      '-f',
      file,
      '--wait',
      '10',
      '--target-org',
      ALIAS,
    ]);
    assert.equal(result.jobInfo.numberRecordsProcessed, 1);
    assert.equal((await query(CHILDREN(account), false)).totalSize, 0);
    const all = await query(CHILDREN(account), true);
    assert.deepEqual(
      all.records.map((r) => [r.Id, r.IsDeleted]),
      [...children].sort().map((id) => [id, true]),
    );
  });

  it('after a SOAP undelete of the Account, sf reads the contacts live with their original Ids', async () => {
    const conn = await sessionConnection(emu, 'prod');
    const [r] = (await conn.soap.undelete([account])) as unknown as { success: boolean }[];
    assert.equal(r?.success, true);
    const live = await query(CHILDREN(account), false);
    assert.deepEqual(
      live.records.map((x) => x.Id),
      [...children].sort(),
    );
  });
});
