// Fills a new org with realistic, deterministic data. Every structural decision about record i of
// an object (its parent, creation time, whether and when it was deleted) is a pure function of
// (seed, object, i), so children can point at parents, and deletions can cascade or clear lookups,
// without holding any earlier row in memory. Field values come from one seeded stream per object.
// Memory stays flat in the number of records: rows are built and inserted one at a time.
import { createHash } from 'node:crypto';
import type { StatementSync } from 'node:sqlite';
import { isoDateTime } from '../clock.ts';
import { makeId, orgScopedId } from '../ids.ts';
import type { Org, User } from '../model.ts';
import { OPPORTUNITY_STAGES } from '../schema/objects/system.ts';
import { type FieldDef, getField, getObject, type ObjectDef, type Schema } from '../schema/types.ts';
import type { EmulatorState } from '../state.ts';
import { type OrgStore, q, type Row } from './db.ts';
import {
  asciiSlug,
  at,
  CITIES,
  COMPANY_STEMS,
  COMPANY_SUFFIXES,
  DOMAINS,
  description,
  FIRST_NAMES,
  fileBody,
  LAST_NAMES,
  longText,
  multiSelect,
  NASTY_NAMES,
  NASTY_TEXTS,
  PHONES,
  pad,
  Rng,
  round,
  STREETS,
  TASK_SUBJECTS,
  unit,
  WEBSITES,
} from './samples.ts';
import type { SqlValue } from './values.ts';

export interface GenerateOptions {
  records: number;
  seed: number;
  adminUser: User;
  /** A sandbox copied from this production org: usernames are the production's with the sandbox suffix. */
  copyOf?: string;
}

const SECOND = 1000;
const DAY = 86_400_000;
/** Rows per transaction: big enough to be fast, small enough to keep the journal small. */
const BATCH = 8192;
/** Share of deletable rows that sit in the Recycle Bin. */
const DELETED_SHARE = 0.02;
/** The Recycle Bin keeps rows 15 days: every generated deletion is more recent than that. */
const RECYCLE_WINDOW = 14 * DAY;

/** Objects the generated records are spread over, with their hash tag and relative weight. */
const DATA_OBJECTS = [
  { name: 'Account', tag: 1, weight: 10 },
  { name: 'Contact', tag: 2, weight: 20 },
  { name: 'Opportunity', tag: 3, weight: 11 },
  { name: 'Case', tag: 4, weight: 8 },
  { name: 'Lead', tag: 5, weight: 7 },
  { name: 'Task', tag: 6, weight: 28 },
  { name: 'Project__c', tag: 7, weight: 4 },
  { name: 'Project_Member__c', tag: 8, weight: 9 },
  { name: 'AccountHistory', tag: 9, weight: 3 },
  { name: 'Attachment', tag: 10, weight: 0 },
  { name: 'ContentVersion', tag: 11, weight: 0 },
  { name: 'ContentDocument', tag: 12, weight: 0 },
] as const;

type DataObject = (typeof DATA_OBJECTS)[number]['name'];
export type RecordPlan = Record<DataObject, number>;

const TAG: Record<DataObject, number> = Object.fromEntries(DATA_OBJECTS.map((o) => [o.name, o.tag])) as Record<DataObject, number>;
const FILE_PARENTS: DataObject[] = ['Account', 'Contact', 'Opportunity', 'Case', 'Project__c'];
const DELETABLE = new Set<DataObject>(['Account', 'Contact', 'Opportunity', 'Case', 'Lead', 'Task', 'Project__c', 'Project_Member__c', 'Attachment']);
/** Binary rows stay few and small: "a few files", whatever the org size. */
const MAX_FILES = 30;

/**
 * How `records` generated rows are split over the data objects; the counts add up to exactly
 * `records`. Users, queues, profiles, record types, stages and the Organization row come on top.
 */
export function planRecords(records: number): RecordPlan {
  const plan = Object.fromEntries(DATA_OBJECTS.map((o) => [o.name, 0])) as RecordPlan;
  // Even a small org has a couple of files to back up.
  const files = records >= 50 ? Math.min(MAX_FILES, 2 + Math.floor(records / 500)) : 0;
  plan.ContentVersion = files;
  plan.ContentDocument = files;
  plan.Attachment = records >= 50 ? Math.min(MAX_FILES, 2 + Math.floor(records / 300)) : 0;
  const rest = records - 2 * files - plan.Attachment;
  const weighted = DATA_OBJECTS.filter((o) => o.weight > 0);
  const total = weighted.reduce((s, o) => s + o.weight, 0);
  // Largest remainder, so the counts always add up.
  const shares = weighted.map((o) => ({ name: o.name, exact: (rest * o.weight) / total }));
  let left = rest;
  for (const s of shares) {
    plan[s.name] = Math.floor(s.exact);
    left -= plan[s.name];
  }
  shares.sort((a, b) => b.exact - Math.floor(b.exact) - (a.exact - Math.floor(a.exact)) || TAG[a.name] - TAG[b.name]);
  for (let k = 0; k < left; k++) plan[at(shares, k % shares.length).name] += 1;
  // Children that need a parent move to Task when their parent object got no rows.
  const move = (from: DataObject) => {
    plan.Task += plan[from];
    plan[from] = 0;
  };
  if (plan.Project__c === 0) move('Project_Member__c');
  if (plan.Account === 0) move('AccountHistory');
  if (FILE_PARENTS.every((p) => plan[p] === 0)) move('Attachment');
  return plan;
}

/** Generated users besides the admin: a handful for a small org, a few dozen for a big one. */
export function userCount(records: number): number {
  return Math.min(50, 5 + Math.floor(records / 20000));
}

interface Ref {
  obj: DataObject;
  i: number;
}

/** Timing of the row being built: links to deleted parents may bump its SystemModstamp. */
interface RowTime {
  created: number;
  deletedAt: number;
  modstamp: number;
}

class Writer {
  private pending = 0;
  private readonly store: OrgStore;
  private readonly deletedStmt: StatementSync;
  private readonly statements = new Map<string, { cols: string[]; stmt: StatementSync }>();

  constructor(store: OrgStore) {
    this.store = store;
    this.deletedStmt = store.prepare('INSERT OR REPLACE INTO _deleted (object, Id, deletedDate, purged) VALUES (?, ?, ?, 0)');
    store.db.exec('BEGIN');
  }

  insert(obj: ObjectDef, row: Row): void {
    // Same statement as OrgStore.insertRaw builds, prepared once per object: every row of an
    // object has the same columns in the same order, and rebuilding the SQL per row costs more
    // than the insert itself at a million rows.
    let cached = this.statements.get(obj.name);
    if (!cached) {
      const cols = Object.keys(row);
      const sql = `INSERT INTO ${q(obj.name)} (${cols.map(q).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`;
      cached = { cols, stmt: this.store.prepare(sql) };
      this.statements.set(obj.name, cached);
    }
    const { cols, stmt } = cached;
    if (Object.keys(row).length !== cols.length) throw new Error(`generator: ${obj.name} rows differ in shape`);
    const values: SqlValue[] = new Array(cols.length);
    for (let k = 0; k < cols.length; k++) {
      const v = row[cols[k] as string];
      if (v === undefined) throw new Error(`generator: ${obj.name} row lacks ${cols[k]}`);
      values[k] = v;
    }
    stmt.run(...values);
    if (Number(row.IsDeleted) === 1) this.deletedStmt.run(obj.name, row.Id as string, row.SystemModstamp as string);
    if (++this.pending >= BATCH) {
      this.store.db.exec('COMMIT');
      this.store.db.exec('BEGIN');
      this.pending = 0;
    }
  }

  commit(): void {
    this.store.db.exec('COMMIT');
  }

  rollback(): void {
    if (this.store.db.isTransaction) this.store.db.exec('ROLLBACK');
  }
}

class Generator {
  private readonly store: OrgStore;
  private readonly schema: Schema;
  private readonly org: Org;
  private readonly seed: number;
  private readonly plan: RecordPlan;
  private readonly end: number;
  private readonly t0: number;
  private readonly users: string[];
  private readonly queues: string[] = [];
  private readonly profiles: string[] = [];
  private readonly admin: User;
  private readonly writer: Writer;
  private readonly copyOf: string | undefined;

  constructor(org: Org, state: EmulatorState, opts: GenerateOptions, writer: Writer) {
    this.org = org;
    this.store = org.store;
    this.schema = state.schema;
    this.seed = opts.seed;
    this.admin = opts.adminUser;
    this.plan = planRecords(opts.records);
    const now = state.clock.now();
    // Everything generated lies strictly before the first write a client can make.
    this.end = now - 60 * SECOND;
    this.t0 = now - 90 * DAY;
    this.writer = writer;
    this.copyOf = opts.copyOf;
    this.users = [opts.adminUser.id];
    for (let k = 1; k <= userCount(opts.records); k++) this.users.push(makeId('005', org.pod, k + 1));
  }

  private obj(name: string): ObjectDef {
    const o = getObject(this.schema, name);
    if (!o) throw new Error(`schema has no ${name}`);
    return o;
  }

  private id(obj: DataObject, i: number): string {
    return makeId(this.obj(obj).keyPrefix as string, this.org.pod, i + 1);
  }

  private u(obj: DataObject, i: number, salt: number): number {
    return unit(this.seed, TAG[obj], i, salt);
  }

  /** A record index of `obj` chosen by a hash, or null when the object has no rows. */
  private anyOf(obj: DataObject, x: number): number | null {
    const n = this.plan[obj];
    return n > 0 ? Math.floor(x * n) : null;
  }

  // ---- structure: pure functions of (seed, object, index) ----

  private contactAccount(i: number): number | null {
    const a = this.plan.Account;
    const c = this.plan.Contact;
    if (a === 0 || this.u('Contact', i, 10) < 0.05) return null;
    // Contacts are laid out account by account: about two per account.
    return Math.floor((i * a) / c);
  }

  private firstContactOf(account: number): number | null {
    const i0 = Math.ceil((account * this.plan.Contact) / this.plan.Account);
    return i0 < this.plan.Contact && this.contactAccount(i0) === account ? i0 : null;
  }

  private opportunityAccount(i: number): number | null {
    return this.u('Opportunity', i, 10) < 0.03 ? null : this.anyOf('Account', this.u('Opportunity', i, 11));
  }

  private caseContact(i: number): number | null {
    return this.u('Case', i, 10) < 0.1 ? null : this.anyOf('Contact', this.u('Case', i, 11));
  }

  private projectAccount(i: number): number | null {
    return this.u('Project__c', i, 10) < 0.1 ? null : this.anyOf('Account', this.u('Project__c', i, 11));
  }

  private memberProject(i: number): number {
    return Math.floor((i * this.plan.Project__c) / this.plan.Project_Member__c);
  }

  private historyAccount(i: number): number {
    return Math.floor((i * this.plan.Account) / this.plan.AccountHistory);
  }

  private taskWhat(i: number): Ref | null {
    const r = this.u('Task', i, 10);
    const obj: DataObject | null = r < 0.35 ? 'Account' : r < 0.6 ? 'Opportunity' : r < 0.8 ? 'Case' : r < 0.9 ? 'Project__c' : null;
    if (!obj) return null;
    const j = this.anyOf(obj, this.u('Task', i, 11));
    return j === null ? null : { obj, i: j };
  }

  private filePlace(obj: DataObject, i: number): Ref | null {
    const parents = FILE_PARENTS.filter((p) => this.plan[p] > 0);
    if (!parents.length) return null;
    const p = at(parents, Math.floor(this.u(obj, i, 10) * parents.length));
    return { obj: p, i: Math.floor(this.u(obj, i, 11) * this.plan[p]) };
  }

  /** The parent a record is created under (it cannot be older than it). */
  private primaryParent(obj: DataObject, i: number): Ref | null {
    switch (obj) {
      case 'Contact': {
        const a = this.contactAccount(i);
        return a === null ? null : { obj: 'Account', i: a };
      }
      case 'Opportunity': {
        const a = this.opportunityAccount(i);
        return a === null ? null : { obj: 'Account', i: a };
      }
      case 'Case': {
        const c = this.caseContact(i);
        return c === null ? null : { obj: 'Contact', i: c };
      }
      case 'Project__c': {
        const a = this.projectAccount(i);
        return a === null ? null : { obj: 'Account', i: a };
      }
      case 'Project_Member__c':
        return { obj: 'Project__c', i: this.memberProject(i) };
      case 'AccountHistory':
        return { obj: 'Account', i: this.historyAccount(i) };
      case 'Task':
        return this.taskWhat(i);
      case 'Attachment':
      case 'ContentVersion':
      case 'ContentDocument':
        return this.filePlace('ContentVersion' === obj || 'ContentDocument' === obj ? 'ContentVersion' : obj, i);
      default:
        return null;
    }
  }

  /** Master-detail style parents: the child goes to the Recycle Bin with them. */
  private master(obj: DataObject, i: number): Ref | null {
    if (obj === 'Project_Member__c' || obj === 'AccountHistory' || obj === 'Attachment') return this.primaryParent(obj, i);
    return null;
  }

  /** Creation times grow with the index (ids sort in creation order) and follow the parent's. */
  private created(obj: DataObject, i: number): number {
    const n = Math.max(1, this.plan[obj]);
    const span = this.end - this.t0 - 2 * DAY;
    let t = Math.floor(this.t0 + DAY + ((i + 0.999 * this.u(obj, i, 1)) / n) * span);
    const parent = this.primaryParent(obj, i);
    if (parent) {
      const pc = this.created(parent.obj, parent.i);
      t = Math.max(t, pc + SECOND + Math.floor(this.u(obj, i, 12) * 3600 * SECOND));
      const pd = this.master(obj, i) ? this.deletedAt(parent.obj, parent.i) : 0;
      if (pd) t = Math.min(t, pd - SECOND / 2);
    }
    return Math.min(t, this.end - SECOND);
  }

  private ownDeletedAt(obj: DataObject, i: number): number {
    if (!DELETABLE.has(obj) || this.u(obj, i, 2) >= DELETED_SHARE) return 0;
    const lo = Math.max(this.created(obj, i) + SECOND, this.end - RECYCLE_WINDOW);
    return Math.floor(lo + this.u(obj, i, 3) * (this.end - lo));
  }

  /** When the record went to the Recycle Bin (0: it did not), cascading from its master. */
  private deletedAt(obj: DataObject, i: number): number {
    const own = this.ownDeletedAt(obj, i);
    const m = this.master(obj, i);
    if (!m) return own;
    const md = this.deletedAt(m.obj, m.i);
    return md && (!own || own > md) ? md : own;
  }

  /**
   * A lookup value. When the target was deleted, Salesforce cleared the lookup (and bumped the
   * row's SystemModstamp) unless the row itself had been deleted first.
   */
  private link(time: RowTime, obj: DataObject, j: number | null): string | null {
    if (j === null) return null;
    const pd = this.deletedAt(obj, j);
    if (!pd) return this.id(obj, j);
    if (time.deletedAt && time.deletedAt < pd) return this.id(obj, j);
    if (!time.deletedAt && time.created < pd) time.modstamp = Math.max(time.modstamp, pd + 1);
    return null;
  }

  private linkRef(time: RowTime, ref: Ref | null): string | null {
    return ref ? this.link(time, ref.obj, ref.i) : null;
  }

  private user(x: number): string {
    return at(this.users, Math.floor(x * this.users.length));
  }

  private owner(obj: DataObject, i: number, queueShare = 0): string {
    if (this.queues.length && this.u(obj, i, 13) < queueShare) return at(this.queues, Math.floor(this.u(obj, i, 14) * this.queues.length));
    return this.user(this.u(obj, i, 15));
  }

  /** Id, IsDeleted and the audit fields; `time.modstamp` may still move forward after this. */
  private audit(obj: DataObject, i: number): { time: RowTime; row: Row } {
    const created = this.created(obj, i);
    const deletedAt = this.deletedAt(obj, i);
    const untouched = this.u(obj, i, 4) < 0.35;
    let lmd = untouched ? created : created + Math.floor((this.end - created) * this.u(obj, i, 5) ** 2);
    let sms = lmd;
    if (this.u(obj, i, 6) < 0.1) sms += Math.floor(this.u(obj, i, 7) * Math.min(DAY, this.end - lmd));
    const createdBy = this.user(this.u(obj, i, 8));
    let lastModifiedBy = untouched ? createdBy : this.user(this.u(obj, i, 9));
    if (deletedAt) {
      lmd = deletedAt;
      sms = deletedAt;
      lastModifiedBy = this.user(this.u(obj, i, 16));
    }
    return {
      time: { created, deletedAt, modstamp: sms },
      row: {
        Id: this.id(obj, i),
        IsDeleted: deletedAt ? 1 : 0,
        CreatedDate: isoDateTime(created),
        CreatedById: createdBy,
        LastModifiedDate: isoDateTime(lmd),
        LastModifiedById: lastModifiedBy,
        SystemModstamp: '',
      },
    };
  }

  private finish(obj: DataObject, row: Row, time: RowTime): void {
    row.SystemModstamp = isoDateTime(time.modstamp);
    this.writer.insert(this.obj(obj), row);
  }

  // ---- values ----

  /** The i-th row takes the i-th value while there are values left, so every value occurs. */
  private cycle(rng: Rng, values: readonly string[], i: number, nullShare = 0): string | null {
    if (i < values.length) return at(values, i);
    return rng.chance(nullShare) ? null : rng.pick(values);
  }

  private values(obj: string, field: string): string[] {
    const f = getField(this.obj(obj), field) as FieldDef;
    return f.picklistValues.map((p) => p.value);
  }

  private date(ms: number): string {
    return isoDateTime(ms).slice(0, 10);
  }

  private between(rng: Rng, lo: number, hi: number): number {
    return lo + Math.floor(rng.next() * Math.max(0, hi - lo));
  }

  private person(rng: Rng): { first: string | null; last: string } {
    return { first: rng.chance(0.08) ? null : rng.pick(FIRST_NAMES), last: rng.pick(LAST_NAMES) };
  }

  private email(rng: Rng, first: string | null, last: string, i: number): string {
    const local = `${asciiSlug(first ?? '') || 'contact'}.${asciiSlug(last) || 'x'}${i}`;
    const r = rng.next();
    const decorated = r < 0.05 ? `${local}+crm` : r < 0.08 ? local.toUpperCase() : r < 0.1 ? `o'${local}` : local;
    return `${decorated}@${rng.pick(DOMAINS)}`;
  }

  private company(rng: Rng, i: number, every: number): string {
    if (i % every === 3) return at(NASTY_NAMES, Math.floor(i / every) % NASTY_NAMES.length);
    return `${rng.pick(COMPANY_STEMS)} ${rng.pick(COMPANY_SUFFIXES)}`;
  }

  private address(rng: Rng, prefix: string, i: number, nullShare: number): Row {
    const f = (k: string) => `${prefix}${k}`;
    if (rng.chance(nullShare)) {
      return {
        [f('Street')]: null,
        [f('City')]: null,
        [f('State')]: null,
        [f('PostalCode')]: null,
        [f('Country')]: null,
        [f('Latitude')]: null,
        [f('Longitude')]: null,
        [f('GeocodeAccuracy')]: null,
      };
    }
    const c = rng.pick(CITIES);
    const geocoded = rng.chance(0.7);
    const accuracy = this.values('Account', 'BillingGeocodeAccuracy');
    return {
      [f('Street')]: rng.pick(STREETS),
      [f('City')]: c.city,
      [f('State')]: c.state,
      [f('PostalCode')]: c.postal,
      [f('Country')]: c.country,
      [f('Latitude')]: geocoded ? round(c.lat + (rng.next() - 0.5) / 50, 6) : null,
      [f('Longitude')]: geocoded ? round(c.lng + (rng.next() - 0.5) / 50, 6) : null,
      [f('GeocodeAccuracy')]: geocoded ? this.cycle(rng, accuracy, i) : null,
    };
  }

  private money(rng: Rng, max: number, nullShare: number): number | null {
    if (rng.chance(nullShare)) return null;
    const r = rng.next();
    if (r < 0.02) return 0.01;
    if (r < 0.03) return 0;
    return round(rng.next() ** 2 * max, 2);
  }

  // ---- reference data ----

  private referenceAudit(id: string, daysBefore: number): Row {
    const t = isoDateTime(this.t0 - daysBefore * DAY);
    return { Id: id, IsDeleted: 0, CreatedDate: t, CreatedById: this.admin.id, LastModifiedDate: t, LastModifiedById: this.admin.id, SystemModstamp: t };
  }

  private insertRef(obj: string, row: Row): void {
    this.writer.insert(this.obj(obj), row);
  }

  referenceData(): void {
    const org = this.org;
    const alias = org.alias;
    this.insertRef('Organization', {
      ...this.referenceAudit(org.id, 400),
      Name: org.name,
      Division: null,
      Street: '1 Market Street\nSuite 300',
      City: 'San Francisco',
      State: 'CA',
      PostalCode: '94105',
      Country: 'United States',
      Latitude: null,
      Longitude: null,
      GeocodeAccuracy: null,
      Phone: '(415) 555-0100',
      PrimaryContact: `${this.admin.firstName} ${this.admin.lastName}`,
      DefaultLocaleSidKey: 'en_US',
      LanguageLocaleKey: 'en_US',
      TimeZoneSidKey: 'America/Los_Angeles',
      InstanceName: org.instanceName,
      IsSandbox: org.isSandbox ? 1 : 0,
      TrialExpirationDate: null,
      NamespacePrefix: org.namespacePrefix,
      OrganizationType: org.orgType,
      FiscalYearStartMonth: 1,
      IsReadOnly: 0,
    });

    const profiles: [string, string, boolean, boolean][] = [
      ['System Administrator', 'Standard', true, true],
      ['Standard User', 'Standard', true, false],
      ['Read Only', 'Standard', true, false],
      ['Marketing User', 'Standard', true, false],
      ['Contract Manager', 'Standard', true, false],
      ['Minimum Access - Salesforce', 'Standard', false, false],
      ['Chatter Free User', 'CsnOnly', false, false],
    ];
    profiles.forEach(([name, type, api, modifyAll], k) => {
      const id = makeId('00e', org.pod, k + 1);
      this.profiles.push(id);
      this.insertRef('Profile', {
        ...this.referenceAudit(id, 399),
        Name: name,
        UserType: type,
        Description: k === 0 ? 'Full access, including "Modify All Data".' : null,
        PermissionsApiEnabled: api ? 1 : 0,
        PermissionsModifyAllData: modifyAll ? 1 : 0,
        PermissionsViewAllData: modifyAll ? 1 : 0,
        PermissionsBulkApiHardDelete: modifyAll ? 1 : 0,
      });
    });

    const sandboxSuffix = org.isSandbox ? `.${alias}` : '';
    const a = this.admin;
    this.insertRef('User', {
      ...this.referenceAudit(a.id, 398),
      Username: a.username,
      LastName: a.lastName,
      FirstName: a.firstName,
      Name: `${a.firstName} ${a.lastName}`,
      Alias: asciiSlug(`${a.firstName.slice(0, 1)}${a.lastName}`).slice(0, 8) || 'admin',
      CommunityNickname: asciiSlug(a.username.split('@')[0] ?? 'admin') || 'admin',
      Email: a.email,
      Title: 'Salesforce Administrator',
      Department: 'IT',
      Phone: null,
      IsActive: a.active ? 1 : 0,
      ProfileId: at(this.profiles, 0),
      ManagerId: null,
      UserType: 'Standard',
      TimeZoneSidKey: a.timezone,
      LocaleSidKey: a.locale,
      LanguageLocaleKey: 'en_US',
      EmailEncodingKey: 'UTF-8',
      FederationIdentifier: null,
      LastLoginDate: isoDateTime(this.end - DAY),
    });
    const rng = new Rng(this.seed, 100);
    for (let k = 1; k < this.users.length; k++) {
      const first = rng.pick(FIRST_NAMES);
      const last = rng.pick(LAST_NAMES);
      const slug = `${asciiSlug(first) || 'user'}.${asciiSlug(last) || 'x'}${k}`;
      const active = k !== 3 && k % 7 !== 6;
      this.insertRef('User', {
        ...this.referenceAudit(at(this.users, k), 300 - k),
        Username: `${slug}@${this.copyOf ?? alias}.example.com${sandboxSuffix}`,
        LastName: last,
        FirstName: first,
        Name: `${first} ${last}`,
        Alias: slug.slice(0, 8),
        CommunityNickname: slug.slice(0, 40),
        Email: `${slug}@example.com`,
        Title: rng.pick(['Account Executive', 'Support Engineer', 'Sales Manager', 'Directeur Commercial', '営業部長', null]),
        Department: rng.pick(['Sales', 'Support', 'Marketing', null]),
        Phone: rng.chance(0.5) ? rng.pick(PHONES) : null,
        IsActive: active ? 1 : 0,
        ProfileId: at(this.profiles, k % 5 === 0 ? 3 : k % 11 === 0 ? 2 : 1),
        ManagerId: k === 1 ? a.id : at(this.users, 1),
        UserType: 'Standard',
        TimeZoneSidKey: this.cycle(rng, this.values('User', 'TimeZoneSidKey'), k - 1),
        LocaleSidKey: this.cycle(rng, this.values('User', 'LocaleSidKey'), k - 1),
        LanguageLocaleKey: this.cycle(rng, this.values('User', 'LanguageLocaleKey'), k - 1),
        EmailEncodingKey: this.cycle(rng, this.values('User', 'EmailEncodingKey'), k - 1),
        FederationIdentifier: rng.chance(0.3) ? `fed-${slug}` : null,
        LastLoginDate: active ? isoDateTime(this.end - Math.floor(rng.next() * 20 * DAY)) : null,
      });
    }

    const groups: [string, string, string][] = [
      ['Support Queue', 'Support_Queue', 'Queue'],
      ['Sales Leads', 'Sales_Leads', 'Queue'],
      ['Tier 2 — Escalations', 'Tier_2_Escalations', 'Queue'],
      ['All Internal Users', 'AllInternalUsers', 'Organization'],
      ['Marketing Team', 'Marketing_Team', 'Regular'],
    ];
    groups.forEach(([name, dev, type], k) => {
      const id = makeId('00G', org.pod, k + 1);
      if (type === 'Queue') this.queues.push(id);
      this.insertRef('Group', {
        ...this.referenceAudit(id, 390),
        Name: name,
        DeveloperName: dev,
        Type: type,
        Email: type === 'Queue' ? `${dev.toLowerCase()}@${alias}.example.com` : null,
        DoesSendEmailToMembers: type === 'Queue' ? 1 : 0,
        DoesIncludeBosses: type === 'Regular' ? 1 : 0,
        OwnerId: org.id,
      });
    });

    for (const o of this.schema.objects) {
      for (const rt of o.recordTypes) {
        this.insertRef('RecordType', {
          ...this.referenceAudit(orgScopedId(rt.id, org.pod), 380),
          Name: rt.name,
          DeveloperName: rt.developerName,
          NamespacePrefix: null,
          Description: rt.description,
          SobjectType: o.name,
          IsActive: 1,
        });
      }
    }

    const forecastType: Record<string, string> = { Pipeline: 'Pipeline', 'Best Case': 'BestCase', Commit: 'Forecast', Closed: 'Closed', Omitted: 'Omitted' };
    OPPORTUNITY_STAGES.forEach((s, k) => {
      this.insertRef('OpportunityStage', {
        ...this.referenceAudit(makeId('01J', org.pod, k + 1), 380),
        MasterLabel: s.name,
        ApiName: s.name,
        IsActive: 1,
        SortOrder: k + 1,
        IsClosed: s.closed ? 1 : 0,
        IsWon: s.won ? 1 : 0,
        ForecastCategory: forecastType[s.forecast] ?? 'Pipeline',
        ForecastCategoryName: s.forecast,
        DefaultProbability: s.probability,
        Description: null,
      });
    });
  }

  // ---- data objects ----

  accounts(): void {
    const rng = new Rng(this.seed, TAG.Account);
    const rts = this.obj('Account').recordTypes.map((r) => orgScopedId(r.id, this.org.pod));
    const types = this.values('Account', 'Type');
    const industries = this.values('Account', 'Industry');
    const ratings = this.values('Account', 'Rating');
    const ownership = this.values('Account', 'Ownership');
    const sources = this.values('Account', 'AccountSource');
    const sla = this.values('Account', 'SLA__c');
    for (let i = 0; i < this.plan.Account; i++) {
      const { time, row } = this.audit('Account', i);
      const parent = i > 0 && this.u('Account', i, 20) < 0.12 ? Math.floor(this.u('Account', i, 21) * i) : null;
      const billing = this.address(rng, 'Billing', i, 0.2);
      const sameShipping = rng.chance(0.5);
      const shipping = this.address(rng, 'Shipping', i, 0.25);
      if (sameShipping) for (const k of Object.keys(shipping)) shipping[k] = billing[k.replace(/^Shipping/, 'Billing')] ?? null;
      Object.assign(row, {
        OwnerId: this.owner('Account', i),
        Name: this.company(rng, i, 7),
        ParentId: this.link(time, 'Account', parent),
        RecordTypeId: rng.pick(rts),
        AccountNumber: rng.chance(0.7) ? `AC${pad(i + 1, 6)}` : null,
        Site: rng.chance(0.2) ? rng.pick(['  Headquarters  ', 'Branch, East', 'Zweigstelle Köln', '本社']) : null,
        Type: this.cycle(rng, types, i, 0.1),
        Industry: this.cycle(rng, industries, i, 0.15),
        Rating: this.cycle(rng, ratings, i, 0.3),
        Ownership: this.cycle(rng, ownership, i, 0.5),
        AccountSource: this.cycle(rng, sources, i, 0.3),
        AnnualRevenue: rng.chance(0.2) ? null : Math.round(rng.next() ** 3 * 5e10),
        NumberOfEmployees: rng.chance(0.2) ? null : rng.between(1, 250000),
        Phone: rng.chance(0.8) ? rng.pick(PHONES) : null,
        Fax: rng.chance(0.2) ? rng.pick(PHONES) : null,
        Website: rng.chance(0.6) ? rng.pick(WEBSITES) : null,
        TickerSymbol: rng.chance(0.1) ? rng.pick(['ACME', 'GLBX', 'INTC', 'UMBR', 'HOOL']) : null,
        Sic: rng.chance(0.1) ? String(rng.between(1000, 9999)) : null,
        Description: description(rng, 32000),
        ...billing,
        ...shipping,
        LastActivityDate: rng.chance(0.5) ? this.date(this.between(rng, time.created, this.end)) : null,
        Ext_Id__c: rng.chance(0.05) ? null : `ACC-${pad(i + 1, 7)}`,
        Active__c: rng.chance(0.7) ? 1 : 0,
        SLA__c: this.cycle(rng, sla, i, 0.4),
        SLAExpirationDate__c: rng.chance(0.4) ? this.date(this.between(rng, this.end - 200 * DAY, this.end + 400 * DAY)) : null,
        NumberofLocations__c: rng.chance(0.5) ? rng.between(0, 999) : null,
      });
      this.finish('Account', row, time);
    }
  }

  accountHistory(): void {
    const rng = new Rng(this.seed, TAG.AccountHistory);
    const fields = this.values('AccountHistory', 'Field');
    const industries = this.values('Account', 'Industry');
    const ratings = this.values('Account', 'Rating');
    for (let i = 0; i < this.plan.AccountHistory; i++) {
      const { time, row } = this.audit('AccountHistory', i);
      // History rows are written once: never modified after creation.
      if (!time.deletedAt) {
        row.LastModifiedDate = row.CreatedDate ?? null;
        row.LastModifiedById = row.CreatedById ?? null;
        time.modstamp = time.created;
      }
      const field = this.cycle(rng, fields, i) as string;
      let dataType = 'Text';
      let oldValue: string | null = null;
      let newValue: string | null = null;
      if (field === 'Industry' || field === 'Rating' || field === 'Type') {
        const pool = field === 'Industry' ? industries : field === 'Rating' ? ratings : this.values('Account', 'Type');
        dataType = 'Picklist';
        oldValue = rng.chance(0.3) ? null : rng.pick(pool);
        newValue = rng.pick(pool);
      } else if (field === 'AnnualRevenue') {
        dataType = 'Currency';
        oldValue = String(rng.between(0, 1e9));
        newValue = String(rng.between(0, 1e9));
      } else if (field === 'Owner') {
        dataType = 'EntityId';
        oldValue = this.user(rng.next());
        newValue = this.user(rng.next());
      } else if (field === 'Phone') {
        dataType = 'Phone';
        oldValue = rng.pick(PHONES);
        newValue = rng.pick(PHONES);
      } else if (field === 'Name') {
        oldValue = this.company(rng, i, 5);
        newValue = this.company(rng, i + 1, 5);
      }
      Object.assign(row, {
        AccountId: this.id('Account', this.historyAccount(i)),
        Field: field,
        DataType: dataType,
        OldValue: oldValue,
        NewValue: newValue,
      });
      this.finish('AccountHistory', row, time);
    }
  }

  contacts(): void {
    const rng = new Rng(this.seed, TAG.Contact);
    const salutations = this.values('Contact', 'Salutation');
    const sources = this.values('Contact', 'LeadSource');
    const languages = this.values('Contact', 'Languages__c');
    for (let i = 0; i < this.plan.Contact; i++) {
      const { time, row } = this.audit('Contact', i);
      const acct = this.contactAccount(i);
      const boss = acct === null || this.u('Contact', i, 20) >= 0.6 ? null : this.firstContactOf(acct);
      const p = this.person(rng);
      const last = i % 11 === 5 ? at(NASTY_NAMES, Math.floor(i / 11) % NASTY_NAMES.length) : p.last;
      const legacy = rng.chance(0.25) ? null : `L-${i > 0 && rng.chance(0.02) ? i - 1 : i}`;
      const birth =
        i % 97 === 7 ? '2000-02-29' : i % 97 === 8 ? '1969-12-31' : rng.chance(0.6) ? this.date(Date.UTC(1930, 0, 1) + rng.next() * 75 * 365 * DAY) : null;
      Object.assign(row, {
        OwnerId: this.owner('Contact', i),
        AccountId: this.link(time, 'Account', acct),
        Salutation: this.cycle(rng, salutations, i, 0.5),
        FirstName: p.first,
        LastName: last,
        Name: p.first ? `${p.first} ${last}` : last,
        ReportsToId: boss !== null && boss < i ? this.link(time, 'Contact', boss) : null,
        Title: rng.chance(0.6) ? rng.pick(['CEO', 'VP, Sales', 'Director of "Special" Projects', 'Ingénieure', 'エンジニア', 'Διευθυντής']) : null,
        Department: rng.chance(0.4) ? rng.pick(['Finance', 'R&D', 'Procurement', 'IT']) : null,
        Email: rng.chance(0.1) ? null : this.email(rng, p.first, p.last, i),
        Phone: rng.chance(0.7) ? rng.pick(PHONES) : null,
        MobilePhone: rng.chance(0.4) ? rng.pick(PHONES) : null,
        Birthdate: birth,
        LeadSource: this.cycle(rng, sources, i, 0.3),
        HasOptedOutOfEmail: rng.chance(0.15) ? 1 : 0,
        DoNotCall: rng.chance(0.1) ? 1 : 0,
        Description: description(rng, 32000),
        ...this.address(rng, 'Mailing', i, 0.3),
        Legacy_Id__c: legacy,
        Languages__c: this.cycle(rng, languages, i, 0.6),
      });
      this.finish('Contact', row, time);
    }
  }

  leads(): void {
    const rng = new Rng(this.seed, TAG.Lead);
    const salutations = this.values('Lead', 'Salutation');
    const statuses = this.values('Lead', 'Status');
    const sources = this.values('Lead', 'LeadSource');
    const industries = this.values('Lead', 'Industry');
    const ratings = this.values('Lead', 'Rating');
    for (let i = 0; i < this.plan.Lead; i++) {
      const { time, row } = this.audit('Lead', i);
      const p = this.person(rng);
      const status = this.cycle(rng, statuses, i) as string;
      const converted = status === 'Closed - Converted';
      const contact = converted ? this.anyOf('Contact', this.u('Lead', i, 20)) : null;
      const acct = contact !== null ? this.contactAccount(contact) : null;
      const opp = converted ? this.anyOf('Opportunity', this.u('Lead', i, 21)) : null;
      Object.assign(row, {
        OwnerId: this.owner('Lead', i, converted ? 0 : 0.2),
        Salutation: this.cycle(rng, salutations, i, 0.5),
        FirstName: p.first,
        LastName: p.last,
        Name: p.first ? `${p.first} ${p.last}` : p.last,
        Company: this.company(rng, i, 5),
        Title: rng.chance(0.5) ? rng.pick(['Buyer', 'CTO', 'Head of Ops', 'Responsable Achats']) : null,
        Email: rng.chance(0.15) ? null : this.email(rng, p.first, p.last, i),
        Phone: rng.chance(0.6) ? rng.pick(PHONES) : null,
        Website: rng.chance(0.3) ? rng.pick(WEBSITES) : null,
        Status: status,
        LeadSource: this.cycle(rng, sources, i, 0.2),
        Industry: this.cycle(rng, industries, i, 0.4),
        Rating: this.cycle(rng, ratings, i, 0.4),
        AnnualRevenue: rng.chance(0.5) ? null : Math.round(rng.next() * 1e8),
        NumberOfEmployees: rng.chance(0.5) ? null : rng.between(1, 5000),
        HasOptedOutOfEmail: rng.chance(0.1) ? 1 : 0,
        Description: description(rng, 32000),
        ...this.address(rng, '', i, 0.4),
        IsConverted: converted ? 1 : 0,
        ConvertedDate: converted ? this.date(this.between(rng, time.created, this.end)) : null,
        ConvertedAccountId: this.link(time, 'Account', acct),
        ConvertedContactId: this.link(time, 'Contact', contact),
        ConvertedOpportunityId: this.link(time, 'Opportunity', opp),
      });
      this.finish('Lead', row, time);
    }
  }

  opportunities(): void {
    const rng = new Rng(this.seed, TAG.Opportunity);
    const rts = this.obj('Opportunity').recordTypes.map((r) => orgScopedId(r.id, this.org.pod));
    const stages = OPPORTUNITY_STAGES.map((s) => s.name);
    const types = this.values('Opportunity', 'Type');
    const sources = this.values('Opportunity', 'LeadSource');
    for (let i = 0; i < this.plan.Opportunity; i++) {
      const { time, row } = this.audit('Opportunity', i);
      const acct = this.opportunityAccount(i);
      const stageName = this.cycle(rng, stages, i) as string;
      const stage = OPPORTUNITY_STAGES.find((s) => s.name === stageName) ?? at(OPPORTUNITY_STAGES, 0);
      const buyer = acct !== null && this.u('Opportunity', i, 20) < 0.3 ? this.firstContactOf(acct) : null;
      const close = stage.closed ? this.between(rng, time.created, this.end) : this.between(rng, this.end, this.end + 180 * DAY);
      const amount = i % 53 === 11 ? 12345678901.23 : i % 53 === 12 ? 1234567.89 : this.money(rng, 2_000_000, 0.1);
      Object.assign(row, {
        OwnerId: this.owner('Opportunity', i),
        AccountId: this.link(time, 'Account', acct),
        RecordTypeId: rng.pick(rts),
        Name:
          i % 9 === 4
            ? at(NASTY_NAMES, Math.floor(i / 9) % NASTY_NAMES.length)
            : `${rng.pick(COMPANY_STEMS)} — ${rng.pick(['Renewal', 'Expansion', 'Pilot', 'Licences 2025', 'Déploiement'])}`,
        Description: description(rng, 32000),
        StageName: stageName,
        Amount: amount,
        Probability: stage.probability,
        CloseDate: this.date(close),
        Type: this.cycle(rng, types, i, 0.3),
        NextStep: rng.chance(0.3) ? rng.pick(['Send proposal, then call', 'Wait for "legal" review', 'デモの準備', '  trim me  ']) : null,
        LeadSource: this.cycle(rng, sources, i, 0.3),
        IsClosed: stage.closed ? 1 : 0,
        IsWon: stage.won ? 1 : 0,
        ForecastCategoryName: stage.forecast,
        ContactId: this.link(time, 'Contact', buyer),
        TotalOpportunityQuantity: rng.chance(0.3) ? round(rng.next() * 500, 2) : null,
        LastStageChangeDate: isoDateTime(this.between(rng, time.created, Date.parse(row.LastModifiedDate as string) + 1)),
      });
      this.finish('Opportunity', row, time);
    }
  }

  cases(): void {
    const rng = new Rng(this.seed, TAG.Case);
    const types = this.values('Case', 'Type');
    const statuses = this.values('Case', 'Status');
    const reasons = this.values('Case', 'Reason');
    const origins = this.values('Case', 'Origin');
    const priorities = this.values('Case', 'Priority');
    for (let i = 0; i < this.plan.Case; i++) {
      const { time, row } = this.audit('Case', i);
      const contact = this.caseContact(i);
      const acct = contact !== null ? this.contactAccount(contact) : this.u('Case', i, 20) < 0.5 ? this.anyOf('Account', this.u('Case', i, 21)) : null;
      const parent = i > 0 && this.u('Case', i, 22) < 0.05 ? Math.floor(this.u('Case', i, 23) * i) : null;
      const status = this.cycle(rng, statuses, i) as string;
      const web = rng.chance(0.2);
      const closed = status === 'Closed';
      Object.assign(row, {
        OwnerId: this.owner('Case', i, 0.15),
        CaseNumber: pad(i + 1, 8),
        AccountId: this.link(time, 'Account', acct),
        ContactId: this.link(time, 'Contact', contact),
        ParentId: this.link(time, 'Case', parent),
        SuppliedName: web ? `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}` : null,
        SuppliedEmail: web ? this.email(rng, null, rng.pick(LAST_NAMES), i) : null,
        SuppliedPhone: web ? rng.pick(PHONES) : null,
        Type: this.cycle(rng, types, i, 0.3),
        Status: status,
        Reason: this.cycle(rng, reasons, i, 0.4),
        Origin: this.cycle(rng, origins, i, 0.1),
        Subject:
          i % 13 === 6
            ? at(NASTY_NAMES, Math.floor(i / 13) % NASTY_NAMES.length)
            : rng.pick(['Cannot log in', 'Invoice wrong, again', 'Le produit ne démarre pas', '画面が表示されない', 'Η εφαρμογή κολλάει']),
        Priority: this.cycle(rng, priorities, i),
        Description: description(rng, 32000),
        IsClosed: closed ? 1 : 0,
        ClosedDate: closed ? isoDateTime(this.between(rng, time.created, Date.parse(row.LastModifiedDate as string) + 1)) : null,
        IsEscalated: status === 'Escalated' || rng.chance(0.05) ? 1 : 0,
        Product_Serial__c: rng.chance(0.5) ? `SN-${rng.u32().toString(16).toUpperCase()}-${rng.u32().toString(36)}` : null,
      });
      this.finish('Case', row, time);
    }
  }

  projects(): void {
    const rng = new Rng(this.seed, TAG.Project__c);
    const statuses = this.values('Project__c', 'Status__c');
    const tags = this.values('Project__c', 'Tags__c');
    for (let i = 0; i < this.plan.Project__c; i++) {
      const { time, row } = this.audit('Project__c', i);
      const start = this.between(rng, time.created - 30 * DAY, time.created + 60 * DAY);
      const kickoff = i % 41 === 13 ? Date.UTC(1969, 6, 20, 20, 17, 40, 123) : start + rng.between(8, 17) * 3600 * SECOND + rng.between(1, 59999);
      const r = rng.next();
      const notes = r < 0.1 ? longText(rng, 3000, 20000) : r < 0.2 ? rng.pick(NASTY_TEXTS) : r < 0.6 ? longText(rng, 20, 300) : null;
      const geo = rng.chance(0.6) ? rng.pick(CITIES) : null;
      Object.assign(row, {
        OwnerId: this.owner('Project__c', i),
        Name:
          i % 6 === 2
            ? at(NASTY_NAMES, Math.floor(i / 6) % NASTY_NAMES.length)
            : `${rng.pick(['Data Migration', 'CRM Rollout', 'Portal', 'Integración', 'システム刷新'])} ${i + 1}`,
        Account__c: this.link(time, 'Account', this.projectAccount(i)),
        Ext_Id__c: rng.chance(0.1) ? null : `P-${this.seed}-${pad(i + 1, 7)}`,
        Code__c: `PRJ-${pad(i + 1, 5)}`,
        Status__c: this.cycle(rng, statuses, i),
        Budget__c: this.money(rng, 5_000_000, 0.15),
        Hours_Variance__c: rng.chance(0.2) ? null : round((rng.next() - 0.6) * 2000, 2),
        Start__c: this.date(start),
        End__c: rng.chance(0.3) ? null : this.date(start + rng.between(7, 400) * DAY),
        Kickoff__c: rng.chance(0.15) ? null : isoDateTime(kickoff),
        Daily_Standup__c: rng.chance(0.3)
          ? null
          : `${pad(rng.between(6, 18), 2)}:${pad(rng.pick([0, 15, 30, 45]), 2)}:00.${pad(rng.chance(0.2) ? rng.between(1, 999) : 0, 3)}Z`,
        Tags__c: multiSelect(rng, tags, i < tags.length ? tags[i] : undefined),
        Completion__c: rng.chance(0.2) ? null : round(rng.next() * 100, 2),
        Is_Billable__c: rng.chance(0.75) ? 1 : 0,
        Sponsor_Email__c: rng.chance(0.5) ? this.email(rng, rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES), i) : null,
        Hotline__c: rng.chance(0.3) ? rng.pick(PHONES) : null,
        Repository__c: rng.chance(0.4) ? `https://git.example.com/projects/${i + 1}?tab=code&lang=ja` : null,
        Access_Code__c: rng.chance(0.3) ? `AC-${rng.u32().toString(36)}-"#;,` : null,
        Notes__c: notes,
        Summary__c: rng.chance(0.5) ? `<p>Phase <b>${i % 4}</b> of 4 &amp; on track.</p><ul><li>Risk: "scope"</li><li>日本語</li></ul>` : null,
        Geo__Latitude__s: geo ? round(geo.lat + rng.next() / 100, 6) : null,
        Geo__Longitude__s: geo ? round(geo.lng + rng.next() / 100, 6) : null,
      });
      this.finish('Project__c', row, time);
    }
  }

  members(): void {
    const rng = new Rng(this.seed, TAG.Project_Member__c);
    const roles = this.values('Project_Member__c', 'Role__c');
    for (let i = 0; i < this.plan.Project_Member__c; i++) {
      const { time, row } = this.audit('Project_Member__c', i);
      const contact = this.u('Project_Member__c', i, 20) < 0.1 ? null : this.anyOf('Contact', this.u('Project_Member__c', i, 21));
      Object.assign(row, {
        Name: `PM-${pad(i + 1, 6)}`,
        Project__c: this.id('Project__c', this.memberProject(i)),
        Contact__c: this.link(time, 'Contact', contact),
        Role__c: this.cycle(rng, roles, i, 0.1),
        Allocation__c: rng.chance(0.2) ? null : round(rng.next() * 100, 2),
        Joined__c: rng.chance(0.3) ? null : this.date(time.created),
        Comment__c: rng.chance(0.15) ? rng.pick(NASTY_TEXTS) : rng.chance(0.3) ? 'Part-time, "on loan" from R&D' : null,
      });
      this.finish('Project_Member__c', row, time);
    }
  }

  tasks(): void {
    const rng = new Rng(this.seed, TAG.Task);
    const statuses = this.values('Task', 'Status');
    const priorities = this.values('Task', 'Priority');
    const subtypes = this.values('Task', 'TaskSubtype');
    for (let i = 0; i < this.plan.Task; i++) {
      const { time, row } = this.audit('Task', i);
      const r = this.u('Task', i, 30);
      const whoObj: DataObject | null = r < 0.6 ? 'Contact' : r < 0.8 ? 'Lead' : null;
      const who = whoObj ? this.anyOf(whoObj, this.u('Task', i, 31)) : null;
      const subject = this.cycle(rng, TASK_SUBJECTS, i) as string;
      const status = this.cycle(rng, statuses, i) as string;
      const priority = this.cycle(rng, priorities, i) as string;
      const isCall = subject === 'Call';
      const reminder = rng.chance(0.2);
      Object.assign(row, {
        OwnerId: this.owner('Task', i),
        WhoId: whoObj ? this.link(time, whoObj, who) : null,
        WhatId: this.linkRef(time, this.taskWhat(i)),
        Subject: i % 17 === 9 ? at(NASTY_NAMES, Math.floor(i / 17) % NASTY_NAMES.length) : subject,
        ActivityDate: rng.chance(0.2) ? null : this.date(this.between(rng, time.created - 10 * DAY, time.created + 30 * DAY)),
        Status: status,
        Priority: priority,
        IsClosed: status === 'Completed' ? 1 : 0,
        IsHighPriority: priority === 'High' ? 1 : 0,
        Description: description(rng, 32000),
        TaskSubtype: i < subtypes.length ? at(subtypes, i) : isCall ? 'Call' : subject.startsWith('Email') ? 'Email' : 'Task',
        CallDurationInSeconds: isCall && rng.chance(0.8) ? rng.between(0, 7200) : null,
        IsReminderSet: reminder ? 1 : 0,
        ReminderDateTime: reminder ? isoDateTime(this.between(rng, time.created, time.created + 20 * DAY)) : null,
        IsArchived: 0,
      });
      this.finish('Task', row, time);
    }
  }

  files(): void {
    const rng = new Rng(this.seed, TAG.ContentVersion);
    for (let i = 0; i < this.plan.ContentVersion; i++) {
      const body = fileBody(rng, i);
      const place = this.filePlace('ContentVersion', i);
      const checksum = createHash('md5').update(body.data).digest('hex');
      const title = `${body.name}`;
      const desc = rng.chance(0.5) ? rng.pick(NASTY_TEXTS) : null;
      const owner = this.owner('ContentVersion', i);

      const doc = this.audit('ContentDocument', i);
      Object.assign(doc.row, {
        OwnerId: owner,
        Title: title,
        Description: desc,
        LatestPublishedVersionId: this.id('ContentVersion', i),
        FileType: body.type,
        FileExtension: body.ext,
        ContentSize: body.data.length,
        PublishStatus: 'P',
      });
      this.finish('ContentDocument', doc.row, doc.time);

      const { time, row } = this.audit('ContentVersion', i);
      Object.assign(row, {
        OwnerId: owner,
        ContentDocumentId: this.id('ContentDocument', i),
        IsLatest: 1,
        Title: title,
        Description: desc,
        PathOnClient: `C:\\Users\\ada\\Documents\\${body.name}.${body.ext}`,
        VersionData: body.data,
        VersionNumber: '1',
        ReasonForChange: rng.chance(0.3) ? 'Initial upload, "v1"' : null,
        ContentSize: body.data.length,
        FileType: body.type,
        FileExtension: body.ext,
        Checksum: checksum,
        FirstPublishLocationId: this.linkRef(time, place),
      });
      this.finish('ContentVersion', row, time);
    }
  }

  attachments(): void {
    const rng = new Rng(this.seed, TAG.Attachment);
    for (let i = 0; i < this.plan.Attachment; i++) {
      const { time, row } = this.audit('Attachment', i);
      const body = fileBody(rng, i + 1);
      const place = this.filePlace('Attachment', i) as Ref;
      Object.assign(row, {
        OwnerId: this.owner('Attachment', i),
        ParentId: this.id(place.obj, place.i),
        Name: `${body.name}.${body.ext}`,
        IsPrivate: rng.chance(0.1) ? 1 : 0,
        ContentType: body.mime,
        BodyLength: body.data.length,
        Body: body.data,
        Description: rng.chance(0.3) ? 'Scanned copy, "signed"' : null,
      });
      this.finish('Attachment', row, time);
    }
  }
}

/**
 * Generates the org's data: the Organization row, profiles, the admin (exactly `adminUser`) and
 * other users, queues, record types, opportunity stages, then `records` rows spread over the data
 * objects (see `planRecords`). An existing store (a reused data dir) is left as it is.
 */
export function generateOrgData(org: Org, state: EmulatorState, opts: GenerateOptions): void {
  const store = org.store;
  const orgObj = getObject(state.schema, 'Organization');
  if (orgObj && store.count(orgObj, { includeDeleted: true }) > 0) {
    store.createIndexes();
    return;
  }
  const writer = new Writer(store);
  try {
    const g = new Generator(org, state, opts, writer);
    g.referenceData();
    g.accounts();
    g.accountHistory();
    g.contacts();
    g.leads();
    g.opportunities();
    g.cases();
    g.projects();
    g.members();
    g.tasks();
    g.files();
    g.attachments();
    writer.commit();
  } catch (err) {
    writer.rollback();
    throw err;
  }
  store.createIndexes();
}
