/** Who may obtain which token: the tokens.* rows of the rule catalogue (rules.ts). */
import { StubError } from './errors.js';
import type { AccountMember, ClientApplication, Customer, Grant } from './model.js';

export function authenticateClient(
  clients: ReadonlyMap<string, ClientApplication>,
  grant: Grant,
  clientId: string,
  clientSecret: string | undefined,
): ClientApplication {
  const client = clients.get(clientId);
  if (!client) throw new StubError('UnknownClient');
  if (grant === 'client_credentials' && (client.client_secret === undefined || client.client_secret !== clientSecret)) {
    throw new StubError('UnknownClient');
  }
  return client;
}

/** Usernames match case-insensitively (storefronts lower-case what shoppers type). */
export function authenticateMember(
  members: Iterable<AccountMember>,
  credentials: { username: string; password: string; password_profile_id: string },
): AccountMember {
  const username = credentials.username.toLowerCase();
  for (const member of members) {
    if (
      member.username.toLowerCase() === username &&
      member.password === credentials.password &&
      member.password_profile_id === credentials.password_profile_id
    ) {
      return member;
    }
  }
  throw new StubError('WrongMemberCredentials');
}

export function authenticateCustomer(customers: Iterable<Customer>, email: string, password: string): Customer {
  const wanted = email.toLowerCase();
  for (const customer of customers) {
    if (customer.email.toLowerCase() === wanted && customer.password === password) return customer;
  }
  throw new StubError('WrongCustomerCredentials');
}
