import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidStubInput } from '../src/domain/errors.js';
import { DEFAULT_FIXTURES_PATH, type FixtureData } from '../src/fixtures.js';
import { startStub, type RunningStub, type StubSeed } from '../src/index.js';
import { auth, errorOf, ids, startTestStub, type TestStub } from './support/stub.js';

const fixtures = JSON.parse(readFileSync(DEFAULT_FIXTURES_PATH, 'utf8'));
const associate = (stub: TestStub, cartId: string, accountId: string, headers: Record<string, string> = {}) =>
  stub.request({
    method: 'POST',
    url: `/v2/carts/${cartId}/relationships/accounts`,
    headers: { ...auth.cc, ...headers },
    json: { data: [{ type: 'account', id: accountId }] },
  });
const accountsOf = async (stub: TestStub, cartId: string) =>
  (await stub.request({ method: 'GET', url: `/v2/carts/${cartId}`, headers: auth.cc })).data.data.relationships.accounts?.data;

let stub: TestStub;
beforeAll(async () => {
  stub = await startTestStub();
});
afterEach(() => stub.reset());
afterAll(() => stub.close());

describe('POST /__stub/reset', () => {
  it('puts the state back to the fixtures and clears the journal and the faults', async () => {
    await associate(stub, 'demo-cart-empty', ids.acme);
    await stub.request({ method: 'POST', url: '/__stub/faults', json: { operationId: 'getCarts', status: 500 } });

    expect((await stub.request({ method: 'POST', url: '/__stub/reset' })).statusCode).toBe(204);

    expect(await accountsOf(stub, 'demo-cart-empty')).toBeUndefined();
    expect((await stub.request({ method: 'GET', url: '/v2/carts', headers: auth.cc })).statusCode).toBe(200);
    const journal = await stub.request({ method: 'GET', url: '/__stub/requests' });
    expect(journal.data.data.map((entry: { operationId: string }) => entry.operationId)).toEqual(['getACart', 'getCarts']);
  });

  it('with a state in the body, resets to that state, completing carts that give only an id', async () => {
    const reset = await stub.request({ method: 'POST', url: '/__stub/reset', json: { ...fixtures, carts: [{ id: 'given' }] } });
    expect(reset.statusCode).toBe(204);
    const state = await stub.request({ method: 'GET', url: '/__stub/state' });
    expect(state.data.carts).toEqual([expect.objectContaining({ id: 'given', name: 'Cart', account_ids: [], customer_ids: [] })]);
  });
});

describe('a state is checked the same way over HTTP and from code, with every problem listed', () => {
  const acmeCart = { id: 'shared', account_ids: [ids.acme] };
  const broken: [string, unknown][] = [
    ['an incomplete state', { carts: [{ id: 'only-carts' }] }],
    ['duplicate cart ids', { ...fixtures, carts: [{ id: 'twice' }, { id: 'twice' }] }],
    ['two accounts on a cart', { ...fixtures, carts: [{ ...acmeCart, account_ids: [ids.acme, ids.globex] }] }],
    ['an unknown account and a cart without id', { ...fixtures, carts: [{ id: 'c', account_ids: ['nobody'] }, { name: 'no id' }] }],
  ];

  it.each(broken)('%s: POST /__stub/reset answers 400 with one error per problem; stub.reset(state) throws InvalidStubInput with the same problems', async (_name, state) => {
    const response = await stub.request({ method: 'POST', url: '/__stub/reset', json: state });
    expect(response.statusCode).toBe(400);
    const overHttp = response.data.errors.map(({ detail, source }: { detail: string; source?: string }) => ({ detail, ...(source ? { source } : {}) }));
    expect(overHttp.length).toBeGreaterThan(0);
    for (const error of response.data.errors) expect(error).toMatchObject({ status: 400, title: 'Bad Request' });

    const fromCode = await stub.reset(state as FixtureData).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(fromCode).toBeInstanceOf(InvalidStubInput);
    expect((fromCode as InvalidStubInput).problems).toEqual(overHttp);
    expect((await stub.request({ method: 'GET', url: '/__stub/state' })).data.carts).toHaveLength(fixtures.carts.length);
  });

  it('a missing collection is named, not a TypeError', async () => {
    const error = await stub.reset({ carts: [] } as unknown as FixtureData).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(InvalidStubInput);
    expect((error as InvalidStubInput).problems).toContainEqual({ detail: 'clients is required', source: 'clients' });
  });

  it('stub.faults.add refuses an operationId no Elastic Path operation has, as POST /__stub/faults does', async () => {
    const response = await stub.request({ method: 'POST', url: '/__stub/faults', json: { operationId: 'typo', status: 500 } });
    expect(response.statusCode).toBe(400);
    expect(() => stub.faults.add({ operationId: 'typo', status: 500 })).toThrow(InvalidStubInput);
    try {
      stub.faults.add({ operationId: 'typo', status: 500 });
    } catch (error) {
      expect((error as InvalidStubInput).problems).toEqual([{ detail: errorOf(response).detail, source: 'operationId' }]);
    }
    expect(() => stub.faults.add({ operationId: 'getCarts' })).toThrow(InvalidStubInput);
    expect((await stub.request({ method: 'GET', url: '/v2/carts', headers: auth.cc })).statusCode).toBe(200);
  });

  it('POST /__stub/reset with a JSON content type and an empty body answers 400 and resets nothing', async () => {
    await associate(stub, 'demo-cart-empty', ids.acme);
    const response = await stub.request({ method: 'POST', url: '/__stub/reset', headers: { 'content-type': 'application/json' }, payload: '' });
    expect(response.statusCode).toBe(400);
    expect(errorOf(response).detail).toContain('send a state, or no body at all');
    expect(await accountsOf(stub, 'demo-cart-empty')).toEqual([{ type: 'account', id: ids.acme }]);
  });
});

describe('GET and PUT /__stub/state', () => {
  it('GET answers a snapshot of all state, changes included', async () => {
    await associate(stub, 'demo-cart-empty', ids.acme);
    const state = await stub.request({ method: 'GET', url: '/__stub/state' });
    expect(state.statusCode).toBe(200);
    expect(Object.keys(state.data).sort()).toEqual(Object.keys(fixtures).sort());
    expect(state.data.carts.find((cart: { id: string }) => cart.id === 'demo-cart-empty').account_ids).toEqual([ids.acme]);
  });

  it('PUT loads a state, whose pinned tokens then work', async () => {
    const state = {
      ...fixtures,
      pinned_tokens: [{ token: 'loaded-token', kind: 'access', grant: 'client_credentials', client_id: 'demo-backend' }],
    };
    expect((await stub.request({ method: 'PUT', url: '/__stub/state', json: state })).statusCode).toBe(204);
    expect((await stub.request({ method: 'GET', url: '/v2/carts', headers: auth.cc })).statusCode).toBe(401);
    expect((await stub.request({ method: 'GET', url: '/v2/carts', headers: { authorization: 'Bearer loaded-token' } })).statusCode).toBe(200);
  });

  it('PUT of a state that breaks the schema answers 400 naming the field, and changes nothing', async () => {
    const response = await stub.request({ method: 'PUT', url: '/__stub/state', json: { ...fixtures, carts: [{ name: 'no id' }] } });
    expect(response.statusCode).toBe(400);
    expect(errorOf(response)).toMatchObject({ status: 400, title: 'Bad Request', detail: 'carts[0].id is required', source: 'carts[0].id' });
    expect((await stub.request({ method: 'GET', url: '/__stub/state' })).data.carts).toHaveLength(fixtures.carts.length);
  });
});

describe('POST /__stub/seed and stub.seed(): add to the state as it stands', () => {
  const cartOf = async (id: string) => (await stub.request({ method: 'GET', url: '/__stub/state' })).data.carts.find((cart: { id: string }) => cart.id === id);

  it('a cart that gives only an id, associated with an account of the fixtures: 204, the cart is the account\'s, the rest of the state stays', async () => {
    const response = await stub.request({
      method: 'POST',
      url: '/__stub/seed',
      json: { carts: [{ id: 'seeded' }], associations: [{ cart_id: 'seeded', type: 'account', id: ids.acme }] },
    });
    expect(response.statusCode).toBe(204);
    expect(await accountsOf(stub, 'seeded')).toEqual([{ type: 'account', id: ids.acme }]);
    const state = (await stub.request({ method: 'GET', url: '/__stub/state' })).data;
    expect(state.carts.map((cart: { id: string }) => cart.id)).toEqual([...fixtures.carts.map((cart: { id: string }) => cart.id), 'seeded']);
    expect(state.accounts).toEqual(fixtures.accounts);
  });

  it('stub.seed adds an account, a customer and a cart both own, associates a cart of the fixtures, and keeps the journal and the faults', async () => {
    await associate(stub, 'demo-cart-2', ids.acme);
    stub.faults.add({ operationId: 'deleteACart', status: 500 });
    await stub.seed({
      accounts: [{ id: 'seeded-account', name: 'Seeded Ltd' }],
      customers: [{ id: 'seeded-customer', name: 'Sam', email: 'sam@example.com', password: 'sam-password' }],
      carts: [{ id: 'shared-cart', name: 'Shared', account_ids: ['seeded-account'] }],
      associations: [
        { cart_id: 'shared-cart', type: 'customer', id: 'seeded-customer' },
        { cart_id: 'demo-cart-empty', type: 'customer', id: ids.carol },
      ],
    });
    expect(await cartOf('shared-cart')).toMatchObject({ name: 'Shared', account_ids: ['seeded-account'], customer_ids: ['seeded-customer'] });
    expect(stub.state().carts.find((cart) => cart.id === 'demo-cart-empty')?.customer_ids).toEqual([ids.carol]);
    expect(stub.state().accounts.map((account) => account.id)).toContain('seeded-account');
    expect(stub.journal.list().map((entry) => entry.operationId)).toEqual(['createAccountCartAssociation']);
    expect(stub.faults.list()).toHaveLength(1);
  });

  it('associating an owner the cart already has changes nothing, as the API\'s 204 does', async () => {
    await stub.seed({ associations: [{ cart_id: 'demo-cart-acme', type: 'account', id: ids.acme }] });
    expect(await cartOf('demo-cart-acme')).toMatchObject({ account_ids: [ids.acme] });
  });

  const broken: [string, unknown, { source?: string; detail: string }[]][] = [
    ['a cart id the state has', { carts: [{ id: 'demo-cart-empty' }] }, [{ source: 'carts[0]', detail: 'carts[0] has the id demo-cart-empty of an earlier one' }]],
    ['a seed cart owned by an unknown account', { carts: [{ id: 'x', account_ids: ['nobody'] }] }, [{ source: 'carts[0].account_ids[0]', detail: 'carts[0].account_ids[0] names no account: nobody' }]],
    [
      'an association naming no cart, and one naming no customer',
      { associations: [{ cart_id: 'nowhere', type: 'account', id: ids.acme }, { cart_id: 'demo-cart-empty', type: 'customer', id: 'nobody' }] },
      [
        { source: 'associations[0].cart_id', detail: 'associations[0].cart_id names no cart: nowhere' },
        { source: 'associations[1].id', detail: 'associations[1].id names no customer: nobody' },
      ],
    ],
    [
      'a second account on a cart',
      { associations: [{ cart_id: 'demo-cart-acme', type: 'account', id: ids.globex }] },
      [{ source: 'associations[0]', detail: `associations[0] would give cart demo-cart-acme a second account; it has ${ids.acme}` }],
    ],
    ['an unknown list', { cartz: [] }, [{ detail: 'the top level has an unknown property cartz' }]],
    ['a cart without an id', { carts: [{ name: 'no id' }] }, [{ source: 'carts[0].id', detail: 'carts[0].id is required' }]],
  ];
  it.each(broken)('%s: POST answers 400 naming it where it is in the seed; stub.seed throws InvalidStubInput with the same problems; nothing changes', async (_name, seed, problems) => {
    const before = stub.state();
    const response = await stub.request({ method: 'POST', url: '/__stub/seed', json: seed });
    expect(response.statusCode).toBe(400);
    expect(response.data.errors).toEqual(problems.map((problem) => ({ status: 400, title: 'Bad Request', ...problem })));
    const fromCode = await stub.seed(seed as StubSeed).catch((error: unknown) => error);
    expect(fromCode).toBeInstanceOf(InvalidStubInput);
    expect((fromCode as InvalidStubInput).problems).toEqual(problems);
    expect(stub.state()).toEqual(before);
  });
});

describe('stub.state() and stub.loadState(): GET and PUT /__stub/state from code', () => {
  it('stub.state() is what GET answers', async () => {
    await associate(stub, 'demo-cart-empty', ids.acme);
    expect(stub.state()).toEqual((await stub.request({ method: 'GET', url: '/__stub/state' })).data);
  });

  it('stub.loadState replaces the state and keeps the journal; a state PUT refuses, it refuses with the same problems', async () => {
    await associate(stub, 'demo-cart-empty', ids.acme);
    await stub.loadState({ ...fixtures, carts: [{ id: 'only' }] });
    expect(stub.state().carts.map((cart) => cart.id)).toEqual(['only']);
    expect(stub.journal.list()).toHaveLength(1);
    const broken = { ...fixtures, carts: [{ id: 'c', account_ids: ['nobody'] }] };
    const response = await stub.request({ method: 'PUT', url: '/__stub/state', json: broken });
    const fromCode = await stub.loadState(broken).catch((error: unknown) => error);
    expect((fromCode as InvalidStubInput).problems).toEqual([{ source: errorOf(response).source, detail: errorOf(response).detail }]);
    expect(stub.state().carts.map((cart) => cart.id)).toEqual(['only']);
  });
});

describe('GET and DELETE /__stub/requests', () => {
  it('records method, path, operationId, status, duration, headers and body, with secrets masked', async () => {
    await stub.request({ method: 'DELETE', url: '/__stub/requests' });
    await associate(stub, 'demo-cart-empty', ids.acme, auth.aliceAcme);
    await stub.request({
      method: 'POST',
      url: '/oauth/access_token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'grant_type=client_credentials&client_id=demo-backend&client_secret=demo-backend-secret',
    });
    await stub.request({
      method: 'POST',
      url: '/v2/customers/tokens',
      headers: { ...auth.implicit, ...auth.carol },
      json: { data: { type: 'token', email: 'carol@example.com', password: 'carol-password' } },
    });

    const [association, accessToken, customerToken] = (await stub.request({ method: 'GET', url: '/__stub/requests' })).data.data;
    expect(association).toMatchObject({
      method: 'POST',
      path: '/v2/carts/demo-cart-empty/relationships/accounts',
      operationId: 'createAccountCartAssociation',
      status: 200,
      body: { data: [{ type: 'account', id: ids.acme }] },
    });
    expect(association.duration_ms).toBeGreaterThanOrEqual(0);
    expect(association.headers).toMatchObject({ authorization: '*****', 'ep-account-management-authentication-token': '*****' });
    expect(accessToken.body).toEqual({ grant_type: 'client_credentials', client_id: 'demo-backend', client_secret: '*****' });
    expect(customerToken.headers['x-moltin-customer-token']).toBe('*****');
    expect(customerToken.body.data).toEqual({ type: 'token', email: 'carol@example.com', password: '*****' });
    expect(JSON.stringify([association, accessToken, customerToken])).not.toMatch(/demo-backend-secret|carol-password|demo-carol-token/);
  });

  it('filters by operationId and by status, and leaves out the control API', async () => {
    await stub.request({ method: 'DELETE', url: '/__stub/requests' });
    await associate(stub, 'demo-cart-empty', ids.acme);
    await associate(stub, 'demo-cart-empty', ids.globex);
    await stub.request({ method: 'GET', url: '/v2/carts', headers: auth.cc });
    await stub.request({ method: 'GET', url: '/__stub/state' });

    const byOperation = await stub.request({ method: 'GET', url: '/__stub/requests?operationId=createAccountCartAssociation' });
    expect(byOperation.data.data.map((entry: { status: number }) => entry.status)).toEqual([200, 403]);
    const byStatus = await stub.request({ method: 'GET', url: '/__stub/requests?status=403' });
    expect(byStatus.data.data).toHaveLength(1);
    const all = await stub.request({ method: 'GET', url: '/__stub/requests' });
    expect(all.data.data.map((entry: { operationId: string }) => entry.operationId)).toEqual([
      'createAccountCartAssociation',
      'createAccountCartAssociation',
      'getCarts',
    ]);
  });

  it('records the query as sent, without the defaults validation fills in', async () => {
    await stub.request({ method: 'DELETE', url: '/__stub/requests' });
    await stub.request({ method: 'GET', url: '/v2/carts?page[offset]=0', headers: auth.cc });
    expect((await stub.request({ method: 'GET', url: '/__stub/requests' })).data.data[0].query).toEqual({ 'page[offset]': '0' });
  });

  it('records requests to unknown routes with a null operationId', async () => {
    await stub.request({ method: 'DELETE', url: '/__stub/requests' });
    await stub.request({ method: 'GET', url: '/v2/nowhere' });
    expect((await stub.request({ method: 'GET', url: '/__stub/requests' })).data.data).toEqual([
      expect.objectContaining({ path: '/v2/nowhere', operationId: null, status: 404 }),
    ]);
  });

  it('DELETE clears the journal', async () => {
    await associate(stub, 'demo-cart-empty', ids.acme);
    expect((await stub.request({ method: 'DELETE', url: '/__stub/requests' })).statusCode).toBe(204);
    expect((await stub.request({ method: 'GET', url: '/__stub/requests' })).data.data).toEqual([]);
  });

  it('keeps only the last journalSize requests, oldest first', async () => {
    const small = await startTestStub({ journalSize: 5 });
    for (let i = 0; i < 20; i++) await small.request({ method: 'GET', url: `/v2/carts/bounded-${i}`, headers: auth.cc });
    const paths = (await small.request({ method: 'GET', url: '/__stub/requests' })).data.data.map((entry: { path: string }) => entry.path);
    expect(paths).toEqual([15, 16, 17, 18, 19].map((i) => `/v2/carts/bounded-${i}`));
    await small.close();
  });
});

describe('POST and DELETE /__stub/faults', () => {
  it('the next N requests of an operation answer the given status with an error of the usual shape, and touch no state', async () => {
    const created = await stub.request({
      method: 'POST',
      url: '/__stub/faults',
      json: { operationId: 'createAccountCartAssociation', count: 2, status: 503, title: 'Service Unavailable', detail: 'Try again' },
    });
    expect(created.statusCode).toBe(201);
    expect(created.data.data).toMatchObject({ operationId: 'createAccountCartAssociation', remaining: 2, status: 503 });

    for (let i = 0; i < 2; i++) {
      const faulted = await associate(stub, 'demo-cart-empty', ids.acme);
      expect(faulted.statusCode).toBe(503);
      expect(faulted.data).toEqual({ errors: [{ status: 503, title: 'Service Unavailable', detail: 'Try again' }] });
      expect(await accountsOf(stub, 'demo-cart-empty')).toBeUndefined();
    }
    expect((await associate(stub, 'demo-cart-empty', ids.acme)).statusCode).toBe(200);
  });

  it('a fault without an operationId applies to every operation; on the token endpoint its status is a string', async () => {
    await stub.request({ method: 'POST', url: '/__stub/faults', json: { status: 500 } });
    expect((await stub.request({ method: 'GET', url: '/v2/carts', headers: auth.cc })).statusCode).toBe(500);
    const token = await stub.request({
      method: 'POST',
      url: '/oauth/access_token',
      json: { grant_type: 'implicit', client_id: 'demo-storefront' },
    });
    expect(errorOf(token)).toMatchObject({ status: '500', title: 'Internal Server Error' });
  });

  it('latency_ms delays the answer', async () => {
    await stub.request({ method: 'POST', url: '/__stub/faults', json: { operationId: 'getCarts', count: 1, latency_ms: 150 } });
    const started = performance.now();
    const response = await stub.request({ method: 'GET', url: '/v2/carts', headers: auth.cc });
    expect(response.statusCode).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('an unknown operationId answers 400 naming the field', async () => {
    const response = await stub.request({ method: 'POST', url: '/__stub/faults', json: { operationId: 'resetStub', status: 500 } });
    expect(response.statusCode).toBe(400);
    expect(errorOf(response)).toMatchObject({ title: 'Bad Request', source: 'operationId' });
  });

  it('a fault must do something: answer a status, wait or drop', async () => {
    expect((await stub.request({ method: 'POST', url: '/__stub/faults', json: { operationId: 'getCarts' } })).statusCode).toBe(400);
  });

  it('DELETE clears every fault', async () => {
    await stub.request({ method: 'POST', url: '/__stub/faults', json: { status: 500 } });
    expect((await stub.request({ method: 'DELETE', url: '/__stub/faults' })).statusCode).toBe(204);
    expect((await stub.request({ method: 'GET', url: '/v2/carts', headers: auth.cc })).statusCode).toBe(200);
  });
});

describe('GET /__stub/faults and stub.faults.list()', () => {
  it('list the active faults in the order they apply, from either door, each with the requests it has left; a used-up fault leaves the list', async () => {
    await stub.request({ method: 'POST', url: '/__stub/faults', json: { operationId: 'getCarts', count: 1, status: 503 } });
    stub.faults.add({ latency_ms: 1 });

    const listed = await stub.request({ method: 'GET', url: '/__stub/faults' });
    expect(listed.statusCode).toBe(200);
    expect(listed.data).toEqual({
      data: [
        { operationId: 'getCarts', remaining: 1, status: 503 },
        { operationId: null, remaining: null, latency_ms: 1 },
      ],
    });
    expect(stub.faults.list()).toEqual(listed.data.data);

    expect((await stub.request({ method: 'GET', url: '/v2/carts', headers: auth.cc })).statusCode).toBe(503);
    expect((await stub.request({ method: 'GET', url: '/__stub/faults' })).data.data).toEqual([{ operationId: null, remaining: null, latency_ms: 1 }]);
    expect(stub.faults.list()).toEqual([{ operationId: null, remaining: null, latency_ms: 1 }]);
  });

  it('a listed fault is a copy: changing it changes no active fault', async () => {
    stub.faults.add({ operationId: 'getCarts', count: 1, status: 500 });
    stub.faults.list()[0]!.remaining = 99;
    expect((await stub.request({ method: 'GET', url: '/v2/carts', headers: auth.cc })).statusCode).toBe(500);
    expect(stub.faults.list()).toEqual([]);
  });

  it('stub.faults.clear() empties the list, as DELETE /__stub/faults does', async () => {
    stub.faults.add({ status: 500 });
    stub.faults.clear();
    expect((await stub.request({ method: 'GET', url: '/__stub/faults' })).data).toEqual({ data: [] });
    expect((await stub.request({ method: 'GET', url: '/v2/carts', headers: auth.cc })).statusCode).toBe(200);
  });
});

describe('GET /__stub/clock and clocked.clock', () => {
  // Each test moves its own stub's clock, which never goes back: the other tests keep the real time.
  let clocked: TestStub;
  beforeEach(async () => {
    clocked = await startTestStub();
  });
  afterEach(() => clocked.close());

  it('GET answers where the clock stands and whether it is frozen, as stub.clock.reading() does', async () => {
    clocked.clock.freeze(Date.parse('2031-05-06T07:08:09.000Z'));
    const reading = await clocked.request({ method: 'GET', url: '/__stub/clock' });
    expect(reading.statusCode).toBe(200);
    expect(reading.data).toEqual({ now: '2031-05-06T07:08:09.000Z', frozen: true });
    expect(clocked.clock.reading()).toEqual(reading.data);
  });

  it('stub.clock.set(body) does what POST /__stub/clock does with the same body', async () => {
    const body = { freeze: true, at: '2032-01-01T00:00:00.000Z', advance_seconds: 3601 };
    expect(clocked.clock.set(body)).toEqual({ now: '2032-01-01T01:00:01.000Z', frozen: true });
    clocked.clock.resume();
    const overHttp = await clocked.request({ method: 'POST', url: '/__stub/clock', json: { ...body, at: '2033-01-01T00:00:00.000Z' } });
    expect(overHttp.data).toEqual({ now: '2033-01-01T01:00:01.000Z', frozen: true });
    expect((await clocked.request({ method: 'GET', url: '/__stub/clock' })).data).toEqual(overHttp.data);
  });

  const refused: [string, Record<string, unknown>, () => unknown][] = [
    ['past 9990 by advancing', { advance_seconds: 1e308 }, () => clocked.clock.advance(1e308 * 1000)],
    ['past 9990 by freezing', { freeze: true, at: '9999-12-31T00:00:00Z' }, () => clocked.clock.freeze(Date.parse('9999-12-31T00:00:00Z'))],
  ];
  it.each(refused)('a move %s answers 400 over HTTP and throws InvalidStubInput from code, with the same problem; the clock stays', async (_name, body, fromCode) => {
    clocked.clock.freeze();
    const before = clocked.clock.reading();
    const response = await clocked.request({ method: 'POST', url: '/__stub/clock', json: body });
    expect(response.statusCode).toBe(400);
    const error = (() => {
      try {
        fromCode();
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(InvalidStubInput);
    expect((error as InvalidStubInput).problems).toEqual([{ source: errorOf(response).source, detail: errorOf(response).detail }]);
    expect(() => clocked.clock.set(body)).toThrow(InvalidStubInput);
    expect(clocked.clock.reading()).toEqual(before);
  });

  it('from code, the clock refuses to move backwards or to an instant that is no date, and stays', () => {
    clocked.clock.freeze();
    const before = clocked.clock.reading();
    expect(() => clocked.clock.advance(-1000)).toThrow(InvalidStubInput);
    expect(() => clocked.clock.set({ freeze: true, at: 'tomorrow' })).toThrow('at is not a date-time: tomorrow');
    expect(clocked.clock.reading()).toEqual(before);
  });
});

describe('dropped connections and latency, over a real socket', () => {
  let running: RunningStub;
  beforeAll(async () => {
    running = await startStub({ port: 0, latencyMs: 100 });
  });
  afterAll(() => running.close());
  const cc = { authorization: 'Bearer demo-client-credentials-token' };

  it('a drop fault destroys the connection without an answer, and the journal records it with a null status', async () => {
    await fetch(`${running.url}/__stub/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ operationId: 'getCarts', count: 1, drop: true }),
    });
    await expect(fetch(`${running.url}/v2/carts`, { headers: cc })).rejects.toThrow();
    expect((await fetch(`${running.url}/v2/carts`, { headers: cc })).status).toBe(200);
    await expect.poll(() => running.requests({ operationId: 'getCarts' }).map((entry) => entry.status)).toEqual([null, 200]);
  });

  it('a request whose client gives up before the answer is in the journal once, with a null status', async () => {
    await running.reset();
    await expect(fetch(`${running.url}/v2/carts/demo-cart-empty`, { headers: cc, signal: AbortSignal.timeout(30) })).rejects.toThrow();
    await expect.poll(() => running.requests().map((entry) => [entry.path, entry.status])).toEqual([['/v2/carts/demo-cart-empty', null]]);
    // The handler still runs once the latency is over; its answer finds no client and adds no entry.
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(running.requests()).toHaveLength(1);
  });

  it('latencyMs delays every Elastic Path response but not the control API', async () => {
    // Both answers are raced against each other, not against a clock: the control API's comes first.
    const order: string[] = [];
    await Promise.all([
      fetch(`${running.url}/v2/carts/demo-cart-empty`, { headers: cc }).then(() => order.push('elastic path')),
      fetch(`${running.url}/__stub/state`).then(() => order.push('control')),
    ]);
    expect(order).toEqual(['control', 'elastic path']);
  });

  it('reset() and requests() work as the control API does', async () => {
    await fetch(`${running.url}/v2/carts/demo-cart-empty`, { headers: cc });
    expect(running.requests().length).toBeGreaterThan(0);
    await running.reset();
    expect(running.requests()).toEqual([]);
  });
});

describe('POST /__stub/clock', () => {
  it('advancing a frozen clock past an hour expires an access token', async () => {
    const issued = await stub.request({
      method: 'POST',
      url: '/oauth/access_token',
      json: { grant_type: 'client_credentials', client_id: 'demo-backend', client_secret: 'demo-backend-secret' },
    });
    const bearer = { authorization: `Bearer ${issued.data.access_token}` };
    const frozen = await stub.request({ method: 'POST', url: '/__stub/clock', json: { freeze: true } });
    expect(frozen.data.frozen).toBe(true);
    await stub.request({ method: 'POST', url: '/__stub/clock', json: { advance_seconds: 3599 } });
    expect((await stub.request({ method: 'GET', url: '/v2/carts', headers: bearer })).statusCode).toBe(200);

    const advanced = await stub.request({ method: 'POST', url: '/__stub/clock', json: { advance_seconds: 2 } });
    expect(Date.parse(advanced.data.now) - Date.parse(frozen.data.now)).toBe(3601_000);
    const expired = await stub.request({ method: 'GET', url: '/v2/carts', headers: bearer });
    expect(expired.statusCode).toBe(401);
    expect(errorOf(expired).title).toBe('Unable to validate access token');
    await stub.request({ method: 'POST', url: '/__stub/clock', json: { freeze: false } });
  });

  it('freeze at an instant stops the clock there; the body must ask for something', async () => {
    const at = new Date(Date.now() + 86_400_000).toISOString();
    const frozen = await stub.request({ method: 'POST', url: '/__stub/clock', json: { freeze: true, at } });
    expect(frozen.data).toEqual({ now: at, frozen: true });
    expect((await stub.request({ method: 'POST', url: '/__stub/clock', json: {} })).statusCode).toBe(400);
    expect((await stub.request({ method: 'POST', url: '/__stub/clock', json: { freeze: false } })).data.frozen).toBe(false);
  });
});

describe('the admin token', () => {
  let guarded: TestStub;
  beforeAll(async () => {
    guarded = await startTestStub({ adminToken: 'let-me-in' });
  });
  afterAll(() => guarded.close());

  it('without it, the control API answers 401 in the usual error shape', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }, auth.cc]) {
      const response = await guarded.request({ method: 'GET', url: '/__stub/state', headers });
      expect(response.statusCode).toBe(401);
      expect(errorOf(response)).toMatchObject({ status: 401, title: 'Unauthorized' });
    }
  });

  it('with it, the control API answers', async () => {
    const response = await guarded.request({ method: 'GET', url: '/__stub/state', headers: { authorization: 'Bearer let-me-in' } });
    expect(response.statusCode).toBe(200);
  });

  it('the Elastic Path operations still take their own tokens, not the admin token', async () => {
    expect((await guarded.request({ method: 'GET', url: '/v2/carts', headers: auth.cc })).statusCode).toBe(200);
    expect((await guarded.request({ method: 'GET', url: '/v2/carts', headers: { authorization: 'Bearer let-me-in' } })).statusCode).toBe(401);
  });

  it('without an admin token configured, the control API is open', async () => {
    expect((await stub.request({ method: 'GET', url: '/__stub/state' })).statusCode).toBe(200);
  });
});

describe('the Prefer header', () => {
  it('code=403 answers the document\'s first 403 example without touching state', async () => {
    const response = await associate(stub, 'demo-cart-empty', ids.acme, { prefer: 'code=403' });
    expect(response.statusCode).toBe(403);
    expect(errorOf(response).title).toBe('Invalid json payload');
    expect(await accountsOf(stub, 'demo-cart-empty')).toBeUndefined();
  });

  it('example=NAME picks the example by name', async () => {
    const response = await associate(stub, 'demo-cart-empty', ids.acme, { prefer: 'code=403, example=more-than-one-account' });
    expect(response.statusCode).toBe(403);
    expect(errorOf(response).title).toBe('Cannot associate more than one account');
  });

  it('code=204 answers an empty 204', async () => {
    const response = await associate(stub, 'demo-cart-empty', ids.acme, { prefer: 'code=204' });
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    expect(await accountsOf(stub, 'demo-cart-empty')).toBeUndefined();
  });

  it('a status with no example answers 400 listing what the document has', async () => {
    const response = await associate(stub, 'demo-cart-empty', ids.acme, { prefer: 'code=418' });
    expect(response.statusCode).toBe(400);
    expect(errorOf(response).detail).toContain('403 (invalid-json-payload, more-than-one-account, no-permission)');
  });

  it('authentication still applies', async () => {
    const response = await stub.request({
      method: 'POST',
      url: '/v2/carts/demo-cart-empty/relationships/accounts',
      headers: { prefer: 'code=200' },
      json: { data: [{ type: 'account', id: ids.acme }] },
    });
    expect(response.statusCode).toBe(401);
  });
});
