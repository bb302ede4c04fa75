// PLACEHOLDER (to be replaced by the generator module): a few accounts and contacts.
import type { Org, User } from '../model.ts';
import { getObject } from '../schema/types.ts';
import type { EmulatorState } from '../state.ts';

export interface GenerateOptions {
  records: number;
  seed: number;
  adminUser: User;
}

export function generateOrgData(org: Org, state: EmulatorState, opts: GenerateOptions): void {
  const store = org.store;
  const userObj = getObject(state.schema, 'User');
  const account = getObject(state.schema, 'Account');
  if (!userObj || !account) return;
  const u = opts.adminUser;
  store.insert(
    userObj,
    { Id: u.id, Username: u.username, LastName: u.lastName, FirstName: u.firstName, Name: `${u.firstName} ${u.lastName}`, Email: u.email, IsActive: 1 },
    { userId: u.id },
  );
  store.transaction(() => {
    for (let i = 0; i < opts.records; i++) store.insert(account, { Name: `Account ${i}` }, { userId: u.id });
  });
  store.createIndexes();
}
