/**
 * The stub's state for a replay, inferred from what a recording shows: the clients that obtained tokens, the
 * account members and customers that logged in (with the accounts their token answers name), the accounts and
 * customers that associations and carts name, and the carts that existed before the recording began.
 *
 * Credentials: a login's password, and a client's secret, are seeded as the recording holds them, placeholder
 * (`<secret:2>`) or plain; the replay sends the request as recorded, so a login that succeeded then succeeds
 * again and one that failed (another password, so another placeholder) fails again.
 */
import { randomUUID } from 'node:crypto';
import { ACCOUNT_TOKEN_HEADER } from '../auth/authenticate.js';
import type { AccountMember, ClientApplication, Customer, ShopperKind } from '../domain/model.js';
import type { FixtureData } from '../fixtures.js';
import { SECRET_HEADERS, TOKEN_FIELDS, TOKEN_PATHS } from '../secrets.js';
import { headerOf, requestBodyOf, responseBodyOf, type HarEntry } from './har.js';

export interface IndexedEntry {
  /** Its index in the HAR file. */
  index: number;
  entry: HarEntry;
}

export interface Seed {
  state: FixtureData;
  /** What was inferred, one line each. */
  inferred: string[];
  /** What a recording cannot tell, and what that means for the replay. */
  unknown: string[];
}

type FixtureCart = FixtureData['carts'][number];
type Json = Record<string, unknown>;

const CART_PATH = /^\/v2\/carts\/([^/]+)(?:\/relationships\/(accounts|customers))?$/;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const stringAt = (value: unknown, key: string): string | undefined => (isObject(value) && typeof value[key] === 'string' ? value[key] : undefined);
const listAt = (value: unknown, key: string): unknown[] => (isObject(value) && Array.isArray(value[key]) ? value[key] : []);

export function inferSeed(entries: readonly IndexedEntry[]): Seed {
  const clients = new Map<string, ClientApplication>();
  const accountNames = new Map<string, string | undefined>();
  const members = new Map<string, AccountMember>();
  const memberByToken = new Map<string, AccountMember>();
  const customers = new Map<string, Customer>();
  const profiles = new Set<string>();
  const existing = new Map<string, FixtureCart>();
  const sighted = new Set<string>();
  const created = new Set<string>();
  /** Owners an association added to a cart before any answer showed the cart: they were not there at the start. */
  const addedBeforeSighting = new Map<string, Set<string>>();
  const issued = new Set<string>();
  const used = new Set<string>();

  const account = (id: string, name?: string): void => {
    accountNames.set(id, name ?? accountNames.get(id));
  };
  const owner = (kind: ShopperKind, id: string): void => {
    if (kind === 'account') account(id);
    else if (!customers.has(id)) customers.set(id, unknownCustomer(id));
  };

  const sight = (cart: Json) => {
    const id = cart.id as string;
    if (created.has(id) || sighted.has(id)) return;
    sighted.add(id);
    const timestamps = isObject(cart.meta) && isObject(cart.meta.timestamps) ? cart.meta.timestamps : {};
    const relationships = isObject(cart.relationships) ? cart.relationships : {};
    const added = addedBeforeSighting.get(id) ?? new Set();
    const owners = (kind: ShopperKind) =>
      listAt(relationships[`${kind}s`], 'data').flatMap((item) => {
        const ownerId = stringAt(item, 'id');
        if (ownerId === undefined || added.has(ownerId)) return [];
        owner(kind, ownerId);
        return [ownerId];
      });
    const contact = isObject(cart.contact) ? { email: stringAt(cart.contact, 'email') } : undefined;
    existing.set(id, {
      id,
      ...(typeof cart.name === 'string' ? { name: cart.name } : {}),
      ...(typeof cart.description === 'string' ? { description: cart.description } : {}),
      ...(contact?.email !== undefined ? { contact } : {}),
      ...(isObject(cart.discount_settings) ? { discount_settings: cart.discount_settings } : {}),
      account_ids: owners('account'),
      customer_ids: owners('customer'),
      ...(typeof timestamps.created_at === 'string' ? { created_at: timestamps.created_at } : {}),
      ...(typeof timestamps.updated_at === 'string' ? { updated_at: timestamps.updated_at } : {}),
    });
  };
  /** The longest list of carts an answer showed, newest first: the order carts updated at the same instant come in. */
  let listed: string[] = [];
  const sightCarts = (value: unknown): void => {
    if (Array.isArray(value)) {
      const ids = value.flatMap((item) => (isObject(item) && item.type === 'cart' && typeof item.id === 'string' ? [item.id] : []));
      if (ids.length > listed.length) listed = ids;
      value.forEach(sightCarts);
    }
    else if (isObject(value)) {
      if (value.type === 'cart' && typeof value.id === 'string') sight(value);
      else Object.values(value).forEach(sightCarts);
    }
  };

  for (const { entry } of entries) {
    const { request, response } = entry;
    const path = new URL(request.url).pathname;
    const status = response.status;
    const succeeded = status >= 200 && status < 300;
    const sent = requestBodyOf(entry);
    const answer = responseBodyOf(entry);
    for (const header of request.headers) {
      if (SECRET_HEADERS.has(header.name.toLowerCase())) used.add(header.value.replace(/^Bearer\s+/i, ''));
    }
    if (TOKEN_PATHS.has(path) && succeeded) collectTokens(answer, issued);

    if (path === '/oauth/access_token' && succeeded) {
      const clientId = stringAt(sent, 'client_id');
      const secret = stringAt(sent, 'client_secret');
      if (clientId !== undefined) {
        const known = clients.get(clientId) ?? { client_id: clientId, name: `${clientId} (from the recording)` };
        clients.set(clientId, stringAt(sent, 'grant_type') === 'client_credentials' && secret !== undefined ? { ...known, client_secret: secret } : known);
      }
    } else if (path === '/v2/account-members/tokens' && succeeded) {
      const credentials = isObject(sent) && isObject(sent.data) ? sent.data : {};
      const username = stringAt(credentials, 'username');
      const password = stringAt(credentials, 'password');
      const profile = stringAt(credentials, 'password_profile_id');
      const switching = headerOf(request.headers, ACCOUNT_TOKEN_HEADER);
      let member: AccountMember | undefined = switching === undefined ? undefined : memberByToken.get(switching);
      if (credentials.authentication_mechanism === 'password' && username !== undefined && password !== undefined && profile !== undefined) {
        profiles.add(profile);
        member = members.get(username.toLowerCase()) ?? {
          id: randomUUID(),
          name: username,
          email: username,
          username,
          password,
          password_profile_id: profile,
          account_ids: [],
        };
        members.set(username.toLowerCase(), member);
      }
      for (const item of listAt(answer, 'data')) {
        const accountId = stringAt(item, 'account_id');
        if (accountId === undefined) continue;
        account(accountId, stringAt(item, 'account_name'));
        if (member && !member.account_ids.includes(accountId)) member.account_ids.push(accountId);
        const token = stringAt(item, 'token');
        if (member && token !== undefined) memberByToken.set(token, member);
      }
    } else if (path === '/v2/customers/tokens' && succeeded) {
      const credentials = isObject(sent) && isObject(sent.data) ? sent.data : {};
      const email = stringAt(credentials, 'email');
      const password = stringAt(credentials, 'password');
      const customerId = stringAt(isObject(answer) ? answer.data : undefined, 'customer_id');
      if (email !== undefined && password !== undefined && customerId !== undefined) {
        customers.set(customerId, { id: customerId, name: email, email, password });
      }
    } else if (path === '/v2/carts' && request.method === 'POST' && status === 201) {
      const id = stringAt(isObject(answer) ? answer.data : undefined, 'id');
      if (id !== undefined) created.add(id);
    } else {
      const cartPath = CART_PATH.exec(path);
      // A 404 may mean that the cart, or the account or customer named, was not there: neither is inferred.
      if (cartPath && status !== 404) {
        const cartId = decodeURIComponent(cartPath[1]!);
        if (!created.has(cartId) && !existing.has(cartId)) existing.set(cartId, { id: cartId });
        const kind = cartPath[2] === 'accounts' ? 'account' : cartPath[2] === 'customers' ? 'customer' : undefined;
        for (const item of kind ? listAt(sent, 'data') : []) {
          const id = stringAt(item, 'id');
          if (id === undefined || !kind) continue;
          owner(kind, id);
          if (request.method === 'POST' && status === 200 && !sighted.has(cartId) && !created.has(cartId)) {
            addedBeforeSighting.set(cartId, (addedBeforeSighting.get(cartId) ?? new Set()).add(id));
          }
        }
      }
    }
    if (succeeded) sightCarts(answer);
  }

  const state: FixtureData = {
    clients: [...clients.values()],
    password_profiles: [...profiles].map((id) => ({ id, name: 'Password profile (from the recording)' })),
    accounts: [...accountNames].map(([id, name]) => ({ id, name: name ?? `Account ${id}` })),
    account_members: [...members.values()],
    customers: [...customers.values()],
    // The store lists carts of the same update instant newest-written first: written in reverse of the list, they keep its order.
    carts: [...existing.values()].sort((a, b) => listed.indexOf(b.id) - listed.indexOf(a.id)),
    pinned_tokens: [],
  };
  const inferred = [
    ...state.clients.map((client) => `client ${client.client_id}${client.client_secret === undefined ? ' (implicit tokens)' : ' (with its secret)'}`),
    ...state.accounts.map((item) => `account ${item.id}${accountNames.get(item.id) === undefined ? ' (its name unknown)' : ` "${item.name}"`}`),
    ...state.account_members.map((member) => `account member ${member.username}, in ${member.account_ids.length} account(s)`),
    ...state.customers.map((item) => `customer ${item.id}${item.email.endsWith('.invalid') ? ' (never logged in)' : ` ${item.email}`}`),
    ...state.carts.map((cart) => `cart ${cart.id} (there before the recording began)`),
  ];
  const unissued = [...used].filter((token) => !issued.has(token));
  const unknown = unissued.length
    ? [`${unissued.length} token(s) the requests carry were issued before the recording began: requests that use them are refused (401)`]
    : [];
  return { state, inferred, unknown };
}

/** A customer the recording only names: nobody logged in as them, so their password is one nobody knows. */
function unknownCustomer(id: string): Customer {
  return { id, name: `Customer ${id}`, email: `${id}@customers.invalid`, password: randomUUID() };
}

function collectTokens(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) value.forEach((item) => collectTokens(item, into));
  else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (TOKEN_FIELDS.has(key) && typeof item === 'string') into.add(item);
      else collectTokens(item, into);
    }
  }
}
