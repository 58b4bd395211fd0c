/**
 * BEHAVIOR.md › Carts, as docs/behaviour.md's table implements it: create, read, update, delete, list,
 * pagination, expiry, and that one shopper's tokens never reach another shopper's carts.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadContract } from '../src/contract/document.js';
import { auth, errorOf, ids, startTestStub, type TestStub } from './support/stub.js';

const DAY_MS = 24 * 3600 * 1000;
const WEEK_MS = 7 * DAY_MS;
const LAST_CART_DETAIL =
  'This is the last cart associated with a customer and it cannot be deleted, try disassociating instead';

/** Loaded once; each stub still has its own store and clock. */
const contract = await loadContract();

let stub: TestStub;

async function startStub(): Promise<void> {
  stub = await startTestStub({ contract });
  stub.clock.freeze();
}

/** A stub for the whole describe: its tests only read, or write carts of their own. */
function stubPerDescribe(): void {
  beforeAll(startStub);
  afterAll(() => stub.close());
}

/** A fresh stub for every test: its tests change the fixtures' carts. */
function stubPerTest(): void {
  beforeEach(startStub);
  afterEach(() => stub.close());
}

type Headers = Record<string, string>;
type ShopperKind = 'account' | 'customer';

const plural = (kind: ShopperKind) => (kind === 'account' ? 'accounts' : 'customers');

function createCart(headers: Headers, data: Record<string, unknown>) {
  return stub.request({ method: 'POST', url: '/v2/carts', headers, json: { data } });
}

function getCart(id: string, headers: Headers) {
  return stub.request({ method: 'GET', url: `/v2/carts/${id}`, headers });
}

function updateCart(id: string, headers: Headers, data: Record<string, unknown>) {
  return stub.request({ method: 'PUT', url: `/v2/carts/${id}`, headers, json: { data } });
}

function deleteCart(id: string, headers: Headers) {
  return stub.request({ method: 'DELETE', url: `/v2/carts/${id}`, headers });
}

function listCarts(headers: Headers, query = '') {
  return stub.request({ method: 'GET', url: `/v2/carts${query}`, headers });
}

function association(method: 'POST' | 'DELETE', cartId: string, kind: ShopperKind, id: string, headers: Headers) {
  return stub.request({
    method,
    url: `/v2/carts/${cartId}/relationships/${plural(kind)}`,
    headers,
    json: { data: [{ type: kind, id }] },
  });
}

const idsOf = (response: { data: any }) => (response.data.data as { id: string }[]).map((cart) => cart.id);

const plusWeek = (iso: string) => new Date(Date.parse(iso) + WEEK_MS).toISOString();

/** The offset and limit a pagination link names, after checking it is a full URL of the listing. */
function pageOf(link: string | null): { offset: number; limit: number } | null {
  if (link === null) return null;
  expect(link).toMatch(/^https?:\/\/[^/]+\/v2\/carts\?/);
  const url = new URL(link);
  return { offset: Number(url.searchParams.get('page[offset]')), limit: Number(url.searchParams.get('page[limit]')) };
}

describe('POST /v2/carts', () => {
  stubPerDescribe();

  it('answers 201 with the full cart resource', async () => {
    const now = stub.clock.iso();
    const response = await createCart(auth.cc, { name: 'Holiday cart', description: 'For the holidays' });
    expect(response.statusCode).toBe(201);
    const cart = response.data.data;
    expect(cart).toMatchObject({ type: 'cart', name: 'Holiday cart', description: 'For the holidays' });
    expect(cart.id).toEqual(expect.any(String));
    expect(cart.links.self).toMatch(/^https?:\/\//);
    expect(cart.links.self.endsWith(`/v2/carts/${cart.id}`)).toBe(true);
    expect(cart.meta.display_price.with_tax.amount).toBe(0);
    expect(cart.meta.display_price.without_tax.amount).toBe(0);
    expect(cart.meta.timestamps).toEqual({ created_at: now, updated_at: now, expires_at: plusWeek(now) });
    expect(cart.relationships.items).toEqual({ data: null });
    expect(cart.relationships).not.toHaveProperty('accounts');
    expect(cart.relationships).not.toHaveProperty('customers');
  });

  it('takes an id of its own', async () => {
    const response = await createCart(auth.cc, { id: 'my-cart_1', name: 'Mine' });
    expect(response.statusCode).toBe(201);
    expect(response.data.data.id).toBe('my-cart_1');
    const read = await getCart('my-cart_1', auth.cc);
    expect(read.data.data).toMatchObject({ id: 'my-cart_1', name: 'Mine' });
  });

  it('generates a fresh, safe id when none is given', async () => {
    const first = await createCart(auth.cc, { name: 'First' });
    const second = await createCart(auth.cc, { name: 'Second' });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(first.data.data.id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(second.data.data.id).not.toBe(first.data.data.id);
    expect((await getCart(first.data.data.id, auth.cc)).data.data.name).toBe('First');
  });

  it('a missing name answers 400 with source data.name', async () => {
    const response = await createCart(auth.cc, { id: 'nameless', description: 'no name' });
    expect(response.statusCode).toBe(400);
    expect(errorOf(response)).toMatchObject({ status: 400, title: 'required', source: 'data.name' });
    expect(stub.store.cart('nameless')).toBeUndefined();
  });

  it.each([
    ['blank', '   '],
    ['empty', ''],
    ['256 characters long', 'n'.repeat(256)],
  ])('a name that is %s answers 400 with source data.name', async (_, name) => {
    const response = await createCart(auth.cc, { name });
    expect(response.statusCode).toBe(400);
    expect(errorOf(response)).toMatchObject({ status: 400, source: 'data.name' });
  });

  it('a name of 255 characters is accepted', async () => {
    const response = await createCart(auth.cc, { name: 'n'.repeat(255) });
    expect(response.statusCode).toBe(201);
    expect(response.data.data.name).toBe('n'.repeat(255));
  });

  it.each([
    ['an unsafe character', 'bad!id'],
    ['a space', 'bad id'],
    ['65 characters', 'x'.repeat(65)],
  ])('an id with %s answers 400 with source data.id', async (_, id) => {
    const response = await createCart(auth.cc, { id, name: 'Bad id' });
    expect(response.statusCode).toBe(400);
    expect(errorOf(response)).toMatchObject({ status: 400, source: 'data.id' });
  });

  it('an id already used answers 409 Conflict and leaves that cart as it was', async () => {
    const before = stub.store.cart('demo-cart-empty');
    const response = await createCart(auth.cc, { id: 'demo-cart-empty', name: 'Taken' });
    expect(response.statusCode).toBe(409);
    expect(errorOf(response)).toMatchObject({ status: 409, title: 'Conflict' });
    expect(stub.store.cart('demo-cart-empty')).toEqual(before);
  });

  it("with an implicit token and a customer token the cart is created associated with that customer", async () => {
    const response = await createCart({ ...auth.implicit, ...auth.carol }, { id: 'carol-new', name: "Carol's second cart" });
    expect(response.statusCode).toBe(201);
    expect(response.data.data.relationships.customers).toEqual({ data: [{ type: 'customer', id: ids.carol }] });
    expect(response.data.data.relationships).not.toHaveProperty('accounts');
    expect(idsOf(await listCarts({ ...auth.implicit, ...auth.carol }))).toContain('carol-new');
  });

  it('with an implicit token and an account token the cart is created associated with that account', async () => {
    const response = await createCart({ ...auth.implicit, ...auth.aliceAcme }, { id: 'acme-new', name: "Acme's second cart" });
    expect(response.statusCode).toBe(201);
    expect(response.data.data.relationships.accounts).toEqual({ data: [{ type: 'account', id: ids.acme }] });
    expect(response.data.data.relationships).not.toHaveProperty('customers');
    expect(idsOf(await listCarts({ ...auth.implicit, ...auth.aliceAcme }))).toContain('acme-new');
  });

  it('an unknown bearer answers 401', async () => {
    const response = await createCart({ authorization: 'Bearer nope' }, { name: 'x' });
    expect(response.statusCode).toBe(401);
    expect(errorOf(response).title).toBe('Unable to validate access token');
  });
});

describe('GET /v2/carts/:id', () => {
  stubPerDescribe();

  it('an unknown id answers 200 with a new, empty cart named Cart', async () => {
    const now = stub.clock.iso();
    const response = await getCart('brand-new-cart', auth.implicit);
    expect(response.statusCode).toBe(200);
    const cart = response.data.data;
    expect(cart).toMatchObject({ id: 'brand-new-cart', type: 'cart', name: 'Cart' });
    expect(cart.meta.timestamps).toEqual({ created_at: now, updated_at: now, expires_at: plusWeek(now) });
    expect(cart.relationships).toEqual({ items: { data: null } });
    stub.clock.advance(1000);
    const again = await getCart('brand-new-cart', auth.cc);
    expect(again.data.data.meta.timestamps.created_at).toBe(now);
  });

  it('a cart with owners is readable with client_credentials', async () => {
    const carol = await getCart('demo-cart-carol', auth.cc);
    expect(carol.statusCode).toBe(200);
    expect(carol.data.data.relationships.customers.data).toEqual([{ type: 'customer', id: ids.carol }]);
    const acme = await getCart('demo-cart-acme', auth.cc);
    expect(acme.statusCode).toBe(200);
    expect(acme.data.data.relationships.accounts.data).toEqual([{ type: 'account', id: ids.acme }]);
  });

  it("a cart with owners is readable with an owner's shopper token", async () => {
    const carol = await getCart('demo-cart-carol', { ...auth.implicit, ...auth.carol });
    expect(carol.statusCode).toBe(200);
    expect(carol.data.data.name).toBe("Carol's cart");
    const acme = await getCart('demo-cart-acme', { ...auth.implicit, ...auth.aliceAcme });
    expect(acme.statusCode).toBe(200);
    expect(acme.data.data.name).toBe("Acme's cart");
  });

  it.each([
    ["Dave's customer token on Carol's cart", 'demo-cart-carol', auth.dave],
    ["Bob's Globex token on Acme's cart", 'demo-cart-acme', auth.bobGlobex],
    ["Alice's Globex token on Acme's cart (same member, other account)", 'demo-cart-acme', auth.aliceGlobex],
    ["Carol's customer token on Acme's cart", 'demo-cart-acme', auth.carol],
  ])("another shopper's token answers 403 Forbidden: %s", async (_, cartId, shopper) => {
    for (const bearer of [auth.implicit, auth.cc]) {
      const response = await getCart(cartId, { ...bearer, ...shopper });
      expect(response.statusCode).toBe(403);
      expect(errorOf(response)).toMatchObject({ status: 403, title: 'Forbidden' });
    }
  });

  it('an implicit token without a shopper token answers 403 on a cart with owners', async () => {
    for (const cartId of ['demo-cart-carol', 'demo-cart-acme']) {
      const response = await getCart(cartId, auth.implicit);
      expect(response.statusCode).toBe(403);
      expect(errorOf(response)).toMatchObject({ status: 403, title: 'Forbidden' });
    }
  });

  it('a cart nobody owns is readable with an implicit token, with or without a shopper token', async () => {
    const bare = await getCart('demo-cart-empty', auth.implicit);
    expect(bare.statusCode).toBe(200);
    expect(bare.data.data).toMatchObject({ id: 'demo-cart-empty', name: 'Empty cart', description: 'Nobody owns this cart yet' });
    expect((await getCart('demo-cart-empty', { ...auth.implicit, ...auth.dave })).statusCode).toBe(200);
  });

  it('a cart id with unsafe characters answers 400', async () => {
    const response = await getCart('bad!id', auth.cc);
    expect(response.statusCode).toBe(400);
  });
});

describe('PUT /v2/carts/:id', () => {
  stubPerDescribe();

  it('answers 200 with the renamed cart and moves updated_at (and expires_at)', async () => {
    const before = (await getCart('demo-cart-empty', auth.cc)).data.data;
    stub.clock.advance(60_000);
    const now = stub.clock.iso();
    const response = await updateCart('demo-cart-empty', auth.cc, { name: 'Renamed', description: 'Renamed too' });
    expect(response.statusCode).toBe(200);
    const cart = response.data.data;
    expect(cart).toMatchObject({ id: 'demo-cart-empty', name: 'Renamed', description: 'Renamed too' });
    expect(cart.meta.timestamps).toEqual({ created_at: before.meta.timestamps.created_at, updated_at: now, expires_at: plusWeek(now) });
    expect(cart.meta.timestamps.updated_at > before.meta.timestamps.updated_at).toBe(true);
    expect((await getCart('demo-cart-empty', auth.cc)).data.data.name).toBe('Renamed');
  });

  it("an owner's shopper token may rename the cart, which keeps its owners", async () => {
    const response = await updateCart('demo-cart-carol', { ...auth.implicit, ...auth.carol }, { name: 'Still Carol’s' });
    expect(response.statusCode).toBe(200);
    expect(response.data.data.name).toBe('Still Carol’s');
    expect(response.data.data.relationships.customers.data).toEqual([{ type: 'customer', id: ids.carol }]);
  });

  it.each([
    ['blank', '   '],
    ['empty', ''],
    ['256 characters long', 'n'.repeat(256)],
  ])('a name that is %s answers 400 with source data.name and changes nothing', async (_, name) => {
    const before = stub.store.cart('demo-cart-2');
    const response = await updateCart('demo-cart-2', auth.cc, { name });
    expect(response.statusCode).toBe(400);
    expect(errorOf(response)).toMatchObject({ status: 400, source: 'data.name' });
    expect(stub.store.cart('demo-cart-2')).toEqual(before);
  });

  it('an unknown cart answers 404 Not Found and is not created', async () => {
    const response = await updateCart('no-such-cart', auth.cc, { name: 'Ghost' });
    expect(response.statusCode).toBe(404);
    expect(errorOf(response)).toMatchObject({ status: 404, title: 'Not Found', detail: 'Cart not found' });
    expect(stub.store.cart('no-such-cart')).toBeUndefined();
  });

  it("another shopper's token answers 403 Forbidden and changes nothing", async () => {
    const before = stub.store.cart('demo-cart-carol');
    for (const headers of [{ ...auth.implicit, ...auth.dave }, { ...auth.cc, ...auth.dave }, auth.implicit]) {
      const response = await updateCart('demo-cart-carol', headers, { name: 'Hijacked' });
      expect(response.statusCode).toBe(403);
      expect(errorOf(response)).toMatchObject({ status: 403, title: 'Forbidden' });
    }
    expect(stub.store.cart('demo-cart-carol')).toEqual(before);
  });
});

describe('DELETE /v2/carts/:id', () => {
  stubPerTest();

  it('answers 204; the cart and its associations are gone, and a GET then answers a new empty cart', async () => {
    const response = await deleteCart('demo-cart-acme', auth.cc);
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    expect(idsOf(await listCarts({ ...auth.implicit, ...auth.aliceAcme }))).toEqual([]);
    const read = await getCart('demo-cart-acme', auth.cc);
    expect(read.statusCode).toBe(200);
    expect(read.data.data).toMatchObject({ id: 'demo-cart-acme', name: 'Cart', description: '' });
    expect(read.data.data.relationships).toEqual({ items: { data: null } });
  });

  it("an owner's shopper token may delete the cart", async () => {
    const response = await deleteCart('demo-cart-acme', { ...auth.implicit, ...auth.aliceAcme });
    expect(response.statusCode).toBe(204);
    expect(stub.store.cart('demo-cart-acme')).toBeUndefined();
  });

  it("a customer's only cart answers 400 Last cart, whoever asks, and stays", async () => {
    for (const headers of [auth.cc, { ...auth.implicit, ...auth.carol }]) {
      const response = await deleteCart('demo-cart-carol', headers);
      expect(response.statusCode).toBe(400);
      expect(errorOf(response)).toMatchObject({ status: 400, title: 'Last cart', detail: LAST_CART_DETAIL });
    }
    expect(stub.store.cart('demo-cart-carol')).toBeDefined();
    expect(idsOf(await listCarts({ ...auth.implicit, ...auth.carol }))).toEqual(['demo-cart-carol']);
  });

  it("once the customer has a second cart the first can be deleted; the second is then the last", async () => {
    const carol = { ...auth.implicit, ...auth.carol };
    expect((await createCart(carol, { id: 'carol-second', name: 'Second' })).statusCode).toBe(201);
    expect((await deleteCart('demo-cart-carol', carol)).statusCode).toBe(204);
    expect(idsOf(await listCarts(carol))).toEqual(['carol-second']);
    const last = await deleteCart('carol-second', carol);
    expect(last.statusCode).toBe(400);
    expect(errorOf(last)).toMatchObject({ title: 'Last cart', detail: LAST_CART_DETAIL });
  });

  it("another shopper's token answers 403 Forbidden and deletes nothing", async () => {
    await createCart({ ...auth.implicit, ...auth.carol }, { id: 'carol-second', name: 'Second' });
    const cases: [string, Headers][] = [
      ['demo-cart-carol', { ...auth.implicit, ...auth.dave }],
      ['demo-cart-carol', { ...auth.cc, ...auth.dave }],
      ['demo-cart-carol', auth.implicit],
      ['demo-cart-acme', { ...auth.implicit, ...auth.bobGlobex }],
      ['demo-cart-acme', { ...auth.implicit, ...auth.aliceGlobex }],
    ];
    for (const [cartId, headers] of cases) {
      const response = await deleteCart(cartId, headers);
      expect(response.statusCode, `${cartId} ${JSON.stringify(headers)}`).toBe(403);
      expect(errorOf(response)).toMatchObject({ status: 403, title: 'Forbidden' });
    }
    expect(stub.store.cart('demo-cart-carol')).toBeDefined();
    expect(stub.store.cart('demo-cart-acme')).toBeDefined();
  });

  it('an unknown cart answers 404 Not Found', async () => {
    const response = await deleteCart('no-such-cart', auth.cc);
    expect(response.statusCode).toBe(404);
    expect(errorOf(response)).toMatchObject({ status: 404, title: 'Not Found', detail: 'Cart not found' });
  });
});

describe('GET /v2/carts', () => {
  describe('whose carts', () => {
    stubPerDescribe();

    it('client_credentials without a shopper token lists every cart', async () => {
      const response = await listCarts(auth.cc);
      expect(response.statusCode).toBe(200);
      expect(idsOf(response).sort()).toEqual(
        ['demo-cart-2', 'demo-cart-acme', 'demo-cart-carol', 'demo-cart-contact', 'demo-cart-empty'].sort(),
      );
      expect(response.data.meta.results.total).toBe(5);
    });

    it("implicit with an account token lists only that account's carts", async () => {
      const acme = await listCarts({ ...auth.implicit, ...auth.aliceAcme });
      expect(acme.statusCode).toBe(200);
      expect(idsOf(acme)).toEqual(['demo-cart-acme']);
      expect(acme.data.meta.results.total).toBe(1);
      const globex = await listCarts({ ...auth.implicit, ...auth.aliceGlobex });
      expect(idsOf(globex)).toEqual([]);
      expect(globex.data.meta.results.total).toBe(0);
    });

    it("implicit with a customer token lists only that customer's carts", async () => {
      const carol = await listCarts({ ...auth.implicit, ...auth.carol });
      expect(carol.statusCode).toBe(200);
      expect(idsOf(carol)).toEqual(['demo-cart-carol']);
      expect(idsOf(await listCarts({ ...auth.implicit, ...auth.dave }))).toEqual([]);
    });

    it('a shopper token scopes the list whatever the bearer', async () => {
      expect(idsOf(await listCarts({ ...auth.cc, ...auth.carol }))).toEqual(['demo-cart-carol']);
    });

    it('implicit with both an account and a customer token answers 400', async () => {
      const response = await listCarts({ ...auth.implicit, ...auth.aliceAcme, ...auth.carol });
      expect(response.statusCode).toBe(400);
      expect(errorOf(response).status).toBe(400);
    });

    it('implicit with neither an account nor a customer token answers 403', async () => {
      const response = await listCarts(auth.implicit);
      expect(response.statusCode).toBe(403);
      expect(errorOf(response).status).toBe(403);
    });
  });

  describe('order', () => {
    stubPerDescribe();

    it('lists the most recently updated cart first; an association moves a cart to the top', async () => {
      const dave = { ...auth.implicit, ...auth.dave };
      for (const id of ['dave-a', 'dave-b', 'dave-c']) {
        expect((await createCart(dave, { id, name: id })).statusCode).toBe(201);
        stub.clock.advance(1000);
      }
      const first = await listCarts(dave);
      expect(idsOf(first)).toEqual(['dave-c', 'dave-b', 'dave-a']);
      const stamps = (first.data.data as { meta: { timestamps: { updated_at: string } } }[]).map((c) => c.meta.timestamps.updated_at);
      expect([...stamps].sort().reverse()).toEqual(stamps);

      stub.clock.advance(1000);
      expect((await association('POST', 'dave-a', 'account', ids.initech, auth.cc)).statusCode).toBe(200);
      expect(idsOf(await listCarts(dave))).toEqual(['dave-a', 'dave-c', 'dave-b']);
      expect(idsOf(await listCarts(auth.cc))[0]).toBe('dave-a');
    });
  });

  describe('pagination', () => {
    stubPerDescribe();
    const dave = { ...auth.implicit, ...auth.dave };
    /** Dave's 25 carts, newest first. */
    const newestFirst = Array.from({ length: 25 }, (_, i) => `dave-${String(25 - i).padStart(2, '0')}`);

    beforeAll(async () => {
      for (const id of [...newestFirst].reverse()) {
        expect((await createCart(dave, { id, name: id })).statusCode).toBe(201);
        stub.clock.advance(1000);
      }
    });

    it('page[limit]=10&page[offset]=10 answers the second page of ten, with meta and full-URL links', async () => {
      const response = await listCarts(dave, '?page[limit]=10&page[offset]=10');
      expect(response.statusCode).toBe(200);
      expect(idsOf(response)).toEqual(newestFirst.slice(10, 20));
      expect(response.data.meta).toEqual({ page: { limit: 10, offset: 10, current: 2, total: 3 }, results: { total: 25 } });
      const { links } = response.data;
      expect(pageOf(links.current)).toEqual({ offset: 10, limit: 10 });
      expect(pageOf(links.first)).toEqual({ offset: 0, limit: 10 });
      expect(pageOf(links.last)).toEqual({ offset: 20, limit: 10 });
      expect(pageOf(links.prev)).toEqual({ offset: 0, limit: 10 });
      expect(pageOf(links.next)).toEqual({ offset: 20, limit: 10 });
    });

    it('the first page has prev null; the last page has next null and holds the rest', async () => {
      const first = await listCarts(dave, '?page[limit]=10');
      expect(idsOf(first)).toEqual(newestFirst.slice(0, 10));
      expect(first.data.meta.page).toEqual({ limit: 10, offset: 0, current: 1, total: 3 });
      expect(first.data.links.prev).toBeNull();
      expect(pageOf(first.data.links.next)).toEqual({ offset: 10, limit: 10 });
      expect(pageOf(first.data.links.last)).toEqual({ offset: 20, limit: 10 });

      const last = await listCarts(dave, '?page[limit]=10&page[offset]=20');
      expect(idsOf(last)).toEqual(newestFirst.slice(20));
      expect(last.data.meta.page).toEqual({ limit: 10, offset: 20, current: 3, total: 3 });
      expect(last.data.links.next).toBeNull();
      expect(pageOf(last.data.links.prev)).toEqual({ offset: 10, limit: 10 });
      expect(pageOf(last.data.links.last)).toEqual({ offset: 20, limit: 10 });
    });

    it('following the next links walks every cart once', async () => {
      const seen: string[] = [];
      let link: string | null = `http://localhost/v2/carts?page[offset]=0&page[limit]=10`;
      for (let pages = 0; link !== null && pages < 5; pages += 1) {
        const url: URL = new URL(link);
        const response = await listCarts(dave, url.search);
        expect(response.statusCode).toBe(200);
        seen.push(...idsOf(response));
        link = response.data.links.next;
      }
      expect(seen).toEqual(newestFirst);
    });

    it('percent-encoded brackets work the same', async () => {
      const response = await listCarts(dave, '?page%5Blimit%5D=5&page%5Boffset%5D=5');
      expect(response.statusCode).toBe(200);
      expect(idsOf(response)).toEqual(newestFirst.slice(5, 10));
      expect(response.data.meta.page).toEqual({ limit: 5, offset: 5, current: 2, total: 5 });
    });

    it('the default limit is 20 and the default offset 0', async () => {
      const response = await listCarts(dave);
      expect(idsOf(response)).toEqual(newestFirst.slice(0, 20));
      expect(response.data.meta).toEqual({ page: { limit: 20, offset: 0, current: 1, total: 2 }, results: { total: 25 } });
      expect(pageOf(response.data.links.next)).toEqual({ offset: 20, limit: 20 });
    });

    it('page[limit]=100 and page[offset]=10000 are within range', async () => {
      const all = await listCarts(dave, '?page[limit]=100');
      expect(all.statusCode).toBe(200);
      expect(idsOf(all)).toEqual(newestFirst);
      const far = await listCarts(dave, '?page[offset]=10000');
      expect(far.statusCode).toBe(200);
      expect(idsOf(far)).toEqual([]);
    });

    it.each([
      'page[limit]=0',
      'page[limit]=101',
      'page[offset]=10001',
      'page[offset]=-1',
      'page[limit]=abc',
      'page%5Blimit%5D=0',
    ])('%s answers 400', async (query) => {
      const response = await listCarts(dave, `?${query}`);
      expect(response.statusCode).toBe(400);
      expect(errorOf(response).status).toBe(400);
    });
  });
});

describe('cart expiry', () => {
  stubPerTest();

  it('a cart not updated for seven days is gone: not listed, PUT/DELETE 404, and GET answers a new empty cart', async () => {
    await createCart(auth.cc, { id: 'old-cart', name: 'Old cart', description: 'Soon gone' });
    stub.clock.advance(WEEK_MS - 1);
    expect(idsOf(await listCarts(auth.cc))).toContain('old-cart');
    expect((await getCart('old-cart', auth.cc)).data.data.name).toBe('Old cart');

    stub.clock.advance(2);
    const list = await listCarts(auth.cc);
    expect(idsOf(list)).not.toContain('old-cart');
    expect(list.data.meta.results.total).toBe(0);
    expect(idsOf(await listCarts({ ...auth.implicit, ...auth.carol }))).toEqual([]);
    expect((await updateCart('old-cart', auth.cc, { name: 'Revived' })).statusCode).toBe(404);
    expect((await deleteCart('old-cart', auth.cc)).statusCode).toBe(404);

    const now = stub.clock.iso();
    const fresh = await getCart('old-cart', auth.cc);
    expect(fresh.statusCode).toBe(200);
    expect(fresh.data.data).toMatchObject({ id: 'old-cart', name: 'Cart', description: '' });
    expect(fresh.data.data.meta.timestamps.created_at).toBe(now);
  });

  it('an expired customer cart no longer counts as their last cart', async () => {
    const carol = { ...auth.implicit, ...auth.carol };
    stub.clock.advance(WEEK_MS + 1);
    await createCart(carol, { id: 'carol-fresh', name: 'Fresh' });
    expect(idsOf(await listCarts(carol))).toEqual(['carol-fresh']);
    expect((await deleteCart('carol-fresh', carol)).statusCode).toBe(400);
  });

  it('an association moves updated_at and expires_at forward, so the cart lives on', async () => {
    await createCart(auth.cc, { id: 'kept-cart', name: 'Kept' });
    stub.clock.advance(3 * DAY_MS);
    const now = stub.clock.iso();
    expect((await association('POST', 'kept-cart', 'account', ids.acme, auth.cc)).statusCode).toBe(200);
    const associated = (await getCart('kept-cart', auth.cc)).data.data;
    expect(associated.meta.timestamps.updated_at).toBe(now);
    expect(associated.meta.timestamps.expires_at).toBe(plusWeek(now));

    stub.clock.advance(5 * DAY_MS); // eight days after creation, five after the association
    const acme = { ...auth.implicit, ...auth.aliceAcme };
    expect(idsOf(await listCarts(acme))).toEqual(['kept-cart']);
    const read = await getCart('kept-cart', acme);
    expect(read.statusCode).toBe(200);
    expect(read.data.data).toMatchObject({ name: 'Kept', relationships: { accounts: { data: [{ type: 'account', id: ids.acme }] } } });

    stub.clock.advance(2 * DAY_MS + 1);
    expect(idsOf(await listCarts(acme))).toEqual([]);
  });
});

interface Shopper {
  name: string;
  kind: ShopperKind;
  /** The account or customer the token is for. */
  id: string;
  token: Headers;
}

const carol: Shopper = { name: 'customer Carol', kind: 'customer', id: ids.carol, token: auth.carol };
const dave: Shopper = { name: 'customer Dave', kind: 'customer', id: ids.dave, token: auth.dave };
const aliceAcme: Shopper = { name: 'Alice for Acme', kind: 'account', id: ids.acme, token: auth.aliceAcme };
const bobGlobex: Shopper = { name: 'Bob for Globex', kind: 'account', id: ids.globex, token: auth.bobGlobex };

const bearers = { implicit: auth.implicit, client_credentials: auth.cc };

describe("one shopper's tokens never reach another shopper's carts", () => {
  stubPerDescribe();
  let run = 0;

  const cases = [
    [carol, dave],
    [dave, carol],
    [aliceAcme, bobGlobex],
    [bobGlobex, aliceAcme],
  ].flatMap(([a, b]) =>
    (Object.keys(bearers) as (keyof typeof bearers)[]).map((bearer) => [a!.name, b!.name, bearer, a!, b!] as const),
  );

  it.each(cases)("%s's token never reads, lists, changes, deletes, associates or dissociates %s's cart (%s bearer)", async (_a, _b, bearer, a, b) => {
    const cartId = `b-cart-${(run += 1)}`;
    const created = await createCart({ ...auth.implicit, ...b.token }, { id: cartId, name: "B's cart", description: 'Hands off' });
    expect(created.statusCode).toBe(201);
    const before = stub.store.cart(cartId);
    const asA = { ...bearers[bearer], ...a.token };
    const otherKind: ShopperKind = a.kind === 'account' ? 'customer' : 'account';
    const someoneOfOtherKind = otherKind === 'account' ? ids.initech : ids.carol;

    const listed = await listCarts(asA);
    const statuses = {
      read: (await getCart(cartId, asA)).statusCode,
      list: listed.statusCode,
      update: (await updateCart(cartId, asA, { name: 'Hijacked' })).statusCode,
      delete: (await deleteCart(cartId, asA)).statusCode,
      [`associate A's ${a.kind}`]: (await association('POST', cartId, a.kind, a.id, asA)).statusCode,
      [`associate B's ${b.kind}`]: (await association('POST', cartId, b.kind, b.id, asA)).statusCode,
      [`associate some ${otherKind}`]: (await association('POST', cartId, otherKind, someoneOfOtherKind, asA)).statusCode,
      [`dissociate B's ${b.kind}`]: (await association('DELETE', cartId, b.kind, b.id, asA)).statusCode,
    };
    expect(statuses).toEqual({
      read: 403,
      list: 200,
      update: 403,
      delete: 403,
      [`associate A's ${a.kind}`]: 403,
      [`associate B's ${b.kind}`]: 403,
      [`associate some ${otherKind}`]: 403,
      [`dissociate B's ${b.kind}`]: 403,
    });
    expect(idsOf(listed)).not.toContain(cartId);

    expect(stub.store.cart(cartId)).toEqual(before);
    const asB = await getCart(cartId, { ...auth.implicit, ...b.token });
    expect(asB.statusCode).toBe(200);
    expect(asB.data.data.name).toBe("B's cart");
    expect(asB.data.data.relationships[plural(b.kind)].data).toEqual([{ type: b.kind, id: b.id }]);
  });

  it("a member's token for another account of theirs does not reach the first account's cart", async () => {
    const asAliceGlobex = { ...auth.implicit, ...auth.aliceGlobex };
    expect((await getCart('demo-cart-acme', asAliceGlobex)).statusCode).toBe(403);
    expect((await updateCart('demo-cart-acme', asAliceGlobex, { name: 'Hijacked' })).statusCode).toBe(403);
    expect((await association('DELETE', 'demo-cart-acme', 'account', ids.acme, asAliceGlobex)).statusCode).toBe(403);
    expect(stub.store.cart('demo-cart-acme')?.account_ids).toEqual([ids.acme]);
  });
});
