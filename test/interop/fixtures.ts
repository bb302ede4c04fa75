// What the sf interop tests share: an emulator per test file, a sealed sf home logged in to it, a
// recognisable data set with hostile values written straight into the org's SQLite store, and
// readers that state what the store holds in the shapes sf reports (REST JSON, Bulk CSV cells).
import type { Emulator, EmulatorOptions } from '../emulators/salesforce/emulator.ts';
import type { Org } from '../emulators/salesforce/model.ts';
import { getObject, type ObjectDef } from '../emulators/salesforce/schema/types.ts';
import type { RequestLogEntry } from '../emulators/salesforce/state.ts';
import type { SqlValue } from '../emulators/salesforce/store/values.ts';
import { control, creds, emulator } from '../helpers/emulator.ts';
import { type SfHome, sfHome, sfOk } from './sf.ts';

export const ALIAS = 'emu';

export async function startInterop(options: EmulatorOptions = {}): Promise<{ emu: Emulator; home: SfHome }> {
  const emu = await emulator({ orgs: [{ alias: 'prod', records: 200, seed: 7, name: 'Interop Corp' }], ...options });
  return { emu, home: sfHome() };
}

export function orgOf(emu: Emulator, alias = 'prod'): Org {
  const org = [...emu.state.orgs.values()].find((o) => o.alias === alias);
  if (!org) throw new Error(`no org ${alias}`);
  return org;
}

export function objectDef(emu: Emulator, name: string): ObjectDef {
  const obj = getObject(emu.state.schema, name);
  if (!obj) throw new Error(`the emulator schema has no ${name}`);
  return obj;
}

/** `sf org login access-token` with a session minted through the control surface. */
export async function loginWithAccessToken(emu: Emulator, home: SfHome, alias = ALIAS, org = 'prod') {
  const s = await control<{ accessToken: string; instanceUrl: string; userId: string; orgId: string }>(emu, 'POST', `/orgs/${org}/sessions`);
  const { result, run } = await sfOk<Record<string, unknown>>(
    home,
    ['org', 'login', 'access-token', '--instance-url', s.instanceUrl, '--no-prompt', '--alias', alias, '--set-default'],
    {
      env: { SF_ACCESS_TOKEN: s.accessToken },
    },
  );
  return { session: s, result, run, creds: creds(emu, org) };
}

export async function requestLog(emu: Emulator, since = 0): Promise<RequestLogEntry[]> {
  return control<RequestLogEntry[]>(emu, 'GET', `/requests?since=${since}`);
}

export async function lastSeq(emu: Emulator): Promise<number> {
  return (await requestLog(emu)).at(-1)?.seq ?? 0;
}

export function describeLog(log: RequestLogEntry[]): string {
  return log.map((e) => `${e.method} ${e.rawPath}${e.query} -> ${e.status ?? '?'}`).join('\n');
}

/** Values no CSV writer, JSON encoder or SQL layer gets right by accident. */
export const NASTY_STRINGS = [
  'Comma, Inside',
  'Quote "Double" Inside',
  'Line\nBreak',
  'Carriage\r\nReturn',
  '  padded both  ',
  'Ünïcødé 名前 🚀',
  "O'Brien",
  'Back\\slash',
  'Tab\there',
  'null',
  '=1+1',
  '<b>bold</b> &amp;',
  '"',
  ',',
];

export const NASTY_ACCOUNTS = [
  { Name: 'Acme, Inc. "Quoted"', AccountNumber: 'AC-1,2', AnnualRevenue: 1234.5 },
  { Name: 'Zürich Ünïcødé 株式会社', AccountNumber: null, AnnualRevenue: 0 },
  { Name: 'Multi\nLine Corp', AccountNumber: '"', AnnualRevenue: 99999999.99 },
  { Name: 'Plain Account', AccountNumber: 'PA-1', AnnualRevenue: null },
];

export interface Seeded {
  accountIds: string[];
  contactIds: string[];
}

/**
 * Writes interop accounts and `contacts` contacts (LastName `Interop-NNNN`) into the org's store,
 * cycling through the nasty strings, null emails and null/non-null parents.
 */
export function seedContacts(emu: Emulator, contacts: number, alias = 'prod'): Seeded {
  const org = orgOf(emu, alias);
  const account = objectDef(emu, 'Account');
  const contact = objectDef(emu, 'Contact');
  const userId = [...emu.state.users.values()].find((u) => u.orgId === org.id)?.id;
  if (!userId) throw new Error('org has no user');
  const ctx = { userId };
  return org.store.transaction(() => {
    const accountIds = NASTY_ACCOUNTS.map((a) => org.store.insert(account, { ...a }, ctx));
    const contactIds: string[] = [];
    for (let i = 0; i < contacts; i++) {
      const nasty = NASTY_STRINGS[i % NASTY_STRINGS.length] as string;
      const row: Record<string, SqlValue> = {
        FirstName: i % 7 === 3 ? null : nasty,
        LastName: `Interop-${String(i).padStart(4, '0')}${i % 5 === 0 ? ` ${nasty}` : ''}`,
        Email: i % 4 === 1 ? null : `interop.${i}@example.com`,
        AccountId: i % 6 === 5 ? null : (accountIds[i % accountIds.length] as string),
      };
      contactIds.push(org.store.insert(contact, row, ctx));
    }
    return { accountIds, contactIds };
  });
}

/** Rows of a SQL query over the org's store. */
export function storeRows(emu: Emulator, sql: string, params: SqlValue[] = [], alias = 'prod'): Record<string, SqlValue>[] {
  return orgOf(emu, alias)
    .store.db.prepare(sql)
    .all(...params) as Record<string, SqlValue>[];
}

/** The store's live contacts with their parent account's name: what the interop queries select. */
export interface ContactTruth {
  Id: string;
  FirstName: string | null;
  LastName: string;
  Email: string | null;
  AccountId: string | null;
  AccountName: string | null;
  CreatedDate: string;
  IsDeleted: number;
}

export function contactsInStore(emu: Emulator, opts: { includeDeleted?: boolean } = {}): ContactTruth[] {
  return storeRows(
    emu,
    `SELECT c."Id", c."FirstName", c."LastName", c."Email", c."AccountId", a."Name" AS "AccountName", c."CreatedDate", c."IsDeleted"
       FROM "Contact" c LEFT JOIN "Account" a ON a."Id" = c."AccountId"
      ${opts.includeDeleted ? '' : 'WHERE c."IsDeleted" = 0'}`,
  ) as unknown as ContactTruth[];
}

/** Stored datetimes are ISO-8601 UTC with milliseconds; REST JSON writes `+0000` for `Z`. */
export function restDateTime(stored: string): string {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(stored)) throw new Error(`unexpected stored datetime ${stored}`);
  return stored.replace(/Z$/, '+0000');
}

/** Bulk CSV: null and '' are both the empty cell. */
export function cell(v: SqlValue): string {
  return v === null || v === undefined ? '' : String(v);
}

/** Request-log entries for one path pattern. */
export function calls(log: RequestLogEntry[], method: string, pattern: RegExp): RequestLogEntry[] {
  return log.filter((e) => e.method === method && pattern.test(e.path));
}

export { control, creds };
