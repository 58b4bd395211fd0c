/** The stub's data, as plain values. The same shape is the fixture format and the persisted snapshot. */

export type Grant = 'implicit' | 'client_credentials';
export type ShopperKind = 'account' | 'customer';

export interface ClientApplication {
  client_id: string;
  /** Absent for a client that may only obtain implicit tokens. */
  client_secret?: string;
  name: string;
}

export interface PasswordProfile {
  id: string;
  name: string;
}

export interface Account {
  id: string;
  name: string;
}

export interface AccountMember {
  id: string;
  name: string;
  email: string;
  username: string;
  password: string;
  password_profile_id: string;
  account_ids: string[];
}

export interface Customer {
  id: string;
  name: string;
  email: string;
  password: string;
}

/** A typed value of the cart's own (the newest carts spec's `custom_attributes`). */
export type CustomAttribute =
  | { type: 'string'; value: string }
  | { type: 'integer' | 'float'; value: number }
  | { type: 'boolean'; value: boolean };

export interface Cart {
  id: string;
  name: string;
  description: string;
  contact?: { email?: string };
  discount_settings: { custom_discounts_enabled?: boolean; use_rule_promotions?: boolean };
  inventory_settings?: { defer_inventory_check?: boolean };
  /** At most 20 (carts.22); a PUT that names them replaces them all. */
  custom_attributes?: Record<string, CustomAttribute>;
  /** A preview cart's date, RFC 3339 UTC; once set it can move but never go (carts.23). */
  snapshot_date?: string;
  /** At most one (BEHAVIOR.md row 14). */
  account_ids: string[];
  customer_ids: string[];
  /** RFC 3339 UTC, as `Date.toISOString()` writes it, so that strings sort by time. */
  created_at: string;
  updated_at: string;
}

/** A token fixed by the fixtures so that documentation can show it verbatim; it never expires. */
export type PinnedToken =
  | { token: string; kind: 'access'; grant: Grant; client_id: string }
  | { token: string; kind: 'account'; member_id: string; account_id: string }
  | { token: string; kind: 'customer'; customer_id: string };

export interface StubData {
  clients: ClientApplication[];
  password_profiles: PasswordProfile[];
  accounts: Account[];
  account_members: AccountMember[];
  customers: Customer[];
  carts: Cart[];
  pinned_tokens: PinnedToken[];
}

/** Who is calling: the bearer token's grant and client, narrowed by any shopper token. */
export interface Principal {
  clientId: string;
  grant: Grant;
  account?: { accountId: string; memberId: string };
  customer?: { customerId: string };
}

/** Client credentials with no shopper token act as the store administrator (BEHAVIOR.md). */
export function isAdministrator(principal: Principal): boolean {
  return principal.grant === 'client_credentials' && !principal.account && !principal.customer;
}

export function isUnowned(cart: Cart): boolean {
  return cart.account_ids.length === 0 && cart.customer_ids.length === 0;
}

export function isOwner(cart: Cart, principal: Principal): boolean {
  return (
    (principal.account !== undefined && cart.account_ids.includes(principal.account.accountId)) ||
    (principal.customer !== undefined && cart.customer_ids.includes(principal.customer.customerId))
  );
}

/** A party that can own carts, as used by the store's indexes. */
export interface Owner {
  kind: ShopperKind;
  id: string;
}
