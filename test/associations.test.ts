/**
 * BEHAVIOR.md's association table, row by row, through HTTP, for both
 * `/v2/carts/:cartId/relationships/accounts` and `…/customers`.
 *
 * Every response is also checked against the OpenAPI contract and Elastic Path's reference schema by the
 * harness. Each section gets its own stub with a frozen clock; each test works on carts of its own (or
 * only reads the fixture carts), so tests do not depend on one another.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContract } from '../src/contract/document.js';
import { auth, errorOf, ids, loginMember, startTestStub, type TestStub } from './support/stub.js';

type Headers = Record<string, string>;
type Method = 'POST' | 'DELETE';

interface Kind {
  kind: 'account' | 'customer';
  /** The kind with its article, for test names. */
  a: 'an account' | 'a customer';
  plural: 'accounts' | 'customers';
  Title: 'Account' | 'Customer';
  /** The shopper-token header that scopes this endpoint, as the docs spell it. */
  header: string;
  /** The other kind's header (it does not scope this endpoint). */
  otherHeader: string;
  /** A shopper of this kind and its pinned token. */
  own: { id: string; token: Headers };
  /** A second shopper of this kind and its pinned token. */
  other: { id: string; token: Headers };
  /** A pinned token of the other kind. */
  wrongKindToken: Headers;
  /** Types that are not this endpoint's. */
  wrongTypes: string[];
  /** An id of the other kind: real, but not an account (customer). */
  otherKindId: string;
  issueToken: (stub: TestStub) => Promise<string>;
}

const ACCOUNT_HEADER = 'EP-Account-Management-Authentication-Token';
const CUSTOMER_HEADER = 'X-Moltin-Customer-Token';

const accounts: Kind = {
  kind: 'account',
  a: 'an account',
  plural: 'accounts',
  Title: 'Account',
  header: ACCOUNT_HEADER,
  otherHeader: CUSTOMER_HEADER,
  own: { id: ids.acme, token: auth.aliceAcme },
  other: { id: ids.globex, token: auth.bobGlobex },
  wrongKindToken: auth.carol,
  wrongTypes: ['accounts', 'customer'],
  otherKindId: ids.carol,
  async issueToken(stub) {
    const response = await loginMember(stub);
    expect(response.statusCode).toBe(201);
    return response.data.data.find((t: { account_id: string }) => t.account_id === ids.acme).token;
  },
};

const customers: Kind = {
  kind: 'customer',
  a: 'a customer',
  plural: 'customers',
  Title: 'Customer',
  header: CUSTOMER_HEADER,
  otherHeader: ACCOUNT_HEADER,
  own: { id: ids.carol, token: auth.carol },
  other: { id: ids.dave, token: auth.dave },
  wrongKindToken: auth.aliceAcme,
  wrongTypes: ['customers', 'account'],
  otherKindId: ids.acme,
  async issueToken(stub) {
    const response = await stub.request({
      method: 'POST',
      url: '/v2/customers/tokens',
      headers: auth.implicit,
      json: { data: { type: 'token', email: 'carol@example.com', password: 'carol-password' } },
    });
    expect(response.statusCode).toBe(200);
    return response.data.data.token;
  },
};

const kinds: [string, Kind][] = [
  ['accounts', accounts],
  ['customers', customers],
];
const methods: Method[] = ['POST', 'DELETE'];

// The phrases the table fixes, written out here rather than imported, so that the test checks the stub.
const INVALID_TOKEN = 'Unable to validate access token';
const INVALID_PAYLOAD = 'Invalid json payload';
const INVALID_PAYLOAD_DETAIL = 'The request body must be an object whose data is an array of related objects';
const BAD_CART_ID_DETAIL = 'A cart id uses only A-Za-z0-9_- and has 1 to 64 characters';
const typeTitle = (k: Kind) => `The type does not exist or is not listed as ${k.kind}`;
const typeDetail = (k: Kind) => `Each item's type must be ${k.kind}`;
const moreThanOne = (k: Kind) => `Cannot associate more than one ${k.kind}`;
const permissions = (k: Kind) => `${k.Title} does not have the required permissions to fulfill this request`;
const contactEmail = (k: Kind) => `Cannot associate ${k.plural} to carts with contact emails`;

const HOUR = 60 * 60 * 1000;

// ---------------------------------------------------------------------------------------------------------
// Harness

/** The contract is read once for the file; each stub still has its own store, clock and tokens. */
const contract = loadContract();

/** A stub for the enclosing describe, with its clock frozen so that timestamps move only when told to. */
function useStub(): () => TestStub {
  let stub: TestStub | undefined;
  beforeAll(async () => {
    stub = await startTestStub({ contract: await contract });
    stub.clock.freeze();
  });
  afterAll(async () => {
    await stub?.close();
  });
  return () => stub!;
}

let cartCounter = 0;

/** Creates a cart nobody owns (with client credentials) and returns its id. */
async function newCart(stub: TestStub): Promise<string> {
  const id = `assoc-${++cartCounter}`;
  const response = await stub.request({
    method: 'POST',
    url: '/v2/carts',
    headers: auth.cc,
    json: { data: { id, name: 'Association test cart' } },
  });
  expect(response.statusCode).toBe(201);
  return id;
}

function body(k: Kind, ...idList: string[]) {
  return { data: idList.map((id) => ({ type: k.kind, id })) };
}

function call(stub: TestStub, method: Method, cartId: string, k: Kind, json: unknown, headers: Headers = auth.cc) {
  return stub.request({ method, url: `/v2/carts/${cartId}/relationships/${k.plural}`, headers, json });
}

/** Associates with client credentials (administrator) and checks it worked. */
async function seed(stub: TestStub, cartId: string, k: Kind, id: string): Promise<void> {
  const response = await call(stub, 'POST', cartId, k, body(k, id));
  expect(response.statusCode).toBe(200);
}

/** A cart nobody owns, or with the given associations already made. */
async function cartWith(stub: TestStub, k: Kind, ...idList: string[]): Promise<string> {
  const cartId = await newCart(stub);
  for (const id of idList) await seed(stub, cartId, k, id);
  return cartId;
}

/**
 * A cart with an owner and a contact email: no request can make one (carts.17, carts.21), but a state or a
 * fixture file can, so the association rules must still hold on it. Added to the stub's current state.
 */
async function ownedCartWithContactEmail(stub: TestStub, k: Kind, ownerId: string): Promise<string> {
  const cartId = `assoc-${++cartCounter}`;
  const state = await stub.request({ method: 'GET', url: '/__stub/state' });
  const cart = { id: cartId, contact: { email: 'guest@example.com' }, [`${k.kind}_ids`]: [ownerId] };
  const put = await stub.request({ method: 'PUT', url: '/__stub/state', json: { ...state.data, carts: [...state.data.carts, cart] } });
  expect(put.statusCode).toBe(204);
  return cartId;
}

/** The cart as the administrator sees it. */
async function cartOf(stub: TestStub, cartId: string): Promise<any> {
  const response = await stub.request({ method: 'GET', url: `/v2/carts/${cartId}`, headers: auth.cc });
  expect(response.statusCode).toBe(200);
  return response.data.data;
}

function related(cart: any, k: Kind): { type: string; id: string }[] {
  return cart.relationships[k.plural]?.data ?? [];
}

function relatedIds(cart: any, k: Kind): string[] {
  return related(cart, k).map((r) => r.id);
}

/** The cart before a request, with the clock then moved on, so that any change would show in `updated_at`. */
async function before(stub: TestStub, cartId: string): Promise<any> {
  const cart = await cartOf(stub, cartId);
  stub.clock.advance(1000);
  return cart;
}

async function expectUnchanged(stub: TestStub, cartId: string, was: any): Promise<void> {
  const now = await cartOf(stub, cartId);
  expect(now).toEqual(was);
  expect(now.meta.timestamps.updated_at).toBe(was.meta.timestamps.updated_at);
}

/** Every cart id the administrator can list. */
async function allCartIds(stub: TestStub): Promise<string[]> {
  const response = await stub.request({ method: 'GET', url: '/v2/carts?page[limit]=100', headers: auth.cc });
  expect(response.statusCode).toBe(200);
  return response.data.data.map((c: { id: string }) => c.id);
}

function expectError(
  response: { statusCode: number; headers: Record<string, unknown>; data: any },
  status: number,
  title: string,
  extra: { detail?: string | RegExp; source?: string } = {},
): void {
  expect(response.statusCode).toBe(status);
  expect(String(response.headers['content-type'])).toContain('application/json');
  expect(response.data.errors).toHaveLength(1);
  const error = errorOf(response);
  expect(error.status).toBe(status);
  expect(error.title).toBe(title);
  if (extra.detail instanceof RegExp) expect(error.detail).toMatch(extra.detail);
  else if (extra.detail !== undefined) expect(error.detail).toBe(extra.detail);
  if (extra.source !== undefined) expect(error.source).toBe(extra.source);
}

function expectNoContent(response: { statusCode: number; body: string }): void {
  expect(response.statusCode).toBe(204);
  expect(response.body).toBe('');
}

// ---------------------------------------------------------------------------------------------------------
// Rows 1–2: tokens

describe('row 1: the bearer token', () => {
  const stub = useStub();

  describe.each(kinds)('%s', (_, k) => {
    it.each(methods)('%s without an Authorization header answers 401 and changes nothing', async (method) => {
      const cartId = await cartWith(stub(), k, k.own.id);
      const was = await before(stub(), cartId);
      const response = await call(stub(), method, cartId, k, body(k, method === 'POST' ? k.other.id : k.own.id), {});
      expectError(response, 401, INVALID_TOKEN);
      await expectUnchanged(stub(), cartId, was);
    });

    it.each(methods)('%s with an unknown bearer token answers 401 and changes nothing', async (method) => {
      const cartId = await cartWith(stub(), k, k.own.id);
      const was = await before(stub(), cartId);
      const response = await call(stub(), method, cartId, k, body(k, method === 'POST' ? k.other.id : k.own.id), {
        authorization: 'Bearer not-a-token-of-this-stub',
      });
      expectError(response, 401, INVALID_TOKEN);
      await expectUnchanged(stub(), cartId, was);
    });

    it('an Authorization header that is not a bearer token answers 401', async () => {
      const cartId = await newCart(stub());
      const was = await before(stub(), cartId);
      const response = await call(stub(), 'POST', cartId, k, body(k, k.own.id), { authorization: 'Basic ZGVtbzpkZW1v' });
      expectError(response, 401, INVALID_TOKEN);
      await expectUnchanged(stub(), cartId, was);
    });

    it('an expired bearer token answers 401, although it worked before it expired', async () => {
      const issued = await stub().request({
        method: 'POST',
        url: '/oauth/access_token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'grant_type=client_credentials&client_id=demo-backend&client_secret=demo-backend-secret',
      });
      expect(issued.statusCode).toBe(200);
      const bearer = { authorization: `Bearer ${issued.data.access_token}` };
      const cartId = await newCart(stub());
      expect((await call(stub(), 'POST', cartId, k, body(k, k.own.id), bearer)).statusCode).toBe(200);

      stub().clock.advance(HOUR + 1000);
      const was = await cartOf(stub(), cartId);
      const response = await call(stub(), 'DELETE', cartId, k, body(k, k.own.id), bearer);
      expectError(response, 401, INVALID_TOKEN);
      await expectUnchanged(stub(), cartId, was);
    });
  });
});

describe('row 2: the shopper token headers', () => {
  const stub = useStub();

  describe.each(kinds)('%s', (_, k) => {
    it.each(methods)('%s with a garbage shopper token answers 401 even with a valid client_credentials bearer', async (method) => {
      const cartId = await cartWith(stub(), k, k.own.id);
      const was = await before(stub(), cartId);
      const response = await call(stub(), method, cartId, k, body(k, k.own.id), { ...auth.cc, [k.header]: 'garbage' });
      expectError(response, 401, INVALID_TOKEN);
      await expectUnchanged(stub(), cartId, was);
    });

    it.each([
      ['with an implicit bearer answers 401, not 403', auth.implicit, 'header'],
      ["in the other kind's header answers 401 too", auth.cc, 'otherHeader'],
    ] as const)('a garbage shopper token %s', async (_rule, bearer, header) => {
      const cartId = await newCart(stub());
      const was = await before(stub(), cartId);
      const response = await call(stub(), 'POST', cartId, k, body(k, k.own.id), { ...bearer, [k[header]]: 'garbage' });
      expectError(response, 401, INVALID_TOKEN);
      await expectUnchanged(stub(), cartId, was);
    });

    it('an expired shopper token answers 401, although it worked before it expired', async () => {
      const token = await k.issueToken(stub());
      const headers = { ...auth.implicit, [k.header]: token };
      const cartId = await newCart(stub());
      expect((await call(stub(), 'POST', cartId, k, body(k, k.own.id), headers)).statusCode).toBe(200);

      stub().clock.advance(24 * HOUR + 1000);
      const was = await cartOf(stub(), cartId);
      const response = await call(stub(), 'DELETE', cartId, k, body(k, k.own.id), headers);
      expectError(response, 401, INVALID_TOKEN);
      await expectUnchanged(stub(), cartId, was);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// Row 3: malformed JSON

describe('row 3: a body that is not JSON', () => {
  const stub = useStub();

  describe.each(kinds)('%s', (_, k) => {
    it.each(methods)('%s with malformed JSON answers 400 Bad Request and changes nothing', async (method) => {
      const cartId = await cartWith(stub(), k, k.own.id);
      const was = await before(stub(), cartId);
      const response = await stub().request({
        method,
        url: `/v2/carts/${cartId}/relationships/${k.plural}`,
        headers: { ...auth.cc, 'content-type': 'application/json' },
        payload: '{"data":[',
      });
      expectError(response, 400, 'Bad Request', { detail: /JSON/ });
      await expectUnchanged(stub(), cartId, was);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// Row 4: the payload's shape

describe('row 4: data must be a non-empty array in an object', () => {
  const stub = useStub();

  describe.each(kinds)('%s', (_, k) => {
    const shapes: [string, (k: Kind) => unknown][] = [
      ['data is an object', (k) => ({ data: { type: k.kind, id: k.own.id } })],
      ['data is missing', () => ({})],
      ['data is empty', () => ({ data: [] })],
      ['the body is an array', (k) => [{ type: k.kind, id: k.own.id }]],
      ['the body is a string', (k) => k.own.id],
      ['the body is null', () => null],
    ];

    describe.each(methods)('%s', (method) => {
      it.each(shapes)('when %s it answers 403 Invalid json payload and changes nothing', async (_, shape) => {
        const cartId = await cartWith(stub(), k, k.own.id);
        const was = await before(stub(), cartId);
        const response = await call(stub(), method, cartId, k, shape(k));
        expectError(response, 403, INVALID_PAYLOAD, { detail: INVALID_PAYLOAD_DETAIL });
        await expectUnchanged(stub(), cartId, was);
      });
    });

    it('names data as the source when data is an object', async () => {
      const cartId = await newCart(stub());
      const response = await call(stub(), 'POST', cartId, k, { data: { type: k.kind, id: k.own.id } });
      expectError(response, 403, INVALID_PAYLOAD, { source: 'data' });
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// Row 5: the item's type

describe("row 5: each item has the endpoint's type", () => {
  const stub = useStub();

  describe.each(kinds)('%s', (_, k) => {
    describe.each(methods)('%s', (method) => {
      it('an item without a type answers 400 with source data[0].type and changes nothing', async () => {
        const cartId = await cartWith(stub(), k, k.own.id);
        const was = await before(stub(), cartId);
        const response = await call(stub(), method, cartId, k, { data: [{ id: k.own.id }] });
        expectError(response, 400, typeTitle(k), { detail: typeDetail(k), source: 'data[0].type' });
        await expectUnchanged(stub(), cartId, was);
      });

      it.each(k.wrongTypes)('an item of type %s answers 400 with source data[0].type and changes nothing', async (type) => {
        const cartId = await cartWith(stub(), k, k.own.id);
        const was = await before(stub(), cartId);
        const response = await call(stub(), method, cartId, k, { data: [{ type, id: k.own.id }] });
        expectError(response, 400, typeTitle(k), { detail: typeDetail(k), source: 'data[0].type' });
        await expectUnchanged(stub(), cartId, was);
      });
    });

    it('DELETE names the failing item: a wrong type in the second item has source data[1].type', async () => {
      const cartId = await cartWith(stub(), k, k.own.id);
      const was = await before(stub(), cartId);
      const response = await call(stub(), 'DELETE', cartId, k, {
        data: [
          { type: k.kind, id: k.own.id },
          { type: k.wrongTypes[1], id: k.other.id },
        ],
      });
      expectError(response, 400, typeTitle(k), { source: 'data[1].type' });
      await expectUnchanged(stub(), cartId, was);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// Row 6: the item's id

describe('row 6: each item has a non-empty string id', () => {
  const stub = useStub();

  describe.each(kinds)('%s', (_, k) => {
    describe.each(methods)('%s', (method) => {
      it('an item without an id answers 400 required with source data[0].id and changes nothing', async () => {
        const cartId = await cartWith(stub(), k, k.own.id);
        const was = await before(stub(), cartId);
        const response = await call(stub(), method, cartId, k, { data: [{ type: k.kind }] });
        expectError(response, 400, 'required', { detail: 'id is required', source: 'data[0].id' });
        await expectUnchanged(stub(), cartId, was);
      });

      it.each([
        ['a number', 42],
        ['an empty string', ''],
        ['null', null],
      ])('an id that is %s answers 400 invalid with source data[0].id and changes nothing', async (_, id) => {
        const cartId = await cartWith(stub(), k, k.own.id);
        const was = await before(stub(), cartId);
        const response = await call(stub(), method, cartId, k, { data: [{ type: k.kind, id }] });
        expectError(response, 400, 'invalid', { detail: /^id /, source: 'data[0].id' });
        await expectUnchanged(stub(), cartId, was);
      });
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// Row 7: one item per POST

describe('row 7: POST takes exactly one item', () => {
  const stub = useStub();

  describe.each(kinds)('%s', (_, k) => {
    it(`POST with two different ${k.plural} answers 403 ${moreThanOne(k)} and associates neither`, async () => {
      const cartId = await newCart(stub());
      const was = await before(stub(), cartId);
      const response = await call(stub(), 'POST', cartId, k, body(k, k.own.id, k.other.id));
      expectError(response, 403, moreThanOne(k));
      await expectUnchanged(stub(), cartId, was);
      expect(relatedIds(await cartOf(stub(), cartId), k)).toEqual([]);
    });

    it('POST with 101 items answers 403 more than one too, not Invalid json payload (data is a non-empty array)', async () => {
      const cartId = await newCart(stub());
      const was = await before(stub(), cartId);
      const response = await call(stub(), 'POST', cartId, k, body(k, ...Array.from({ length: 101 }, () => k.own.id)));
      expectError(response, 403, moreThanOne(k));
      await expectUnchanged(stub(), cartId, was);
    });

    it('POST with the same id twice in one body answers 403 as well', async () => {
      const cartId = await newCart(stub());
      const was = await before(stub(), cartId);
      const response = await call(stub(), 'POST', cartId, k, body(k, k.own.id, k.own.id));
      expectError(response, 403, moreThanOne(k));
      await expectUnchanged(stub(), cartId, was);
    });

    it('the structure is checked before the count: two items, one with a wrong type, answer 400 type error', async () => {
      const cartId = await newCart(stub());
      const was = await before(stub(), cartId);
      const response = await call(stub(), 'POST', cartId, k, {
        data: [
          { type: k.kind, id: k.own.id },
          { type: k.wrongTypes[0], id: k.other.id },
        ],
      });
      expectError(response, 400, typeTitle(k), { source: 'data[1].type' });
      await expectUnchanged(stub(), cartId, was);
    });

    it('the structure is checked before the count: two items, one without an id, answer 400 required', async () => {
      const cartId = await newCart(stub());
      const was = await before(stub(), cartId);
      const response = await call(stub(), 'POST', cartId, k, { data: [{ type: k.kind, id: k.own.id }, { type: k.kind }] });
      expectError(response, 400, 'required', { source: 'data[1].id' });
      await expectUnchanged(stub(), cartId, was);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// Row 8: the cart id

describe('row 8: the cart id uses safe characters, at most 64', () => {
  const stub = useStub();

  describe.each(kinds)('%s', (_, k) => {
    describe.each(methods)('%s', (method) => {
      it.each([
        ['a $', 'bad$cart'],
        ['a .', 'bad.cart'],
        ['an encoded space', 'bad%20cart'],
        ['65 characters', 'c'.repeat(65)],
      ])('a cart id with %s answers 400 Bad Request with source cartId', async (_, cartId) => {
        const response = await call(stub(), method, cartId, k, body(k, k.own.id));
        expectError(response, 400, 'Bad Request', { detail: BAD_CART_ID_DETAIL, source: 'cartId' });
      });

      it('a 64-character cart id passes the check, and answers 404 Cart not found (row 11)', async () => {
        const response = await call(stub(), method, 'c'.repeat(64), k, body(k, k.own.id));
        expectError(response, 404, 'Not Found', { detail: 'Cart not found' });
      });

      it('the payload is checked before the cart id: a bad cart id with data an object answers 403 Invalid json payload', async () => {
        const response = await call(stub(), method, 'bad$cart', k, { data: { type: k.kind, id: k.own.id } });
        expectError(response, 403, INVALID_PAYLOAD);
      });
    });

    it('the item type is checked before the cart id: a bad cart id with a wrong type answers 400 type error', async () => {
      const response = await call(stub(), 'POST', 'bad.cart', k, { data: [{ type: k.wrongTypes[0], id: k.own.id }] });
      expectError(response, 400, typeTitle(k), { source: 'data[0].type' });
    });

    it('the count is checked before the cart id: a bad cart id with two items answers 403 more than one', async () => {
      const response = await call(stub(), 'POST', 'bad.cart', k, body(k, k.own.id, k.other.id));
      expectError(response, 403, moreThanOne(k));
    });

    it('the cart id is checked before permissions: a bad cart id with an implicit token alone answers 400', async () => {
      const response = await call(stub(), 'POST', 'bad$cart', k, body(k, k.own.id), auth.implicit);
      expectError(response, 400, 'Bad Request', { source: 'cartId' });
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// Row 9: implicit tokens need a shopper token

describe('row 9: an implicit token needs the shopper token', () => {
  const stub = useStub();

  describe.each(kinds)('%s', (_, k) => {
    it.each(methods)('%s with an implicit token and no shopper token answers 403 and changes nothing', async (method) => {
      const cartId = await cartWith(stub(), k, k.own.id);
      const was = await before(stub(), cartId);
      const response = await call(stub(), method, cartId, k, body(k, k.own.id), auth.implicit);
      expectError(response, 403, permissions(k));
      await expectUnchanged(stub(), cartId, was);
    });

    it.each(methods)(`%s with an implicit token and only the other kind's shopper token answers 403`, async (method) => {
      const cartId = await cartWith(stub(), k, k.own.id);
      const was = await before(stub(), cartId);
      const response = await call(stub(), method, cartId, k, body(k, k.own.id), { ...auth.implicit, ...k.wrongKindToken });
      expectError(response, 403, permissions(k));
      await expectUnchanged(stub(), cartId, was);
    });

    it('permissions are checked before the cart exists: an unknown cart answers 403, not 404', async () => {
      const response = await call(stub(), 'POST', 'assoc-no-such-cart-9', k, body(k, k.own.id), auth.implicit);
      expectError(response, 403, permissions(k));
    });

    it('client_credentials without a shopper token acts as administrator and associates anyone (200)', async () => {
      const cartId = await newCart(stub());
      const response = await call(stub(), 'POST', cartId, k, body(k, k.other.id), auth.cc);
      expect(response.statusCode).toBe(200);
      expect(relatedIds(await cartOf(stub(), cartId), k)).toEqual([k.other.id]);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// Row 10: the shopper token must be for the item

describe('row 10: a shopper token may only associate that shopper', () => {
  const stub = useStub();

  describe.each(kinds)('%s', (_, k) => {
    it('POST with an implicit token and the token of another shopper answers 403 and changes nothing', async () => {
      const cartId = await newCart(stub());
      const was = await before(stub(), cartId);
      const response = await call(stub(), 'POST', cartId, k, body(k, k.other.id), { ...auth.implicit, ...k.own.token });
      expectError(response, 403, permissions(k));
      await expectUnchanged(stub(), cartId, was);
    });

    it('POST with an implicit token and the matching shopper token answers 200 and associates it', async () => {
      const cartId = await newCart(stub());
      const response = await call(stub(), 'POST', cartId, k, body(k, k.own.id), { ...auth.implicit, ...k.own.token });
      expect(response.statusCode).toBe(200);
      expect(response.data).toEqual(body(k, k.own.id));
      expect(related(await cartOf(stub(), cartId), k)).toEqual([{ type: k.kind, id: k.own.id }]);
    });

    it('a shopper token scopes a client_credentials request too: another shopper answers 403', async () => {
      const cartId = await newCart(stub());
      const was = await before(stub(), cartId);
      const response = await call(stub(), 'POST', cartId, k, body(k, k.other.id), { ...auth.cc, ...k.own.token });
      expectError(response, 403, permissions(k));
      await expectUnchanged(stub(), cartId, was);
    });

    it('DELETE of another shopper with a shopper token answers 403 and leaves it associated', async () => {
      const cartId = await cartWith(stub(), k, k.other.id);
      const was = await before(stub(), cartId);
      const response = await call(stub(), 'DELETE', cartId, k, body(k, k.other.id), { ...auth.implicit, ...k.own.token });
      expectError(response, 403, permissions(k));
      await expectUnchanged(stub(), cartId, was);
      expect(relatedIds(was, k)).toEqual([k.other.id]);
    });

    it('DELETE with a shopper token of the listed shopper answers 204 and removes it', async () => {
      const cartId = await cartWith(stub(), k, k.own.id);
      const response = await call(stub(), 'DELETE', cartId, k, body(k, k.own.id), { ...auth.implicit, ...k.own.token });
      expectNoContent(response);
      expect(relatedIds(await cartOf(stub(), cartId), k)).toEqual([]);
    });

    it('the token is checked before the cart exists: an unknown cart answers 403, not 404', async () => {
      const response = await call(stub(), 'POST', 'assoc-no-such-cart-10', k, body(k, k.other.id), {
        ...auth.implicit,
        ...k.own.token,
      });
      expectError(response, 403, permissions(k));
    });

    it(`the token is checked before whether the ${k.kind} exists: an unknown id answers 403, not 404`, async () => {
      const cartId = await newCart(stub());
      const response = await call(stub(), 'POST', cartId, k, body(k, 'no-such-shopper'), { ...auth.implicit, ...k.own.token });
      expectError(response, 403, permissions(k));
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// Row 11: the cart must exist

describe('row 11: the cart must exist', () => {
  const stub = useStub();

  describe.each(kinds)('%s', (_, k) => {
    it.each(methods)('%s on an unknown cart answers 404 Cart not found and creates no cart', async (method) => {
      const cartId = `assoc-missing-${method.toLowerCase()}`;
      const response = await call(stub(), method, cartId, k, body(k, k.own.id));
      expectError(response, 404, 'Not Found', { detail: 'Cart not found' });
      expect(await allCartIds(stub())).not.toContain(cartId);
    });

    it('an expired cart (7 days after its last update) no longer exists: 404 Cart not found', async () => {
      const cartId = await cartWith(stub(), k, k.own.id);
      stub().clock.advance(7 * 24 * HOUR + 1000);
      const response = await call(stub(), 'POST', cartId, k, body(k, k.other.id));
      expectError(response, 404, 'Not Found', { detail: 'Cart not found' });
    });

    it(`the cart is checked before the ${k.kind}: unknown cart and unknown ${k.kind} answer Cart not found`, async () => {
      const response = await call(stub(), 'POST', 'assoc-missing-both', k, body(k, 'no-such-shopper'));
      expectError(response, 404, 'Not Found', { detail: 'Cart not found' });
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// Row 12: the account (customer) must exist

describe('row 12: the account (customer) must exist', () => {
  const stub = useStub();

  describe.each(kinds)('%s', (_, k) => {
    it.each(methods)(`%s of an unknown ${k.kind} id answers 404 ${k.Title} not found and changes nothing`, async (method) => {
      const cartId = await cartWith(stub(), k, k.own.id);
      const was = await before(stub(), cartId);
      const response = await call(stub(), method, cartId, k, body(k, 'no-such-shopper'));
      expectError(response, 404, 'Not Found', { detail: `${k.Title} not found` });
      await expectUnchanged(stub(), cartId, was);
    });

    it(`an id of the other kind is not ${k.a}: 404 ${k.Title} not found`, async () => {
      const cartId = await newCart(stub());
      const was = await before(stub(), cartId);
      const response = await call(stub(), 'POST', cartId, k, body(k, k.otherKindId));
      expectError(response, 404, 'Not Found', { detail: `${k.Title} not found` });
      await expectUnchanged(stub(), cartId, was);
    });

    it('DELETE of a known and an unknown id answers 404 and removes neither', async () => {
      const cartId = await cartWith(stub(), k, k.own.id);
      const was = await before(stub(), cartId);
      const response = await call(stub(), 'DELETE', cartId, k, body(k, k.own.id, 'no-such-shopper'));
      expectError(response, 404, 'Not Found', { detail: `${k.Title} not found` });
      await expectUnchanged(stub(), cartId, was);
      expect(relatedIds(was, k)).toEqual([k.own.id]);
    });

    it('the id is checked before the contact email: an unknown id on a cart with a contact email answers 404', async () => {
      const was = await before(stub(), 'demo-cart-contact');
      const response = await call(stub(), 'POST', 'demo-cart-contact', k, body(k, 'no-such-shopper'));
      expectError(response, 404, 'Not Found', { detail: `${k.Title} not found` });
      await expectUnchanged(stub(), 'demo-cart-contact', was);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// Row 13: carts with a contact email

describe('row 13: no associations on carts with a contact email', () => {
  const stub = useStub();

  describe.each(kinds)('%s', (_, k) => {
    it(`POST on demo-cart-contact answers 422 "${contactEmail(k)}" and changes nothing`, async () => {
      const was = await before(stub(), 'demo-cart-contact');
      const response = await call(stub(), 'POST', 'demo-cart-contact', k, body(k, k.own.id));
      expectError(response, 422, contactEmail(k));
      await expectUnchanged(stub(), 'demo-cart-contact', was);
    });

    it('POST on an associated cart that has a contact email (from a state: carts.21 refuses the PUT) answers 422, even for the one already associated (before row 15)', async () => {
      const cartId = await ownedCartWithContactEmail(stub(), k, k.own.id);
      const was = await before(stub(), cartId);
      const response = await call(stub(), 'POST', cartId, k, body(k, k.own.id));
      expectError(response, 422, contactEmail(k));
      await expectUnchanged(stub(), cartId, was);
    });

    it('the rule is for POST only: DELETE on a cart with a contact email answers 204', async () => {
      const was = await before(stub(), 'demo-cart-contact');
      const response = await call(stub(), 'DELETE', 'demo-cart-contact', k, body(k, k.own.id));
      expectNoContent(response);
      await expectUnchanged(stub(), 'demo-cart-contact', was);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// Row 14: one account per cart; customers may be several

describe('row 14: a cart has at most one account', () => {
  const stub = useStub();

  it('POST of a second, different account answers 403 and the cart keeps the first', async () => {
    const cartId = await cartWith(stub(), accounts, ids.acme);
    const was = await before(stub(), cartId);
    const response = await call(stub(), 'POST', cartId, accounts, body(accounts, ids.globex));
    expectError(response, 403, 'Cannot associate more than one account', {
      detail: 'The cart is already associated with another account',
    });
    await expectUnchanged(stub(), cartId, was);
    expect(related(was, accounts)).toEqual([{ type: 'account', id: ids.acme }]);
  });

  it('a fixture cart owned by Acme refuses Globex, even from a Globex member (before row 14b)', async () => {
    const was = await before(stub(), 'demo-cart-acme');
    const response = await call(stub(), 'POST', 'demo-cart-acme', accounts, body(accounts, ids.globex), {
      ...auth.implicit,
      ...auth.aliceGlobex,
    });
    expectError(response, 403, 'Cannot associate more than one account');
    await expectUnchanged(stub(), 'demo-cart-acme', was);
  });

  it('the contact email is checked before the account: a second account on a cart with a contact email answers 422', async () => {
    const cartId = await ownedCartWithContactEmail(stub(), accounts, ids.acme);
    const was = await before(stub(), cartId);
    const response = await call(stub(), 'POST', cartId, accounts, body(accounts, ids.globex));
    expectError(response, 422, contactEmail(accounts));
    await expectUnchanged(stub(), cartId, was);
  });

  it('once the first account is removed, another account can be associated (200)', async () => {
    const cartId = await cartWith(stub(), accounts, ids.acme);
    expectNoContent(await call(stub(), 'DELETE', cartId, accounts, body(accounts, ids.acme)));
    const response = await call(stub(), 'POST', cartId, accounts, body(accounts, ids.globex));
    expect(response.statusCode).toBe(200);
    expect(relatedIds(await cartOf(stub(), cartId), accounts)).toEqual([ids.globex]);
  });

  it('customers are not limited: a second, different customer answers 200 and the cart lists both', async () => {
    const cartId = await cartWith(stub(), customers, ids.carol);
    const was = await before(stub(), cartId);
    const response = await call(stub(), 'POST', cartId, customers, body(customers, ids.dave));
    expect(response.statusCode).toBe(200);
    expect(response.data).toEqual({ data: [{ type: 'customer', id: ids.dave }] });
    const cart = await cartOf(stub(), cartId);
    expect(relatedIds(cart, customers).sort()).toEqual([ids.carol, ids.dave].sort());
    expect(cart.meta.timestamps.updated_at > was.meta.timestamps.updated_at).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Row 14b: shoppers keep apart

describe('row 14b: a shopper token may only join a cart nobody owns or that it already owns', () => {
  // These tests only read the fixture carts, except the last, which has a stub of its own.
  const stub = useStub();

  it.each([
    ["an implicit token with Globex's account token", 'demo-cart-carol', accounts, ids.globex, { ...auth.implicit, ...auth.aliceGlobex }],
    ["an implicit token with Dave's customer token", 'demo-cart-carol', customers, ids.dave, { ...auth.implicit, ...auth.dave }],
    ["an implicit token with Carol's customer token", 'demo-cart-acme', customers, ids.carol, { ...auth.implicit, ...auth.carol }],
    ["Dave's customer token with a client_credentials bearer", 'demo-cart-carol', customers, ids.dave, { ...auth.cc, ...auth.dave }],
  ] as const)('%s cannot join %s, owned by someone else: 403 with the permissions phrase', async (_who, cartId, kind, id, headers) => {
    const was = await before(stub(), cartId);
    const response = await call(stub(), 'POST', cartId, kind, body(kind, id), headers);
    expectError(response, 403, permissions(kind));
    await expectUnchanged(stub(), cartId, was);
  });

  it('an owner re-associating itself with its own cart answers 204', async () => {
    const carolWas = await before(stub(), 'demo-cart-carol');
    expectNoContent(
      await call(stub(), 'POST', 'demo-cart-carol', customers, body(customers, ids.carol), { ...auth.implicit, ...auth.carol }),
    );
    await expectUnchanged(stub(), 'demo-cart-carol', carolWas);
    const acmeWas = await before(stub(), 'demo-cart-acme');
    expectNoContent(
      await call(stub(), 'POST', 'demo-cart-acme', accounts, body(accounts, ids.acme), { ...auth.implicit, ...auth.aliceAcme }),
    );
    await expectUnchanged(stub(), 'demo-cart-acme', acmeWas);
  });

  describe("changing Carol's fixture cart", () => {
    const own = useStub();

    it("client_credentials can add Dave to Carol's cart (200); the cart lists both and Dave may then re-join (204)", async () => {
      const was = await before(own(), 'demo-cart-carol');
      const response = await call(own(), 'POST', 'demo-cart-carol', customers, body(customers, ids.dave), auth.cc);
      expect(response.statusCode).toBe(200);
      expect(response.data).toEqual({ data: [{ type: 'customer', id: ids.dave }] });
      const cart = await cartOf(own(), 'demo-cart-carol');
      expect(relatedIds(cart, customers).sort()).toEqual([ids.carol, ids.dave].sort());
      expect(cart.meta.timestamps.updated_at > was.meta.timestamps.updated_at).toBe(true);

      const again = await call(own(), 'POST', 'demo-cart-carol', customers, body(customers, ids.dave), {
        ...auth.implicit,
        ...auth.dave,
      });
      expectNoContent(again);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// Rows 15–16: POST outcomes

describe('row 15: re-associating is a no-op', () => {
  const stub = useStub();

  describe.each(kinds)('%s', (_, k) => {
    it(`re-associating the same ${k.kind} answers 204 and changes nothing`, async () => {
      const cartId = await cartWith(stub(), k, k.own.id);
      const was = await before(stub(), cartId);
      const response = await call(stub(), 'POST', cartId, k, body(k, k.own.id));
      expectNoContent(response);
      await expectUnchanged(stub(), cartId, was);
      expect(related(was, k)).toEqual([{ type: k.kind, id: k.own.id }]);
    });

    it('re-associating with the shopper token answers 204 as well', async () => {
      const headers = { ...auth.implicit, ...k.own.token };
      const cartId = await newCart(stub());
      expect((await call(stub(), 'POST', cartId, k, body(k, k.own.id), headers)).statusCode).toBe(200);
      const was = await before(stub(), cartId);
      expectNoContent(await call(stub(), 'POST', cartId, k, body(k, k.own.id), headers));
      await expectUnchanged(stub(), cartId, was);
    });
  });
});

describe('row 16: a new association', () => {
  const stub = useStub();

  describe.each(kinds)('%s', (_, k) => {
    it(`associating ${k.a} answers 200 with the association, lists it, and moves updated_at forward`, async () => {
      const cartId = await newCart(stub());
      const was = await before(stub(), cartId);
      expect(related(was, k)).toEqual([]);
      const response = await call(stub(), 'POST', cartId, k, body(k, k.own.id));
      expect(response.statusCode).toBe(200);
      expect(String(response.headers['content-type'])).toContain('application/json');
      expect(response.data).toEqual({ data: [{ type: k.kind, id: k.own.id }] });

      const cart = await cartOf(stub(), cartId);
      expect(cart.relationships[k.plural].data).toEqual([{ type: k.kind, id: k.own.id }]);
      expect(cart.meta.timestamps.updated_at).toBe(stub().clock.iso());
      expect(cart.meta.timestamps.updated_at > was.meta.timestamps.updated_at).toBe(true);
      expect(cart.meta.timestamps.created_at).toBe(was.meta.timestamps.created_at);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// Rows 17–18: DELETE

describe('rows 17–18: DELETE removes associations, idempotently', () => {
  const stub = useStub();

  describe.each(kinds)('%s', (_, k) => {
    it(`DELETE of an associated ${k.kind} answers 204, removes it, and moves updated_at forward`, async () => {
      const cartId = await cartWith(stub(), k, k.own.id);
      const was = await before(stub(), cartId);
      const response = await call(stub(), 'DELETE', cartId, k, body(k, k.own.id));
      expectNoContent(response);
      const cart = await cartOf(stub(), cartId);
      expect(relatedIds(cart, k)).toEqual([]);
      expect(cart.relationships[k.plural]).toBeUndefined();
      expect(cart.meta.timestamps.updated_at > was.meta.timestamps.updated_at).toBe(true);
    });

    it('DELETE of the same association again answers 204 and changes nothing', async () => {
      const cartId = await cartWith(stub(), k, k.own.id);
      expectNoContent(await call(stub(), 'DELETE', cartId, k, body(k, k.own.id)));
      const was = await before(stub(), cartId);
      expectNoContent(await call(stub(), 'DELETE', cartId, k, body(k, k.own.id)));
      await expectUnchanged(stub(), cartId, was);
    });

    it(`DELETE of ${k.a} never associated answers 204 and leaves the cart's ${k.kind} alone`, async () => {
      const cartId = await cartWith(stub(), k, k.own.id);
      const was = await before(stub(), cartId);
      expectNoContent(await call(stub(), 'DELETE', cartId, k, body(k, k.other.id)));
      await expectUnchanged(stub(), cartId, was);
    });

    it('DELETE with two items is allowed (row 7 does not apply) and removes the associated one', async () => {
      const cartId = await cartWith(stub(), k, k.own.id);
      const response = await call(stub(), 'DELETE', cartId, k, body(k, k.own.id, k.other.id));
      expectNoContent(response);
      expect(relatedIds(await cartOf(stub(), cartId), k)).toEqual([]);
    });

    it.each([
      ['an implicit token without a shopper token', 403, permissions(k), undefined],
      ['a cart id with a $', 400, 'Bad Request', 'bad$cart'],
    ] as const)('DELETE is subject to the same checks: %s answers %i', async (_, status, title, badCartId) => {
      const cartId = await cartWith(stub(), k, k.own.id);
      const was = await before(stub(), cartId);
      const response = await call(
        stub(),
        'DELETE',
        badCartId ?? cartId,
        k,
        body(k, k.own.id),
        status === 403 ? auth.implicit : auth.cc,
      );
      expectError(response, status, title);
      await expectUnchanged(stub(), cartId, was);
    });

    it('DELETE on an unknown cart answers 404 Cart not found', async () => {
      const response = await call(stub(), 'DELETE', 'assoc-missing-delete', k, body(k, k.own.id));
      expectError(response, 404, 'Not Found', { detail: 'Cart not found' });
    });
  });
});

describe('rows 17–18: DELETE of several customers', () => {
  const stub = useStub();

  it('DELETE with two customers removes both', async () => {
    const cartId = await cartWith(stub(), customers, ids.carol, ids.dave);
    const was = await before(stub(), cartId);
    expect(relatedIds(was, customers).sort()).toEqual([ids.carol, ids.dave].sort());
    const response = await call(stub(), 'DELETE', cartId, customers, body(customers, ids.carol, ids.dave));
    expectNoContent(response);
    const cart = await cartOf(stub(), cartId);
    expect(relatedIds(cart, customers)).toEqual([]);
    expect(cart.meta.timestamps.updated_at > was.meta.timestamps.updated_at).toBe(true);
  });

  it('DELETE of one of two customers keeps the other', async () => {
    const cartId = await cartWith(stub(), customers, ids.carol, ids.dave);
    expectNoContent(await call(stub(), 'DELETE', cartId, customers, body(customers, ids.carol)));
    expect(related(await cartOf(stub(), cartId), customers)).toEqual([{ type: 'customer', id: ids.dave }]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Accounts and customers together

describe('a cart may have an account and customers at once', () => {
  const stub = useStub();

  it('an account and two customers can all be associated, and the cart lists them all', async () => {
    const cartId = await newCart(stub());
    expect((await call(stub(), 'POST', cartId, accounts, body(accounts, ids.acme))).statusCode).toBe(200);
    expect((await call(stub(), 'POST', cartId, customers, body(customers, ids.carol))).statusCode).toBe(200);
    expect((await call(stub(), 'POST', cartId, customers, body(customers, ids.dave))).statusCode).toBe(200);
    const cart = await cartOf(stub(), cartId);
    expect(related(cart, accounts)).toEqual([{ type: 'account', id: ids.acme }]);
    expect(relatedIds(cart, customers).sort()).toEqual([ids.carol, ids.dave].sort());
  });

  it('removing the customers leaves the account, and removing the account leaves the customers', async () => {
    const first = await newCart(stub());
    await seed(stub(), first, accounts, ids.acme);
    await seed(stub(), first, customers, ids.carol);
    expectNoContent(await call(stub(), 'DELETE', first, customers, body(customers, ids.carol)));
    let cart = await cartOf(stub(), first);
    expect(relatedIds(cart, accounts)).toEqual([ids.acme]);
    expect(relatedIds(cart, customers)).toEqual([]);

    const second = await newCart(stub());
    await seed(stub(), second, accounts, ids.acme);
    await seed(stub(), second, customers, ids.carol);
    expectNoContent(await call(stub(), 'DELETE', second, accounts, body(accounts, ids.acme)));
    cart = await cartOf(stub(), second);
    expect(relatedIds(cart, accounts)).toEqual([]);
    expect(relatedIds(cart, customers)).toEqual([ids.carol]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Header names

describe('header names are case-insensitive', () => {
  const stub = useStub();

  it('an upper-cased EP-ACCOUNT-MANAGEMENT-AUTHENTICATION-TOKEN, as the JS SDK sends it, is honoured', async () => {
    const cartId = await newCart(stub());
    const response = await call(stub(), 'POST', cartId, accounts, body(accounts, ids.acme), {
      ...auth.implicit,
      'EP-ACCOUNT-MANAGEMENT-AUTHENTICATION-TOKEN': 'demo-alice-acme-token',
    });
    expect(response.statusCode).toBe(200);
    expect(relatedIds(await cartOf(stub(), cartId), accounts)).toEqual([ids.acme]);
  });

  it('an upper-cased X-MOLTIN-CUSTOMER-TOKEN is honoured', async () => {
    const cartId = await newCart(stub());
    const response = await call(stub(), 'POST', cartId, customers, body(customers, ids.carol), {
      ...auth.implicit,
      'X-MOLTIN-CUSTOMER-TOKEN': 'demo-carol-token',
    });
    expect(response.statusCode).toBe(200);
    expect(relatedIds(await cartOf(stub(), cartId), customers)).toEqual([ids.carol]);
  });

  it('an upper-cased AUTHORIZATION header is honoured', async () => {
    const cartId = await newCart(stub());
    const response = await call(stub(), 'POST', cartId, accounts, body(accounts, ids.acme), {
      AUTHORIZATION: 'Bearer demo-client-credentials-token',
    });
    expect(response.statusCode).toBe(200);
  });

  it('an upper-cased shopper header is read, not ignored: a garbage value answers 401', async () => {
    const cartId = await newCart(stub());
    const response = await call(stub(), 'POST', cartId, accounts, body(accounts, ids.acme), {
      ...auth.cc,
      'EP-ACCOUNT-MANAGEMENT-AUTHENTICATION-TOKEN': 'garbage',
    });
    expectError(response, 401, INVALID_TOKEN);
  });

  it('a shopper header for another account, upper-cased, still scopes the request: 403', async () => {
    const cartId = await newCart(stub());
    const response = await call(stub(), 'POST', cartId, accounts, body(accounts, ids.globex), {
      ...auth.implicit,
      'EP-ACCOUNT-MANAGEMENT-AUTHENTICATION-TOKEN': 'demo-alice-acme-token',
    });
    expectError(response, 403, permissions(accounts));
  });
});

// ---------------------------------------------------------------------------------------------------------
// Order across rows

describe('checks run in order; the first failing row answers', () => {
  const stub = useStub();

  describe.each(kinds)('%s', (_, k) => {
    it('rows 1 before 3: no bearer with malformed JSON answers 401', async () => {
      const response = await stub().request({
        method: 'POST',
        url: `/v2/carts/demo-cart-empty/relationships/${k.plural}`,
        headers: { 'content-type': 'application/json' },
        payload: '{"data":[',
      });
      expectError(response, 401, INVALID_TOKEN);
    });

    it('rows 2 before 3: a garbage shopper token with malformed JSON answers 401', async () => {
      const response = await stub().request({
        method: 'POST',
        url: `/v2/carts/demo-cart-empty/relationships/${k.plural}`,
        headers: { ...auth.cc, [k.header]: 'garbage', 'content-type': 'application/json' },
        payload: '{"data":[',
      });
      expectError(response, 401, INVALID_TOKEN);
    });

    it('rows 1 before 4: no bearer with data an object answers 401', async () => {
      const response = await call(stub(), 'POST', 'demo-cart-empty', k, { data: { type: k.kind, id: k.own.id } }, {});
      expectError(response, 401, INVALID_TOKEN);
    });

    it('rows 4 before 5: data an object with a wrong type answers 403 Invalid json payload', async () => {
      const response = await call(stub(), 'POST', 'demo-cart-empty', k, { data: { type: k.wrongTypes[0], id: k.own.id } });
      expectError(response, 403, INVALID_PAYLOAD);
    });

    it('rows 5 before 6: a wrong type and no id answer the type error', async () => {
      const response = await call(stub(), 'POST', 'demo-cart-empty', k, { data: [{ type: k.wrongTypes[1] }] });
      expectError(response, 400, typeTitle(k), { source: 'data[0].type' });
    });

    it('rows 6 before 8: no id on a bad cart id answers 400 required', async () => {
      const response = await call(stub(), 'POST', 'bad$cart', k, { data: [{ type: k.kind }] });
      expectError(response, 400, 'required', { source: 'data[0].id' });
    });

    it('rows 9 before 12: an implicit token alone with an unknown id answers 403', async () => {
      const response = await call(stub(), 'POST', 'demo-cart-empty', k, body(k, 'no-such-shopper'), auth.implicit);
      expectError(response, 403, permissions(k));
    });

    it('rows 9 before 13: an implicit token alone on a cart with a contact email answers 403, not 422', async () => {
      const response = await call(stub(), 'POST', 'demo-cart-contact', k, body(k, k.own.id), auth.implicit);
      expectError(response, 403, permissions(k));
    });

    it("rows 10 before 13: another shopper's token on a cart with a contact email answers 403, not 422", async () => {
      const response = await call(stub(), 'POST', 'demo-cart-contact', k, body(k, k.other.id), {
        ...auth.implicit,
        ...k.own.token,
      });
      expectError(response, 403, permissions(k));
    });
  });
});
