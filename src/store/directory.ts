import type { Account, AccountMember, ClientApplication, Customer, PinnedToken, StubData } from '../domain/model.js';

/** The reference data a store is seeded with (everything but carts), indexed for lookups. */
export class Directory {
  readonly clients: ReadonlyMap<string, ClientApplication>;
  readonly accounts: ReadonlyMap<string, Account>;
  readonly customers: ReadonlyMap<string, Customer>;
  readonly members: ReadonlyMap<string, AccountMember>;
  readonly pinnedTokens: ReadonlyMap<string, PinnedToken>;

  constructor(readonly data: Omit<StubData, 'carts'>) {
    this.clients = byKey(data.clients, (client) => client.client_id);
    this.accounts = byKey(data.accounts, (account) => account.id);
    this.customers = byKey(data.customers, (customer) => customer.id);
    this.members = byKey(data.account_members, (member) => member.id);
    this.pinnedTokens = byKey(data.pinned_tokens, (pinned) => pinned.token);
  }
}

function byKey<T>(items: readonly T[], key: (item: T) => string): ReadonlyMap<string, T> {
  return new Map(items.map((item) => [key(item), item]));
}
