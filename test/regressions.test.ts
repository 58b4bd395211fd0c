/**
 * Defects the hardening work found (most by the contract fuzzer, `test/fuzz.test.ts`), one test each, named
 * after the defect, so that none comes back.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_FIXTURES_PATH } from '../src/fixtures.js';
import { buildApp } from '../src/http/app.js';
import { startStub } from '../src/index.js';
import { exchange } from './support/raw-http.js';
import { auth, errorOf, ids, startTestStub, type TestStub } from './support/stub.js';

const fixtures = JSON.parse(readFileSync(DEFAULT_FIXTURES_PATH, 'utf8'));
const json = { ...auth.cc, 'content-type': 'application/json' };

let stub: TestStub;
beforeAll(async () => {
  stub = await startTestStub();
});
afterEach(() => stub.reset());
afterAll(() => stub.close());

describe('defects found by hardening, kept fixed', () => {
  it('a URL that does not decode, or a cart id longer than the router takes, answered in Fastify\'s own shape', async () => {
    for (const url of ['/v2/carts/%E0%A4%A', '/v2/carts/%zz/relationships/accounts', `/v2/carts/${'c'.repeat(9000)}`]) {
      const response = await stub.request({ method: 'GET', url, headers: auth.cc });
      expect(response.statusCode, url).toBe(400);
      expect(response.json(), url).toEqual({ errors: [{ status: 400, title: 'Bad Request', detail: expect.any(String) }] });
    }
  });

  it('advancing the clock by 1e308 seconds made every later request answer 500', async () => {
    const before = stub.clock.now();
    for (const body of [{ advance_seconds: 1e308 }, { advance_seconds: 300_000_000_000 }, { freeze: true, at: '9999-12-31T00:00:00Z' }]) {
      const response = await stub.request({ method: 'POST', url: '/__stub/clock', json: body });
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(errorOf(response)).toMatchObject({ title: 'Bad Request', source: 'advance_seconds' in body ? 'advance_seconds' : 'at' });
    }
    expect(stub.clock.frozen).toBe(false);
    expect(stub.clock.now() - before).toBeLessThan(60_000);
    expect((await stub.request({ method: 'GET', url: '/v2/carts', headers: auth.cc })).statusCode).toBe(200);
    // A century ahead is still fine, and so is every timestamp written then.
    expect((await stub.request({ method: 'POST', url: '/__stub/clock', json: { advance_seconds: 100 * 365 * 24 * 3600 } })).statusCode).toBe(200);
    expect((await stub.request({ method: 'GET', url: '/v2/carts/after-a-century', headers: auth.cc })).statusCode).toBe(200);
  });

  it('page[limit]=Infinity passed validation (Ajv skips minimum and maximum on coerced infinities) and answered 500', async () => {
    for (const query of ['page[limit]=Infinity', 'page[limit]=-Infinity', 'page%5Boffset%5D=1e400', 'page[offset]=Infinity']) {
      const response = await stub.request({ method: 'GET', url: `/v2/carts?${query}`, headers: auth.cc });
      expect(response.statusCode, query).toBe(400);
      expect(errorOf(response), query).toMatchObject({ title: 'invalid', source: expect.stringMatching(/^page\[(limit|offset)\]$/) });
    }
  });

  it('a JSON body nested 100 000 deep made GET /__stub/requests answer 500 for as long as it stayed in the journal', async () => {
    const url = '/v2/carts/demo-cart-empty/relationships/accounts';
    const deep = `{"data":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const tooDeep = await stub.request({ method: 'POST', url, headers: json, payload: deep });
    expect(tooDeep.statusCode).toBe(400);
    expect(errorOf(tooDeep)).toMatchObject({ title: 'Bad Request', detail: expect.stringMatching(/nested deeper than 32/) });
    expect((await stub.request({ method: 'GET', url: '/__stub/requests' })).statusCode).toBe(200);
    // 32 levels are still read (and answered by the rules); brackets inside strings do not count.
    const fine = `{"data":[{"type":"account","id":"${'['.repeat(40)}","x":${'['.repeat(29)}${']'.repeat(29)}}]}`;
    expect(errorOf(await stub.request({ method: 'POST', url, headers: json, payload: fine })).title).toBe('Not Found');
  });

  it('PUT /__stub/state and POST /__stub/reset accepted carts associated with unknown accounts or customers, or ids given twice', async () => {
    const cart = { id: 'loaded', account_ids: [ids.acme], customer_ids: [ids.carol] };
    const broken = [
      { carts: [{ ...cart, account_ids: ['no-such-account'] }], source: 'carts[0].account_ids[0]' },
      { carts: [{ ...cart, customer_ids: [ids.carol, 'no-such-customer'] }], source: 'carts[0].customer_ids[1]' },
      { carts: [{ ...cart, customer_ids: [ids.carol, ids.carol] }], source: 'carts[0].customer_ids[1]' },
      { carts: [cart, { id: 'loaded' }], source: 'carts[1]' },
    ];
    for (const { carts, source } of broken) {
      for (const [method, url] of [['PUT', '/__stub/state'], ['POST', '/__stub/reset']] as const) {
        const response = await stub.request({ method, url, json: { ...fixtures, carts } });
        expect(response.statusCode, `${method} ${source}`).toBe(400);
        expect(errorOf(response).source).toBe(source);
      }
    }
    expect(stub.store.cart('loaded')).toBeUndefined();
    expect((await stub.request({ method: 'PUT', url: '/__stub/state', json: { ...fixtures, carts: [cart] } })).statusCode).toBe(204);
  });

  it('a fixture file whose carts name unknown accounts started anyway', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ep-cart-stub-regression-'));
    const file = join(dir, 'fixtures.json');
    writeFileSync(file, JSON.stringify({ ...fixtures, carts: [{ id: 'x', account_ids: ['ghost'] }] }));
    try {
      await expect(startTestStub({ fixturesFile: file })).rejects.toThrow(/carts\[0\]\.account_ids\[0\] names no account: ghost/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a shopper token that outlived its customer (a state loaded without them) created carts associated with an unknown customer', async () => {
    const token = await stub.request({
      method: 'POST',
      url: '/v2/customers/tokens',
      headers: auth.implicit,
      json: { data: { type: 'token', email: 'carol@example.com', password: 'carol-password' } },
    });
    const ct = { 'x-moltin-customer-token': token.data.data.token };
    const withoutCarol = {
      ...fixtures,
      customers: fixtures.customers.filter((c: { id: string }) => c.id !== ids.carol),
      carts: fixtures.carts.filter((c: { customer_ids?: string[] }) => !c.customer_ids?.length),
      pinned_tokens: fixtures.pinned_tokens.filter((p: { customer_id?: string }) => p.customer_id !== ids.carol),
    };
    expect((await stub.request({ method: 'PUT', url: '/__stub/state', json: withoutCarol })).statusCode).toBe(204);

    const created = await stub.request({ method: 'POST', url: '/v2/carts', headers: { ...auth.implicit, ...ct }, json: { data: { name: 'x' } } });
    expect(created.statusCode).toBe(401);
    expect(errorOf(created)).toMatchObject({ title: 'Unable to validate access token', source: 'X-Moltin-Customer-Token' });
    expect(stub.store.snapshot().carts.flatMap((cart) => cart.customer_ids)).not.toContain(ids.carol);
    // The same goes for an account token whose account is gone.
    const noAcme = { ...fixtures, accounts: fixtures.accounts.filter((a: { id: string }) => a.id !== ids.acme), carts: [] };
    expect((await stub.request({ method: 'PUT', url: '/__stub/state', json: noAcme })).statusCode).toBe(204);
    const listed = await stub.request({ method: 'GET', url: '/v2/carts', headers: { ...auth.implicit, ...auth.aliceAcme } });
    expect(listed.statusCode).toBe(401);
  });

  it('POST /v2/carts with a shopper token and a contact email answered a 422 the document did not list', async () => {
    // The harness checks every answer against the document: an undocumented status fails the request.
    const response = await stub.request({
      method: 'POST',
      url: '/v2/carts',
      headers: { ...auth.implicit, ...auth.carol },
      json: { data: { name: 'Guest', contact: { email: 'guest@example.com' } } },
    });
    expect(response.statusCode).toBe(422);
    expect(errorOf(response).title).toBe('Cannot associate customers to carts with contact emails');
  });

  it('the journal kept whole bodies: a full journal of 1 MiB bodies held a gigabyte', async () => {
    await stub.request({ method: 'DELETE', url: '/__stub/requests' });
    const junk = 'x'.repeat(1024 * 1024 - 200);
    const association = { data: [{ type: 'account', id: ids.acme, junk }] };
    expect((await stub.request({ method: 'POST', url: '/v2/carts/demo-cart-2/relationships/accounts', headers: auth.cc, json: association })).statusCode).toBe(200);
    const [entry] = (await stub.request({ method: 'GET', url: '/__stub/requests' })).data.data;
    expect(entry.body).toMatch(/^\(a body of \d+ bytes, not kept: the journal keeps bodies up to 16384 bytes\)$/);
    // Small bodies are kept as they were sent.
    await stub.request({ method: 'POST', url: '/v2/carts', headers: auth.cc, json: { data: { name: 'small' } } });
    expect((await stub.request({ method: 'GET', url: '/__stub/requests' })).data.data[1].body).toEqual({ data: { name: 'small' } });
  });

  it('carts kept unknown fields of contact and discount_settings: a visitor could fill a sandbox with megabytes nobody sees', async () => {
    const junk = 'x'.repeat(100_000);
    const created = await stub.request({
      method: 'POST',
      url: '/v2/carts',
      headers: auth.cc,
      json: { data: { id: 'junk', name: 'n', contact: { email: 'a@example.com', junk }, discount_settings: { use_rule_promotions: true, junk } } },
    });
    expect(created.statusCode).toBe(201);
    await stub.request({ method: 'PUT', url: '/v2/carts/junk', headers: auth.cc, json: { data: { contact: { junk }, discount_settings: { junk } } } });
    const created2 = await stub.request({ method: 'POST', url: '/v2/carts', headers: auth.cc, json: { data: { id: 'junk2', name: 'n', contact: { email: 'b@example.com', junk } } } });
    expect(created2.statusCode).toBe(201);
    expect(stub.store.cart('junk')!.contact).toEqual({});
    expect(stub.store.cart('junk')!.discount_settings).toEqual({});
    expect(stub.store.cart('junk2')!.contact).toEqual({ email: 'b@example.com' });
    expect(JSON.stringify(stub.store.snapshot()).length).toBeLessThan(20_000);
  });

  it('bytes that are not HTTP, or headers over 16 KiB, were answered in Fastify\'s own shape', async () => {
    const running = await startStub({ port: 0 });
    try {
      const cases = [
        { bytes: '\u0000\u0001 HELLO\r\n\r\n', status: 400 },
        { bytes: 'POST /v2/carts HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}', status: 400 },
        { bytes: `GET /v2/carts HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, status: 431 },
      ];
      for (const { bytes, status } of cases) {
        const { responses, closedByServer } = await exchange(running.port, [bytes]);
        expect(responses.map((r) => r.status)).toEqual([status]);
        expect(JSON.parse(responses[0]!.body)).toEqual({ errors: [{ status, title: expect.any(String), detail: expect.any(String) }] });
        expect(closedByServer).toBe(true);
      }
    } finally {
      await running.close();
    }
  });

  it('a client that trickled its body (or sent nothing) held its connection for ever: Fastify has no request timeout by default', async () => {
    const running = await startStub({ port: 0, requestTimeoutMs: 300 });
    try {
      const head = 'POST /v2/carts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer demo-client-credentials-token\r\n';
      const trickle = [`${head}Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{`, ...Array<string>(30).fill(' ')];
      for (const chunks of [trickle, [head], []]) {
        const { responses, closedByServer, elapsedMs } = await exchange(running.port, chunks, { gapMs: 50, waitMs: 3000 });
        expect(closedByServer).toBe(true);
        expect(elapsedMs).toBeLessThan(2500);
        expect(responses.map((r) => r.status)).toEqual([408]);
        expect(JSON.parse(responses[0]!.body).errors[0]).toMatchObject({ status: 408, title: 'Request Timeout' });
      }
    } finally {
      await running.close();
    }
  });

  it('a request without a Host header was answered by Node with an empty 400', async () => {
    const running = await startStub({ port: 0 });
    try {
      for (const version of ['1.1', '1.0']) {
        const { responses } = await exchange(running.port, [`GET /v2/carts HTTP/${version}\r\nAuthorization: Bearer demo-client-credentials-token\r\nConnection: close\r\n\r\n`]);
        expect(responses.map((r) => r.status), version).toEqual([400]);
        expect(JSON.parse(responses[0]!.body)).toEqual({ errors: [{ status: 400, title: 'Bad Request', detail: 'The request has no Host header' }] });
      }
    } finally {
      await running.close();
    }
  });

  it('POST /v2/carts in sandbox mode answered a 403 Cart limit reached that the document did not list', async () => {
    // The harness checks every answer against the document: an undocumented status fails the request.
    const sandboxed = await startTestStub({ sandbox: { maxCartsPerSandbox: 5 } });
    try {
      const response = await sandboxed.request({ method: 'POST', url: '/v2/carts', headers: auth.cc, json: { data: { name: 'sixth' } } });
      expect(response.statusCode).toBe(403);
      expect(errorOf(response).title).toBe('Cart limit reached');
    } finally {
      await sandboxed.close();
    }
  });

  it('a forged token kept its whole request alive: fast-jwt caches up to 10 000 verification errors, each holding its stack\'s frames', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const app = await buildApp({ journalSize: 0 }); // the journal's ring keeps its requests by design
    const sent: WeakRef<object>[] = [];
    app.fastify.addHook('onRequest', async (request) => {
      sent.push(new WeakRef(request));
    });
    const [header, payload] = stub.tokens.issueAccess('demo-backend', 'client_credentials').token.split('.');
    try {
      for (let i = 0; i < 300; i += 1) {
        const response = await app.fastify.inject({
          method: 'POST',
          url: '/v2/carts/demo-cart-2/relationships/accounts',
          headers: { authorization: `Bearer ${header}.${payload}.forged${i}`, 'content-type': 'application/json' },
          payload: JSON.stringify({ data: [{ type: 'account', id: ids.acme }] }),
        });
        expect(response.statusCode).toBe(401);
      }
      for (let round = 0; round < 3; round += 1) {
        gc();
        await new Promise((resolve) => setImmediate(resolve)); // WeakRefs are cleared between turns
      }
      expect(sent.filter((ref) => ref.deref() !== undefined).length).toBeLessThan(10);
    } finally {
      await app.fastify.close();
    }
  });

});
