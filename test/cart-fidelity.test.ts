/**
 * Behaviour › Carts, rows 18–24, and what the newest carts spec and the official clients expect of every cart
 * answer: filters and includes, custom attributes, preview carts, the contact email the other way, the display
 * currency; the account-member tokens' meta; the token endpoint's errors; 501 for Elastic Path's other routes.
 * Every answer is also checked against the stub's own document and Elastic Path's schema (test/support/stub.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { elasticPathRoutesModule } from '../scripts/elastic-path-routes.js';
import { loadContract } from '../src/contract/document.js';
import { REFERENCE_DIR } from './support/contract.js';
import { REPO_DIR } from './support/processes.js';
import { auth, errorOf, ids, loginMember, startTestStub, type TestStub } from './support/stub.js';

const contract = await loadContract();
let stub: TestStub;
beforeAll(async () => {
  stub = await startTestStub({ contract });
  stub.clock.freeze();
});
afterAll(() => stub.close());

type Headers = Record<string, string>;
let counter = 0;

async function newCart(data: Record<string, unknown> = {}, headers: Headers = auth.cc): Promise<string> {
  const id = `fidelity-${++counter}`;
  const response = await stub.request({ method: 'POST', url: '/v2/carts', headers, json: { data: { id, name: `Fidelity cart ${counter}`, ...data } } });
  expect(response.statusCode).toBe(201);
  return id;
}

const put = (id: string, data: Record<string, unknown>, headers: Headers = auth.cc) =>
  stub.request({ method: 'PUT', url: `/v2/carts/${id}`, headers, json: { data } });
const get = (id: string, headers: Headers = auth.cc, query = '') => stub.request({ method: 'GET', url: `/v2/carts/${id}${query}`, headers });
const list = (query: string, headers: Headers = auth.cc) => stub.request({ method: 'GET', url: `/v2/carts${query}`, headers });
const associateAccount = (cartId: string, accountId: string) =>
  stub.request({ method: 'POST', url: `/v2/carts/${cartId}/relationships/accounts`, headers: auth.cc, json: { data: [{ type: 'account', id: accountId }] } });
const listedIds = (response: { data: any }) => (response.data.data as { id: string }[]).map((cart) => cart.id);
const filter = (expression: string) => `?filter=${encodeURIComponent(expression)}&page[limit]=100`;

describe('carts.18: GET /v2/carts?filter= as the newest carts spec documents it', () => {
  let office: string;
  let officeOfGlobex: string;
  let holiday: string;
  beforeAll(async () => {
    office = await newCart({ name: 'Office supplies Q3' });
    officeOfGlobex = await newCart({ name: 'office chairs' });
    holiday = await newCart({ name: 'Holiday Cart' });
    expect((await associateAccount(office, ids.acme)).statusCode).toBe(200);
    expect((await associateAccount(officeOfGlobex, ids.globex)).statusCode).toBe(200);
  });

  it('contains(account_ids,"…") lists only the carts of that account, answered by carts.18', async () => {
    const response = await list(filter(`contains(account_ids,"${ids.globex}")`));
    expect(response.statusCode).toBe(200);
    expect(response.headers['ep-stub-rule']).toBe('carts.18');
    expect(listedIds(response)).toEqual([officeOfGlobex]);
    expect(response.data.meta.results.total).toBe(1);
  });

  it('ilike(name,"…") matches in any case, * standing for any run of characters', async () => {
    expect(listedIds(await list(filter('ilike(name,"office*")')))).toEqual([officeOfGlobex, office]);
    expect(listedIds(await list(filter('ilike(name,"*CART")')))).toContain(holiday);
    expect(listedIds(await list(filter('ilike(name,"holiday cart")')))).toEqual([holiday]);
    expect(listedIds(await list(filter('ilike(name,"Holiday")')))).toEqual([]);
  });

  it(': is and, | is or, and : binds tighter', async () => {
    expect(listedIds(await list(filter(`contains(account_ids,"${ids.acme}"):ilike(name,"Office*")`)))).toEqual([office]);
    // Newest first: associating officeOfGlobex made it newer than holiday.
    expect(listedIds(await list(filter(`contains(account_ids,"${ids.globex}")|ilike(name,"Holiday*")`)))).toEqual([officeOfGlobex, holiday]);
    expect(listedIds(await list(filter(`ilike(name,"Holiday*")|contains(account_ids,"${ids.acme}"):ilike(name,"nothing")`)))).toEqual([holiday]);
  });

  it("a shopper's filter applies to that shopper's carts only, and pages count what matched", async () => {
    const response = await list(`?filter=${encodeURIComponent('ilike(name,"*")')}&page[limit]=1`, { ...auth.implicit, ...auth.aliceAcme });
    expect(response.statusCode).toBe(200);
    expect(response.data.data).toHaveLength(1);
    const acmeCarts = (await list('?page[limit]=100', { ...auth.implicit, ...auth.aliceAcme })).data.meta.results.total;
    expect(response.data.meta.results.total).toBe(acmeCarts);
    expect(response.data.meta.page.total).toBe(acmeCarts);
  });
});

describe('carts.19: any other filter answers 400 naming it, never every cart', () => {
  it.each([
    ['eq(name,"Holiday Cart")', /eq\(name,…\) is not supported/],
    ['contains(name,"x")', /contains\(name,…\) is not supported/],
    ['ilike(account_ids,"x")', /ilike\(account_ids,…\) is not supported/],
    ['ilike(name,"x"', /cannot read/],
    ['name=Holiday', /cannot read/],
  ])('filter=%s answers 400 Bad Request with source filter', async (expression, detail) => {
    const response = await list(filter(expression));
    expect(response.statusCode).toBe(400);
    expect(response.headers['ep-stub-rule']).toBe('carts.19');
    expect(errorOf(response)).toMatchObject({ status: 400, title: 'Bad Request', source: 'filter', detail: expect.stringMatching(detail) });
  });
});

describe('include: the included member the SDK types describe (carts.6), and carts.20 for other names', () => {
  it('GET /v2/carts/:id?include=items,tax_items,custom_discounts,promotions answers an empty list of each', async () => {
    const id = await newCart();
    const response = await get(id, auth.cc, '?include=items,tax_items,custom_discounts,promotions');
    expect(response.statusCode).toBe(200);
    expect(response.data.included).toEqual({ items: [], tax_items: [], custom_discounts: [], promotions: [] });
    expect((await get(id)).data.included).toBeUndefined();
  });

  it('GET /v2/carts?include=custom_discounts adds included to the list', async () => {
    const response = await list('?include=custom_discounts');
    expect(response.statusCode).toBe(200);
    expect(response.data.included).toEqual({ custom_discounts: [] });
  });

  it('an include of anything else answers 400 with source include (carts.20)', async () => {
    const response = await get(await newCart(), auth.cc, '?include=items,everything');
    expect(response.statusCode).toBe(400);
    expect(response.headers['ep-stub-rule']).toBe('carts.20');
    expect(errorOf(response)).toMatchObject({ title: 'Bad Request', source: 'include' });
  });
});

describe('carts.21: PUT of a contact email on a registered shopper\'s cart answers 422', () => {
  it('a cart with an account refuses the contact email and keeps what it had', async () => {
    const id = await newCart();
    expect((await associateAccount(id, ids.acme)).statusCode).toBe(200);
    const was = (await get(id)).data.data;
    const response = await put(id, { name: 'Renamed', contact: { email: 'guest@example.com' } });
    expect(response.statusCode).toBe(422);
    expect(response.headers['ep-stub-rule']).toBe('carts.21');
    expect(errorOf(response)).toMatchObject({ title: 'Cannot associate accounts to carts with contact emails', detail: "The cart has an account; a registered shopper's cart cannot have a contact email" });
    expect((await get(id)).data.data).toEqual(was);
  });

  it('a cart with a customer refuses it with the customer title', async () => {
    const id = await newCart({}, { ...auth.implicit, ...auth.carol });
    const response = await put(id, { contact: { email: 'guest@example.com' } });
    expect(response.statusCode).toBe(422);
    expect(errorOf(response).title).toBe('Cannot associate customers to carts with contact emails');
  });

  it('a cart nobody owns takes a contact email (200), and a registered cart takes other changes', async () => {
    const guest = await newCart();
    expect((await put(guest, { contact: { email: 'guest@example.com' } })).data.data.contact).toEqual({ email: 'guest@example.com' });
    const owned = await newCart();
    await associateAccount(owned, ids.acme);
    expect((await put(owned, { name: 'Renamed' })).statusCode).toBe(200);
  });
});

describe('custom_attributes (carts.22): kept, returned, replaced as a whole by PUT', () => {
  const typed = { membership: { type: 'string', value: 'VIP' }, visits: { type: 'integer', value: 3 }, ratio: { type: 'float', value: 0.5 }, member: { type: 'boolean', value: true } };

  it('POST keeps typed attributes and every answer returns them; PUT with attributes replaces them all', async () => {
    const id = await newCart({ custom_attributes: typed });
    expect((await get(id)).data.data.custom_attributes).toEqual(typed);
    const replaced = await put(id, { custom_attributes: { tier: { type: 'string', value: 'gold' } } });
    expect(replaced.data.data.custom_attributes).toEqual({ tier: { type: 'string', value: 'gold' } });
    expect((await put(id, { name: 'Renamed' })).data.data.custom_attributes).toEqual({ tier: { type: 'string', value: 'gold' } });
  });

  it.each([
    ['a value not of its type', { visits: { type: 'integer', value: 2.5 } }],
    ['a string for a boolean', { member: { type: 'boolean', value: 'yes' } }],
    ['an unknown type', { when: { type: 'date', value: '2026-01-01' } }],
    ['no value', { membership: { type: 'string' } }],
    ['21 attributes', Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`a${i}`, { type: 'integer', value: i }]))],
  ])('%s answers 400 Bad Request and changes nothing', async (_, attributes) => {
    const id = await newCart({ custom_attributes: typed });
    const response = await put(id, { custom_attributes: attributes });
    expect(response.statusCode).toBe(400);
    expect(response.headers['ep-stub-rule']).toBe('carts.22');
    expect(errorOf(response)).toMatchObject({ title: 'Bad Request', source: expect.stringMatching(/^data\.custom_attributes/) });
    expect((await get(id)).data.data.custom_attributes).toEqual(typed);
  });
});

describe('snapshot_date (carts.23): a preview cart looks ahead and stays a preview cart', () => {
  const future = () => new Date(Date.parse(stub.clock.iso()) + 30 * 24 * 3600 * 1000).toISOString();

  it('a future date is kept and returned; a PUT may move it', async () => {
    const date = future();
    const id = await newCart({ snapshot_date: date });
    expect((await get(id)).data.data.snapshot_date).toBe(date);
    const later = new Date(Date.parse(date) + 1000).toISOString();
    expect((await put(id, { snapshot_date: later })).data.data.snapshot_date).toBe(later);
  });

  it.each([
    ['a date in the past', '2001-01-01T00:00:00Z', /not in the future/],
    ['not a date-time', 'next week', /snapshot_date/],
    ['removing it (null)', null, /snapshot_date/],
    ['removing it (empty)', '', /snapshot_date/],
  ])('%s answers 400 Bad Request with source data.snapshot_date and changes nothing', async (_, value, detail) => {
    const date = future();
    const id = await newCart({ snapshot_date: date });
    const response = await put(id, { snapshot_date: value });
    expect(response.statusCode).toBe(400);
    expect(response.headers['ep-stub-rule']).toBe('carts.23');
    expect(errorOf(response)).toMatchObject({ title: 'Bad Request', source: 'data.snapshot_date', detail: expect.stringMatching(detail) });
    expect((await get(id)).data.data.snapshot_date).toBe(date);
  });

  it('POST with a date in the past creates nothing', async () => {
    const response = await stub.request({ method: 'POST', url: '/v2/carts', headers: auth.cc, json: { data: { id: 'never-made', name: 'x', snapshot_date: '2001-01-01T00:00:00Z' } } });
    expect(response.statusCode).toBe(400);
    expect(listedIds(await list('?page[limit]=100'))).not.toContain('never-made');
  });
});

describe('the members of a cart the newest spec has', () => {
  it('discount_settings has both booleans, inventory_settings its one, display_price a shipping_discount', async () => {
    const cart = (await get(await newCart({ discount_settings: { use_rule_promotions: true }, inventory_settings: { defer_inventory_check: true } }))).data.data;
    expect(cart.discount_settings).toEqual({ custom_discounts_enabled: false, use_rule_promotions: true });
    expect(cart.inventory_settings).toEqual({ defer_inventory_check: true });
    expect(cart.meta.display_price.shipping_discount).toEqual({ amount: 0, currency: 'USD', formatted: '$0.00' });
    const plain = (await get(await newCart())).data.data;
    expect(plain.discount_settings).toEqual({ custom_discounts_enabled: false, use_rule_promotions: false });
    expect(plain.inventory_settings).toEqual({ defer_inventory_check: false });
  });
});

describe('X-MOLTIN-CURRENCY: the prices in the currency asked for (carts.24 for an unknown one)', () => {
  it('EUR shows every price in euros, formatted as Elastic Path does; without the header, USD', async () => {
    const id = await newCart();
    const euros = (await get(id, { ...auth.cc, 'X-MOLTIN-CURRENCY': 'EUR' })).data.data.meta.display_price;
    for (const price of Object.values(euros)) expect(price).toEqual({ amount: 0, currency: 'EUR', formatted: '€0.00' });
    expect((await get(id)).data.data.meta.display_price.with_tax).toEqual({ amount: 0, currency: 'USD', formatted: '$0.00' });
    const listed = await list('?page[limit]=1', { ...auth.cc, 'x-moltin-currency': 'jpy' });
    expect(listed.data.data[0].meta.display_price.with_tax).toEqual({ amount: 0, currency: 'JPY', formatted: '¥0' });
  });

  it.each(['ZZZ', 'EURO', '€'])('%s answers 400 Bad Request with source x-moltin-currency', async (code) => {
    const response = await get(await newCart(), { ...auth.cc, 'X-MOLTIN-CURRENCY': code });
    expect(response.statusCode).toBe(400);
    expect(response.headers['ep-stub-rule']).toBe('carts.24');
    expect(errorOf(response)).toMatchObject({ title: 'Bad Request', source: 'x-moltin-currency' });
  });
});

describe('account-member tokens: the meta the generated SDK types describe', () => {
  it('the 201 names the member in meta.account_member_id, and its page limit is the documented page size, 25', async () => {
    const response = await loginMember(stub);
    expect(response.statusCode).toBe(201);
    expect(response.data.meta.account_member_id).toBe(ids.alice);
    expect(response.data.meta.page).toEqual({ limit: 25, offset: 0, current: 1, total: 1 });
    expect(response.data.links.current).toMatch(/page\[limit\]=25$/);
  });
});

describe("the token endpoint's errors, as the authentication docs show them (tokens.3)", () => {
  it.each([
    ['no grant_type', 'client_id=demo-storefront', 'grant_type'],
    ['an unknown grant_type', 'grant_type=password&client_id=demo-storefront', 'grant_type'],
    ['no client_id', 'grant_type=implicit', 'client_id'],
  ])('%s (%s) answers 400 {"title":"Bad Request","status":"400"} naming the field', async (_, form, source) => {
    const response = await stub.request({ method: 'POST', url: '/oauth/access_token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form });
    expect(response.statusCode).toBe(400);
    expect(response.headers['ep-stub-rule']).toBe('tokens.3');
    expect(errorOf(response)).toMatchObject({ status: '400', title: 'Bad Request', source });
  });

  it('an unknown path under /oauth answers 404 with a string status, as everything there does', async () => {
    const response = await stub.request({ method: 'POST', url: '/oauth/nothing-here' });
    expect(response.statusCode).toBe(404);
    expect(errorOf(response)).toMatchObject({ status: '404', title: 'Not Found' });
  });
});

describe('route.not-implemented: routes Elastic Path documents and the stub does not have answer 501', () => {
  it("the stub's list of Elastic Path's routes is the one its reference files give (npm run docs writes it)", () => {
    expect(readFileSync(join(REPO_DIR, 'src/http/elastic-path-routes.ts'), 'utf8')).toBe(elasticPathRoutesModule(REFERENCE_DIR));
  });

  it.each([
    ['POST', '/v2/carts/demo-cart-empty/items'],
    ['POST', '/v2/carts/demo-cart-empty/checkout'],
    ['GET', '/v2/carts/demo-cart-empty/shipping-groups'],
    ['POST', '/v2/carts/demo-cart-empty/custom-discounts'],
    ['GET', '/v2/orders'],
    ['GET', '/v2/settings/cart'],
    ['GET', '/v2/accounts'],
  ])('%s %s answers 501 Not Implemented saying what the stub covers', async (method, url) => {
    const response = await stub.request({ method: method as 'GET' | 'POST', url, headers: auth.cc });
    expect(response.statusCode).toBe(501);
    expect(response.headers['ep-stub-rule']).toBe('route.not-implemented');
    expect(errorOf(response)).toMatchObject({ status: 501, title: 'Not Implemented', detail: expect.stringContaining(`${method} ${url}: Elastic Path has this route, the stub does not`) });
  });

  it.each([
    ['GET', '/v2/nothing'],
    ['PATCH', '/v2/carts/demo-cart-empty'],
    ['GET', '/v2/carts/demo-cart-empty/relationships/accounts'],
  ])('%s %s, which Elastic Path does not have, stays 404 No route', async (method, url) => {
    const response = await stub.request({ method: method as 'GET', url, headers: auth.cc });
    expect(response.statusCode).toBe(404);
    expect(response.headers['ep-stub-rule']).toBe('route.unknown');
  });
});
