/**
 * Official-client compatibility: Elastic Path's own JS SDK (`@elasticpath/js-sdk`), unmodified, pointed at a
 * listening stub with `gateway({ client_id, client_secret?, host, protocol: 'http' })`.
 *
 * What the SDK (v35) does, read from its source (`dist/index.esm.js`), and what these tests rely on:
 * - it authenticates itself with `POST /oauth/access_token`, form-encoded: `client_credentials` when a
 *   `client_secret` is configured, `implicit` otherwise (`createAuthRequest`);
 * - it sends upper-cased headers: `X-MOLTIN-CUSTOMER-TOKEN` for a method's `token` argument,
 *   `EP-ACCOUNT-MANAGEMENT-AUTHENTICATION-TOKEN` for the account-association calls, plus any `headers` option;
 * - it reads every response as text and JSON-parses it with a fallback of the *string* `'{}'`
 *   (`json: tryParseJSON(body, '{}')`), so a 204 resolves with `'{}'`;
 * - on a non-2xx it rejects with the parsed error body itself (`reject(response.json)`), a plain object
 *   `{ errors: [...] }`, not an `Error` and with no top-level status;
 * - on a 401 it re-authenticates and retries, up to `fetchMaxAttempts` (default 4) with
 *   `attempt * retryDelay` (default 1000 ms) between tries; no test here triggers that except one, bounded;
 * - without a `storage` option it keeps credentials with node-localstorage in `./localStorage` (a directory
 *   in the working directory): every gateway here gets the SDK's own `MemoryStorageFactory`, so nothing is
 *   written to disk.
 */
import { gateway, MemoryStorageFactory, type ConfigOptions, type ElasticPath } from '@elasticpath/js-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStub, type RunningStub } from '../src/index.js';
import { ids } from './support/fixtures.js';

/** Shapes as the stub (and Elastic Path) answer them; the SDK's bundled types omit or mistype several. */
interface Related {
  type: string;
  id: string;
}
interface CartResource {
  id: string;
  type: string;
  name: string;
  description?: string;
  meta: { timestamps: { created_at: string; updated_at: string; expires_at: string } };
  relationships: {
    items: { data: unknown[] | null };
    accounts?: { data: Related[] };
    customers?: { data: Related[] };
  };
}
interface CartList {
  data: CartResource[];
  meta: { results: { total: number } };
}
interface ErrorBody {
  errors: { status: number | string; title: string; detail?: string; source?: string }[];
}

/**
 * The cart calls as the SDK performs them at runtime. Its `.d.ts` types `GetCartsList` and `Cart.Get` as
 * cart-items responses, requires the `token` of the association calls although the code sends the shopper
 * header only `if (token)`, and does not know that a 204 resolves with the string `'{}'`.
 */
interface CartCalls {
  CreateCart(data: { name: string; description?: string; id?: string }, customerToken?: string): Promise<{ data: CartResource }>;
  Get(): Promise<{ data: CartResource }>;
  Delete(): Promise<unknown>;
  GetCartsList(customerToken?: string): Promise<CartList>;
  AddAccountAssociation(accountId: string, accountToken?: string): Promise<{ data: Related[] } | string>;
  RemoveAccountAssociation(accountId: string, accountToken?: string): Promise<unknown>;
  AddCustomerAssociation(customerId: string, customerToken?: string): Promise<{ data: Related[] } | string>;
}

/** The fixtures' carts (fixtures/default.json). */
const FIXTURE_CARTS = ['demo-cart-empty', 'demo-cart-2', 'demo-cart-contact', 'demo-cart-acme', 'demo-cart-carol'];
/** Ids of the carts this file creates, so the client-credentials list can be checked exactly. */
const createdCarts = new Set<string>();

/** What the SDK resolves with when the stub answers 204 No Content (its parse fallback, a string). */
const NO_CONTENT = '{}';

let stub: RunningStub;
/** `demo-backend` + secret: client_credentials. */
let backend: ElasticPath;
/** `demo-storefront`, no secret: implicit. */
let storefront: ElasticPath;

type ClientOptions = Pick<
  ConfigOptions,
  'client_id' | 'client_secret' | 'headers' | 'fetchMaxAttempts' | 'retryDelay' | 'retryJitter' | 'custom_fetch'
>;

function client(options: ClientOptions): ElasticPath {
  // The SDK's Config reads `protocol` (`this.protocol = protocol || 'https'`) but its ConfigOptions type lacks it.
  const config: ConfigOptions & { protocol: 'http' } = {
    ...options,
    host: `127.0.0.1:${stub.port}`,
    protocol: 'http',
    storage: new MemoryStorageFactory(),
  };
  return gateway(config);
}

function cart(sdk: ElasticPath, id?: string): CartCalls {
  return sdk.Cart(id) as unknown as CartCalls;
}

/** Runs `promise`, expecting the SDK to reject; returns what it rejected with. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the SDK to reject, but it resolved');
}

async function newCart(name: string, customerToken?: string, sdk: ElasticPath = backend): Promise<CartResource> {
  const created = await cart(sdk).CreateCart({ name, description: `${name} (SDK test)` }, customerToken);
  createdCarts.add(created.data.id);
  return created.data;
}

async function customerToken(email: string, password: string): Promise<string> {
  const response = await storefront.Customers.TokenViaPassword(email, password);
  return response.data.token;
}

async function accountToken(username: string, password: string, accountId: string): Promise<string> {
  const response = await storefront.AccountMembers.GenerateAccountToken({
    type: 'account_management_authentication_token',
    authentication_mechanism: 'password',
    password_profile_id: ids.passwordProfile,
    username,
    password,
  });
  const token = response.data.find((t) => t.account_id === accountId)?.token;
  if (!token) throw new Error(`no account token for ${accountId} in ${JSON.stringify(response)}`);
  return token;
}

beforeAll(async () => {
  stub = await startStub({ port: 0, host: '127.0.0.1' });
  backend = client({ client_id: 'demo-backend', client_secret: 'demo-backend-secret' });
  storefront = client({ client_id: 'demo-storefront' });
  // Authenticating up front keeps the SDK from logging "Token status: credentials do not exist" per test.
  await Promise.all([backend.Authenticate(), storefront.Authenticate()]);
});
afterAll(() => stub?.close());

describe('the official JS SDK authenticates against POST /oauth/access_token', () => {
  it('client_id + client_secret gets a client_credentials bearer, client_id alone an implicit one', () => {
    expect(backend.credentials()).toMatchObject({ identifier: 'client_credentials', token_type: 'Bearer', expires_in: 3600 });
    expect(storefront.credentials()).toMatchObject({ identifier: 'implicit', token_type: 'Bearer', expires_in: 3600 });
    expect(backend.credentials()?.access_token).toEqual(expect.any(String));
  });
});

describe('carts: CreateCart, Cart(id).Get(), Cart(id).Delete()', () => {
  it('CreateCart with client credentials creates the cart (201) and the SDK resolves with it', async () => {
    const created = await cart(backend).CreateCart({ name: 'SDK created', description: 'made by the SDK' });
    expect(created.data).toMatchObject({ type: 'cart', name: 'SDK created', description: 'made by the SDK' });
    expect(created.data.id).toEqual(expect.any(String));
    createdCarts.add(created.data.id);

    const fetched = await cart(backend, created.data.id).Get();
    expect(fetched.data).toMatchObject({ id: created.data.id, type: 'cart', name: 'SDK created' });
  });

  it('Cart(id).Get() returns the cart resource with relationships.accounts and relationships.customers', async () => {
    const { id } = await newCart('SDK both owners');
    const shopping = cart(backend, id);
    await shopping.AddAccountAssociation(ids.acme);
    await shopping.AddCustomerAssociation(ids.carol);

    const { data } = await shopping.Get();
    expect(data.id).toBe(id);
    expect(data.relationships.accounts).toEqual({ data: [{ type: 'account', id: ids.acme }] });
    expect(data.relationships.customers).toEqual({ data: [{ type: 'customer', id: ids.carol }] });
    expect(data.relationships.items).toEqual({ data: null });
  });

  it('Cart(id).Delete() answers 204 (the SDK resolves with "{}") although the SDK sends Content-Type: application/json with no body', async () => {
    // The SDK sets `headers['Content-Type'] = 'application/json'` on every request, bodiless DELETE included.
    const { id } = await newCart('SDK deleted');
    await cart(backend, id).AddAccountAssociation(ids.acme);

    await expect(cart(backend, id).Delete()).resolves.toBe(NO_CONTENT);
    // The cart is gone: GET of an unknown id answers a new, empty cart named "Cart" with no owners.
    const { data } = await cart(backend, id).Get();
    expect(data).toMatchObject({ id, name: 'Cart' });
    expect(data.relationships.accounts).toBeUndefined();
  });
});

describe('account association through the SDK', () => {
  it('AddAccountAssociation(accountId) with client credentials and no account token resolves with the association (200)', async () => {
    const { id } = await newCart('SDK account 200');
    await expect(cart(backend, id).AddAccountAssociation(ids.acme)).resolves.toEqual({
      data: [{ type: 'account', id: ids.acme }],
    });
  });

  it('AddAccountAssociation of the same account again answers 204, and the SDK resolves with the string "{}"', async () => {
    const { id } = await newCart('SDK account 204');
    await cart(backend, id).AddAccountAssociation(ids.acme);
    await expect(cart(backend, id).AddAccountAssociation(ids.acme)).resolves.toBe(NO_CONTENT);

    const { data } = await cart(backend, id).Get();
    expect(data.relationships.accounts?.data).toEqual([{ type: 'account', id: ids.acme }]);
  });

  it('AddAccountAssociation of a second, different account: the SDK rejects with the error body, status 403, title "Cannot associate more than one account"', async () => {
    const { id } = await newCart('SDK account 403');
    await cart(backend, id).AddAccountAssociation(ids.acme);

    const error = await rejection(cart(backend, id).AddAccountAssociation(ids.globex));
    expect(error).not.toBeInstanceOf(Error);
    expect(error).toEqual({
      errors: [expect.objectContaining({ status: 403, title: 'Cannot associate more than one account' })],
    });
    expect((error as ErrorBody).errors).toHaveLength(1);

    const { data } = await cart(backend, id).Get();
    expect(data.relationships.accounts?.data).toEqual([{ type: 'account', id: ids.acme }]);
  });

  it('AddAccountAssociation(accountId, accountToken) from an implicit client with a token from AccountMembers.GenerateAccountToken answers 200', async () => {
    const { id } = await newCart('SDK account via shopper');
    const aliceAcme = await accountToken('alice@example.com', 'alice-password', ids.acme);

    await expect(cart(storefront, id).AddAccountAssociation(ids.acme, aliceAcme)).resolves.toEqual({
      data: [{ type: 'account', id: ids.acme }],
    });
    const { data } = await cart(backend, id).Get();
    expect(data.relationships.accounts?.data).toEqual([{ type: 'account', id: ids.acme }]);
  });

  it('AddAccountAssociation from an implicit client without an account token is rejected with 403 (permissions)', async () => {
    const { id } = await newCart('SDK account implicit no token');
    const error = await rejection(cart(storefront, id).AddAccountAssociation(ids.acme));
    expect(error).toEqual({
      errors: [
        expect.objectContaining({
          status: 403,
          title: 'Account does not have the required permissions to fulfill this request',
        }),
      ],
    });
  });

  it('RemoveAccountAssociation with client credentials answers 204 (the SDK resolves with "{}") and the cart then has no account', async () => {
    const { id } = await newCart('SDK account removed');
    await cart(backend, id).AddAccountAssociation(ids.acme);

    await expect(cart(backend, id).RemoveAccountAssociation(ids.acme)).resolves.toBe(NO_CONTENT);
    const { data } = await cart(backend, id).Get();
    expect(data.relationships.accounts).toBeUndefined();

    // The cart is free again: another account can now be associated.
    await expect(cart(backend, id).AddAccountAssociation(ids.globex)).resolves.toEqual({
      data: [{ type: 'account', id: ids.globex }],
    });
  });

  it('RemoveAccountAssociation(accountId, accountToken) from an implicit client removes the shopper’s own account (204, "{}")', async () => {
    const { id } = await newCart('SDK account removed by shopper');
    const aliceAcme = await accountToken('alice@example.com', 'alice-password', ids.acme);
    await cart(storefront, id).AddAccountAssociation(ids.acme, aliceAcme);

    await expect(cart(storefront, id).RemoveAccountAssociation(ids.acme, aliceAcme)).resolves.toBe(NO_CONTENT);
    const { data } = await cart(backend, id).Get();
    expect(data.relationships.accounts).toBeUndefined();
  });
});

describe('customer association through the SDK', () => {
  it('AddCustomerAssociation(customerId, customerToken) from an implicit client with a token from Customers.TokenViaPassword answers 200', async () => {
    const { id } = await newCart('SDK customer via shopper');
    const carol = await customerToken('carol@example.com', 'carol-password');

    await expect(cart(storefront, id).AddCustomerAssociation(ids.carol, carol)).resolves.toEqual({
      data: [{ type: 'customer', id: ids.carol }],
    });
    // Again: 204, the SDK resolves with "{}".
    await expect(cart(storefront, id).AddCustomerAssociation(ids.carol, carol)).resolves.toBe(NO_CONTENT);

    const { data } = await cart(backend, id).Get();
    expect(data.relationships.customers?.data).toEqual([{ type: 'customer', id: ids.carol }]);
  });

  it('AddCustomerAssociation of two different customers on one cart with client credentials: both 200, the cart has both', async () => {
    const { id } = await newCart('SDK two customers');
    await expect(cart(backend, id).AddCustomerAssociation(ids.carol)).resolves.toEqual({
      data: [{ type: 'customer', id: ids.carol }],
    });
    await expect(cart(backend, id).AddCustomerAssociation(ids.dave)).resolves.toEqual({
      data: [{ type: 'customer', id: ids.dave }],
    });

    const { data } = await cart(backend, id).Get();
    expect(data.relationships.customers?.data).toHaveLength(2);
    expect(data.relationships.customers?.data).toEqual(
      expect.arrayContaining([
        { type: 'customer', id: ids.carol },
        { type: 'customer', id: ids.dave },
      ]),
    );
  });
});

describe('GetCartsList through the SDK', () => {
  it('GetCartsList(customerToken) from an implicit client lists that customer’s carts only, newest updated_at first', async () => {
    const dave = await customerToken('dave@example.com', 'dave-password');
    // CreateCart(data, customerToken) creates the cart already associated with the customer.
    const older = await newCart('SDK Dave older', dave, storefront);
    stub.clock.advance(1_000);
    const newer = await newCart('SDK Dave newer', dave, storefront);
    stub.clock.advance(1_000);
    // Touching the older cart (a new association) makes it the most recently updated.
    await cart(backend, older.id).AddAccountAssociation(ids.initech);

    const list = await cart(storefront).GetCartsList(dave);
    const listed = list.data.map((c) => c.id);
    expect(listed.indexOf(older.id)).toBeGreaterThanOrEqual(0);
    expect(listed.indexOf(older.id)).toBeLessThan(listed.indexOf(newer.id));
    for (const c of list.data) {
      expect(c.relationships.customers?.data).toContainEqual({ type: 'customer', id: ids.dave });
    }
    const updated = list.data.map((c) => c.meta.timestamps.updated_at);
    expect(updated).toEqual([...updated].sort().reverse());
  });

  it('GetCartsList from an implicit client configured with the account token header lists that account’s carts, newest first', async () => {
    // GetCartsList(token) sends its token as X-MOLTIN-CUSTOMER-TOKEN; for an account the SDK's way is a header.
    const bobGlobex = await accountToken('bob@example.com', 'bob-password', ids.globex);
    const bob = client({
      client_id: 'demo-storefront',
      headers: { 'EP-Account-Management-Authentication-Token': bobGlobex },
    });
    await bob.Authenticate();
    const older = await newCart('SDK Globex older', undefined, bob);
    stub.clock.advance(1_000);
    const newer = await newCart('SDK Globex newer', undefined, bob);

    const list = await cart(bob).GetCartsList();
    const listed = list.data.map((c) => c.id);
    expect(listed.slice(0, 2)).toEqual([newer.id, older.id]);
    for (const c of list.data) {
      expect(c.relationships.accounts?.data).toEqual([{ type: 'account', id: ids.globex }]);
    }
  });

  it('GetCartsList with client credentials and no shopper token lists every cart (first page of 20, newest first)', async () => {
    const list = await cart(backend).GetCartsList();
    expect(list.meta.results.total).toBe(FIXTURE_CARTS.length + createdCarts.size);
    expect(list.data).toHaveLength(Math.min(20, list.meta.results.total));
    // Carts of different shoppers side by side: the account's and the customer's carts made just above.
    const owners = list.data.flatMap((c) => [...(c.relationships.accounts?.data ?? []), ...(c.relationships.customers?.data ?? [])]);
    expect(owners).toContainEqual({ type: 'account', id: ids.globex });
    expect(owners).toContainEqual({ type: 'customer', id: ids.dave });
    const updated = list.data.map((c) => c.meta.timestamps.updated_at);
    expect(updated).toEqual([...updated].sort().reverse());
  });
});

describe('the SDK’s 401 handling (bounded)', () => {
  it('an unknown customer token answers 401 on every try: the SDK re-authenticates, retries once (fetchMaxAttempts 2) and rejects with the 401 body', async () => {
    const calls: string[] = [];
    const counting: typeof fetch = (input, init) => {
      calls.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
      return fetch(input, init);
    };
    const sdk = client({ client_id: 'demo-storefront', fetchMaxAttempts: 2, retryDelay: 1, retryJitter: 1, custom_fetch: counting });
    await sdk.Authenticate();
    calls.length = 0;

    const error = await rejection(cart(sdk).GetCartsList('not-a-customer-token'));
    expect(error).toEqual({ errors: [expect.objectContaining({ status: 401, title: 'Unable to validate access token' })] });
    expect(calls).toEqual(['GET /v2/carts', 'POST /oauth/access_token', 'GET /v2/carts']);
  });
});
