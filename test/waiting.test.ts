/**
 * What a test author waits for and asserts on: `stub.waitForRequest`, the journal filtered by operation,
 * status and rule (over HTTP and from code), and the types a filter gives its entries.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { startStub, type AccountAssociationCreateRequest, type OversizedBody, type RunningStub } from '../src/index.js';
import { checkedBlock } from './support/documents.js';
import { ids } from './support/stub.js';

let stub: RunningStub;
beforeAll(async () => {
  stub = await startStub({ port: 0 });
});
beforeEach(() => stub.reset());
afterAll(() => stub.close());

const associate = (cartId: string, accountId: string = ids.acme) =>
  fetch(`${stub.url}/v2/carts/${cartId}/relationships/accounts`, {
    method: 'POST',
    headers: { authorization: 'Bearer demo-client-credentials-token', 'content-type': 'application/json' },
    body: JSON.stringify({ data: [{ type: 'account', id: accountId }] }),
  });

describe('stub.waitForRequest', () => {
  it('resolves with a request answered after the wait began: the 204 of a re-association, with its rule and body', async () => {
    await stub.seed({ carts: [{ id: 'waited' }], associations: [{ cart_id: 'waited', type: 'account', id: ids.acme }] });
    const waiting = stub.waitForRequest({ operationId: 'createAccountCartAssociation', status: 204 });
    expect((await associate('waited')).status).toBe(204);

    const entry = await waiting;
    expect(entry).toMatchObject({
      method: 'POST',
      path: '/v2/carts/waited/relationships/accounts',
      status: 204,
      rule: 'associations.15',
      body: { data: [{ type: 'account', id: ids.acme }] },
    });
    expect(stub.requests()).toEqual([entry]);
  });

  it('resolves with a matching request the journal already holds, the first of them', async () => {
    await associate('demo-cart-empty');
    await associate('demo-cart-empty');
    const entry = await stub.waitForRequest({ operationId: 'createAccountCartAssociation' });
    expect(entry.status).toBe(200);
  });

  it('passes over requests that do not match and resolves with the one that does', async () => {
    const waiting = stub.waitForRequest({ rule: 'associations.14' });
    expect((await associate('demo-cart-acme', ids.acme)).status).toBe(204);
    expect((await associate('demo-cart-acme', ids.globex)).status).toBe(403);
    expect(await waiting).toMatchObject({ status: 403, rule: 'associations.14', body: { data: [{ type: 'account', id: ids.globex }] } });
  });

  it('rejects after its timeout naming every request that did arrive, with its answer and rule', async () => {
    await associate('demo-cart-empty');
    await fetch(`${stub.url}/v2/nowhere`);
    await expect(stub.waitForRequest({ operationId: 'createAccountCartAssociation', status: 204 }, { timeout: 50 })).rejects.toThrow(
      'No request matching { operationId: "createAccountCartAssociation", status: 204 } arrived within 50 ms; the journal holds 2 requests:\n' +
        '  POST /v2/carts/demo-cart-empty/relationships/accounts → 200 associations.16 (createAccountCartAssociation)\n' +
        '  GET /v2/nowhere → 404 route.unknown (no operation)',
    );
  });

  it('rejects as docs/test-code.md shows it', async () => {
    await stub.seed({ carts: [{ id: 'checkout-cart' }] });
    // A visitor's token without Alice's account token: refused by associations.9.
    const refused = await fetch(`${stub.url}/v2/carts/checkout-cart/relationships/accounts`, {
      method: 'POST',
      headers: { authorization: 'Bearer demo-implicit-token', 'content-type': 'application/json' },
      body: JSON.stringify({ data: [{ type: 'account', id: ids.acme }] }),
    });
    expect(refused.status).toBe(403);
    // The page's 5000 ms, without spending them.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const waiting = stub.waitForRequest({ operationId: 'createAccountCartAssociation', status: 204 }, { timeout: 5000 });
      vi.advanceTimersByTime(5000);
      expect(await waiting.then(() => 'resolved', (error: Error) => error.message)).toBe(checkedBlock('docs/test-code.md', import.meta.url).text.trimEnd());
    } finally {
      vi.useRealTimers();
    }
  });

  it('a request whose connection a fault dropped is waited for with the status null', async () => {
    stub.faults.add({ operationId: 'getCarts', count: 1, drop: true });
    const waiting = stub.waitForRequest({ operationId: 'getCarts', status: null });
    await expect(fetch(`${stub.url}/v2/carts`, { headers: { authorization: 'Bearer demo-client-credentials-token' } })).rejects.toThrow();
    expect(await waiting).toMatchObject({ status: null, rule: 'fault' });
  });

  it('with a journal that keeps nothing, a waiting test is still told of the request', async () => {
    const unkept = await startStub({ port: 0, journalSize: 0 });
    try {
      const waiting = unkept.waitForRequest({ operationId: 'getACart' });
      await fetch(`${unkept.url}/v2/carts/demo-cart-empty`, { headers: { authorization: 'Bearer demo-client-credentials-token' } });
      expect((await waiting).status).toBe(200);
      expect(unkept.requests()).toEqual([]);
    } finally {
      await unkept.close();
    }
  });
});

describe('the journal filtered by rule: GET /__stub/requests?rule= and stub.requests({ rule })', () => {
  it('keeps the requests that rule answered, the same through either door', async () => {
    await associate('demo-cart-empty');
    await associate('demo-cart-empty');
    await associate('demo-cart-empty', ids.globex);
    const overHttp = (await (await fetch(`${stub.url}/__stub/requests?rule=associations.15`)).json()) as { data: unknown[] };
    expect(overHttp.data).toHaveLength(1);
    expect(stub.requests({ rule: 'associations.15' })).toEqual(overHttp.data);
    expect(stub.requests({ operationId: 'createAccountCartAssociation', rule: 'associations.14' }).map((entry) => entry.status)).toEqual([403]);
  });
});

describe('journal entries are typed by operation', () => {
  it('a success of a behaviour rule has that rule\'s status and the operation\'s request body; a filter narrows to it', () => {
    const [created] = stub.requests({ operationId: 'createAccountCartAssociation', rule: 'associations.16' });
    if (created) {
      expectTypeOf(created.status).toEqualTypeOf<200>();
      expectTypeOf(created.body).toEqualTypeOf<AccountAssociationCreateRequest | OversizedBody>();
    }
    const [any204] = stub.requests({ operationId: 'createAccountCartAssociation', status: 204 });
    if (any204) {
      expectTypeOf(any204.status).toEqualTypeOf<204>();
      // A 204 may also be a Prefer example, whose body was never checked.
      expectTypeOf(any204.body).toBeUnknown();
      if (any204.rule === 'associations.15') expectTypeOf(any204.body).toEqualTypeOf<AccountAssociationCreateRequest | OversizedBody>();
    }
    // @ts-expect-error: no operation of the document has this id
    stub.requests({ operationId: 'createAccountCartAssocation' });
    // A getCarts request is never answered by an association rule.
    expectTypeOf(stub.requests({ operationId: 'getCarts', rule: 'associations.16' })).toEqualTypeOf<never[]>();
  });
});
