// Users as the authorization servers see them: lookup, new users, deactivation and freezing.
import { makeId, sameId } from '../ids.ts';
import type { Org, User } from '../model.ts';
import type { EmulatorState } from '../state.ts';
import type { SqlValue } from '../store/values.ts';
import { revokeUserGrants } from './grants.ts';

/** A user by 15/18-char id or by username (usernames are unique across Salesforce). */
export function findUser(state: EmulatorState, key: string | undefined): User | undefined {
  if (!key) return undefined;
  for (const u of state.users.values()) {
    if (u.username.toLowerCase() === key.toLowerCase()) return u;
    if ((key.length === 15 || key.length === 18) && sameId(u.id, key)) return u;
  }
  return undefined;
}

/** Users who can log in through OAuth: active and not frozen. */
export function userCanLogIn(user: User): boolean {
  return user.active && !user.frozen;
}

/** Writes the given User fields to the org's store when its schema has them. */
function storeUser(org: Org, state: EmulatorState, user: User, insert: boolean): void {
  const obj = org.store.object('User');
  if (!obj) return;
  const values: Record<string, SqlValue> = {
    Username: user.username,
    FirstName: user.firstName,
    LastName: user.lastName,
    Name: `${user.firstName} ${user.lastName}`.trim(),
    Email: user.email,
    IsActive: user.active ? 1 : 0,
    TimeZoneSidKey: user.timezone,
    LocaleSidKey: user.locale,
  };
  const row: Record<string, SqlValue> = {};
  for (const [k, v] of Object.entries(values)) if (obj.fieldMap.has(k.toLowerCase())) row[k] = v;
  const admin = [...state.users.values()].find((u) => u.orgId === org.id && u.id !== user.id);
  const ctx = { userId: admin?.id ?? user.id };
  if (insert) org.store.insert(obj, { ...row, Id: user.id }, ctx);
  else if (row.IsActive !== undefined && org.store.get(obj, user.id, { includeDeleted: true })) org.store.update(obj, user.id, { IsActive: row.IsActive }, ctx);
}

export interface NewUser {
  username?: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  active?: boolean;
  timezone?: string;
  locale?: string;
}

export function addUser(state: EmulatorState, org: Org, input: NewUser): User {
  const obj = org.store.object('User');
  const inOrg = [...state.users.values()].filter((u) => u.orgId === org.id).length;
  // The store's counter knows about User rows the data generator made; ids must not collide.
  const id = obj ? org.store.newId(obj) : makeId('005', org.pod, inOrg + 1);
  const n = inOrg + 1;
  const username = input.username ?? `user${n}@${org.alias}.example.com${org.isSandbox ? `.${org.alias}` : ''}`;
  if (findUser(state, username)) throw new Error(`duplicate username ${username}`);
  const user: User = {
    id,
    orgId: org.id,
    username,
    email: input.email ?? `user${n}@${org.alias}.example.com`,
    firstName: input.firstName ?? 'Test',
    lastName: input.lastName ?? `User ${n}`,
    active: input.active ?? true,
    frozen: false,
    timezone: input.timezone ?? 'America/Los_Angeles',
    locale: input.locale ?? 'en_US',
  };
  state.users.set(user.id, user);
  storeUser(org, state, user, true);
  return user;
}

/**
 * Deactivates, freezes or restores a user. A user who can no longer log in loses every session;
 * `revokeGrants` also revokes their approvals (some orgs answer `expired access/refresh token`
 * after deactivation for that reason), otherwise refreshes answer the inactive-user error.
 */
export function setUserStatus(
  state: EmulatorState,
  user: User,
  change: { active?: boolean; frozen?: boolean; revokeGrants?: boolean; inactiveDescription?: string | null },
): { sessionsRevoked: number; grantsRevoked: number } {
  if (change.active !== undefined) user.active = change.active;
  if (change.frozen !== undefined) user.frozen = change.frozen;
  if (change.inactiveDescription === null) delete user.inactiveDescription;
  else if (change.inactiveDescription !== undefined) user.inactiveDescription = change.inactiveDescription;
  let sessionsRevoked = 0;
  let grantsRevoked = 0;
  if (!userCanLogIn(user)) {
    sessionsRevoked = state.sessions.revokeWhere((s) => s.userId === user.id);
    if (change.revokeGrants) grantsRevoked = revokeUserGrants(state, user.id, user.active ? 'user frozen' : 'user deactivated').length;
  }
  const org = state.orgs.get(user.orgId);
  if (org && change.active !== undefined) storeUser(org, state, user, false);
  return { sessionsRevoked, grantsRevoked };
}
