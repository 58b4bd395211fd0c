import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildApp, type AppOptions } from '../src/http/app.js';
import { StubClock } from '../src/clock.js';
import { ClientSandboxes } from '../src/sandbox/sandboxes.js';
import { auth, errorOf, ids, startTestStub, type TestStub } from './support/stub.js';

const DEMO_BACKEND_SECRET = 'demo-backend-secret';
const IDLE_MS = 30 * 60 * 1000;

let stub: TestStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
  vi.useRealTimers();
});

async function sandboxStub(sandbox: AppOptions['sandbox'] = true, options: AppOptions = {}): Promise<TestStub> {
  const clock = new StubClock();
  clock.freeze();
  stub = await startTestStub({ clock, sandbox, ...options });
  return stub;
}

/** An administrator's bearer in the sandbox `clientId` names. */
async function visitor(clientId: string): Promise<{ authorization: string }> {
  const response = await stub!.request({
    method: 'POST',
    url: '/oauth/access_token',
    json: { grant_type: 'client_credentials', client_id: clientId, client_secret: DEMO_BACKEND_SECRET },
  });
  expect(response.statusCode).toBe(200);
  return { authorization: `Bearer ${response.data.access_token}` };
}

async function createCart(headers: Record<string, string>, id: string, name = 'A cart') {
  return stub!.request({ method: 'POST', url: '/v2/carts', headers, json: { data: { id, name } } });
}

async function cartIds(headers: Record<string, string>): Promise<string[]> {
  const response = await stub!.request({ method: 'GET', url: '/v2/carts?page[limit]=100', headers });
  return response.data.data.map((cart: { id: string }) => cart.id);
}

describe('Sandbox mode: each client id has a sandbox of its own', () => {
  it('two clients never see each other’s carts', async () => {
    await sandboxStub();
    const ann = await visitor('visitor-ann');
    const ben = await visitor('visitor-ben');
    expect((await createCart(ann, 'anns-cart', 'Ann’s cart')).statusCode).toBe(201);
    expect((await createCart(ben, 'bens-cart', 'Ben’s cart')).statusCode).toBe(201);

    expect(await cartIds(ann)).toContain('anns-cart');
    expect(await cartIds(ann)).not.toContain('bens-cart');
    expect(await cartIds(ben)).not.toContain('anns-cart');
    // The same cart id in another sandbox is another cart (GET of an unknown id creates an empty one).
    const bensView = await stub!.request({ method: 'GET', url: '/v2/carts/anns-cart', headers: ben });
    expect(bensView.data.data.name).toBe('Cart');
  });

  it('an association in one sandbox leaves the same cart of another sandbox untouched', async () => {
    await sandboxStub();
    const ann = await visitor('visitor-ann');
    const ben = await visitor('visitor-ben');
    const associate = (headers: Record<string, string>, id: string) =>
      stub!.request({
        method: 'POST',
        url: '/v2/carts/demo-cart-empty/relationships/accounts',
        headers,
        json: { data: [{ type: 'account', id }] },
      });
    expect((await associate(ann, ids.acme)).statusCode).toBe(200);
    expect((await associate(ben, ids.globex)).statusCode).toBe(200);
    expect((await associate(ann, ids.acme)).statusCode).toBe(204);
  });

  it('every sandbox starts as a fresh copy of the fixtures', async () => {
    await sandboxStub();
    const fixtureCarts = ['demo-cart-empty', 'demo-cart-2', 'demo-cart-contact', 'demo-cart-acme', 'demo-cart-carol'];
    expect((await cartIds(await visitor('visitor-ann'))).sort()).toEqual([...fixtureCarts].sort());
  });

  it('any client id gets implicit tokens; client_credentials needs the demo back end’s secret', async () => {
    await sandboxStub();
    const implicit = await stub!.request({
      method: 'POST',
      url: '/oauth/access_token',
      json: { grant_type: 'implicit', client_id: 'visitor-ann' },
    });
    expect(implicit.statusCode).toBe(200);
    const wrongSecret = await stub!.request({
      method: 'POST',
      url: '/oauth/access_token',
      json: { grant_type: 'client_credentials', client_id: 'visitor-ann', client_secret: 'guess' },
    });
    expect(wrongSecret.statusCode).toBe(401);
  });

  it('a shopper token issued in another sandbox answers 401', async () => {
    await sandboxStub();
    const ann = await visitor('visitor-ann');
    const ben = await visitor('visitor-ben');
    const login = await stub!.request({
      method: 'POST',
      url: '/v2/customers/tokens',
      headers: ann,
      json: { data: { type: 'token', email: 'carol@example.com', password: 'carol-password' } },
    });
    const carol = { 'x-moltin-customer-token': login.data.data.token as string };

    expect((await stub!.request({ method: 'GET', url: '/v2/carts', headers: { ...ann, ...carol } })).statusCode).toBe(200);
    const elsewhere = await stub!.request({ method: 'GET', url: '/v2/carts', headers: { ...ben, ...carol } });
    expect(elsewhere.statusCode).toBe(401);
    expect(errorOf(elsewhere).title).toBe('Unable to validate access token');
    expect(errorOf(elsewhere).source).toBe('X-Moltin-Customer-Token');
  });

  it('pinned bearer tokens work in their client’s sandbox; pinned shopper tokens in every sandbox', async () => {
    await sandboxStub();
    expect((await createCart(auth.cc, 'pinned-cart')).statusCode).toBe(201);
    const ann = await visitor('visitor-ann');
    expect(await cartIds(ann)).not.toContain('pinned-cart');
    expect(await cartIds(auth.cc)).toContain('pinned-cart');

    const withCarol = await stub!.request({ method: 'GET', url: '/v2/carts', headers: { ...ann, ...auth.carol } });
    expect(withCarol.statusCode).toBe(200);
    expect(withCarol.data.data.map((cart: { id: string }) => cart.id)).toEqual(['demo-cart-carol']);
  });

  it('a request that names no client works on the seed every sandbox copies, never in a sandbox', async () => {
    const { store, sandboxes } = await sandboxStub();
    expect(sandboxes.storeFor(undefined)).toBe(store);
    expect((sandboxes as ClientSandboxes).size).toBe(0);
  });

  it('outside sandbox mode every client shares one state', async () => {
    stub = await startTestStub();
    await createCart(auth.cc, 'shared-cart');
    const storefront = await stub.request({ method: 'GET', url: '/v2/carts/shared-cart', headers: auth.implicit });
    expect(storefront.data.data.name).toBe('A cart');
  });
});

describe('Sandbox mode: an idle sandbox is evicted', () => {
  it('after the idle time its carts are gone and its tokens answer 401', async () => {
    const { clock } = await sandboxStub();
    const ann = await visitor('visitor-ann');
    await createCart(ann, 'anns-cart');
    clock.advance(IDLE_MS);

    const stale = await stub!.request({ method: 'GET', url: '/v2/carts', headers: ann });
    expect(stale.statusCode).toBe(401);
    expect(errorOf(stale).title).toBe('Unable to validate access token');
    expect(await cartIds(await visitor('visitor-ann'))).not.toContain('anns-cart');
  });

  it('each request keeps its sandbox alive for another idle time', async () => {
    const { clock } = await sandboxStub();
    const ann = await visitor('visitor-ann');
    await createCart(ann, 'anns-cart');
    // Twice: a bearer token lives an hour.
    for (let i = 0; i < 2; i += 1) {
      clock.advance(IDLE_MS - 1000);
      expect(await cartIds(ann)).toContain('anns-cart');
    }
  });

  it('the idle time is configurable', async () => {
    const { clock } = await sandboxStub({ idleMs: 60_000 });
    const ann = await visitor('visitor-ann');
    clock.advance(59_000);
    expect((await stub!.request({ method: 'GET', url: '/v2/carts', headers: ann })).statusCode).toBe(200);
    clock.advance(60_000);
    expect((await stub!.request({ method: 'GET', url: '/v2/carts', headers: ann })).statusCode).toBe(401);
  });

  it('a periodic sweep evicts idle sandboxes even when no request comes', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const { clock, sandboxes } = await sandboxStub({ idleMs: 60_000 });
    await visitor('visitor-ann');
    await visitor('visitor-ben');
    expect((sandboxes as ClientSandboxes).size).toBe(2);
    clock.advance(60_000);
    vi.advanceTimersByTime(60_000);
    expect((sandboxes as ClientSandboxes).size).toBe(0);
  });
});

describe('Sandbox mode: caps answer in the error shape', () => {
  it('a sandbox past maxSandboxes answers 503 Sandbox limit reached until one is evicted', async () => {
    const { clock } = await sandboxStub({ maxSandboxes: 2, idleMs: 60_000 });
    await visitor('visitor-ann');
    clock.advance(30_000);
    await visitor('visitor-ben');
    const third = await stub!.request({
      method: 'POST',
      url: '/oauth/access_token',
      json: { grant_type: 'implicit', client_id: 'visitor-cy' },
    });
    expect(third.statusCode).toBe(503);
    // The token endpoint writes `status` as a string (BEHAVIOR.md, Error body).
    expect(errorOf(third)).toEqual({
      status: '503',
      title: 'Sandbox limit reached',
      detail: 'The stub holds its maximum of 2 sandboxes; one is evicted after 1 minutes idle, try again then',
    });
    clock.advance(30_000); // Ann's sandbox is now idle for a minute
    await visitor('visitor-cy');
  });

  it('a cart past maxCartsPerSandbox answers 403 Cart limit reached, whether POST or GET would create it', async () => {
    await sandboxStub({ maxCartsPerSandbox: 6 }); // the fixtures hold 5
    const ann = await visitor('visitor-ann');
    expect((await createCart(ann, 'sixth')).statusCode).toBe(201);

    const seventh = await createCart(ann, 'seventh');
    expect(seventh.statusCode).toBe(403);
    expect(errorOf(seventh)).toEqual({
      status: 403,
      title: 'Cart limit reached',
      detail: 'This sandbox holds its maximum of 6 carts; delete one before creating another',
    });
    const autoCreated = await stub!.request({ method: 'GET', url: '/v2/carts/seventh', headers: ann });
    expect(autoCreated.statusCode).toBe(403);
    expect(errorOf(autoCreated).title).toBe('Cart limit reached');

    expect((await createCart(await visitor('visitor-ben'), 'sixth')).statusCode).toBe(201);
    await stub!.request({ method: 'DELETE', url: '/v2/carts/sixth', headers: ann });
    expect((await createCart(ann, 'seventh')).statusCode).toBe(201);
  });

  it('a body over bodyLimit answers 413 Payload Too Large', async () => {
    await sandboxStub(true, { bodyLimit: 1024 });
    const ann = await visitor('visitor-ann');
    const response = await stub!.request({
      method: 'POST',
      url: '/v2/carts',
      headers: ann,
      json: { data: { name: 'x', description: 'y'.repeat(2000) } },
    });
    expect(response.statusCode).toBe(413);
    expect(errorOf(response)).toMatchObject({ status: 413, title: 'Payload Too Large' });
  });

  it('more requests a minute from one address than rateLimitPerMinute answer 429 Too Many Requests', async () => {
    await sandboxStub({ rateLimitPerMinute: 5 });
    const ann = await visitor('visitor-ann'); // the first of the five
    for (let i = 0; i < 4; i += 1) {
      expect((await stub!.request({ method: 'GET', url: '/v2/carts', headers: ann })).statusCode).toBe(200);
    }
    const limited = await stub!.request({ method: 'GET', url: '/v2/carts', headers: ann });
    expect(limited.statusCode).toBe(429);
    expect(errorOf(limited)).toMatchObject({ status: 429, title: 'Too Many Requests' });
    expect(errorOf(limited).detail).toMatch(/^More than 5 requests a minute from this address; try again in \d+ (seconds?|minute)$/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Limited before authentication: bad tokens count and get 429 too.
    const badToken = await stub!.request({ method: 'GET', url: '/v2/carts', headers: { authorization: 'Bearer nope' } });
    expect(badToken.statusCode).toBe(429);
  });

  it('outside sandbox mode nothing is rate limited', async () => {
    stub = await startTestStub();
    const statuses = await Promise.all(
      Array.from({ length: 400 }, () => stub!.request({ method: 'GET', url: '/v2/carts', headers: auth.cc })),
    );
    expect(new Set(statuses.map((response) => response.statusCode))).toEqual(new Set([200]));
  });
});

describe('Sandbox mode: the control API', () => {
  it('is off without an admin token: /__stub/* answers 404 Not Found', async () => {
    await sandboxStub();
    for (const [method, url] of [['GET', '/__stub/state'], ['POST', '/__stub/reset'], ['GET', '/__stub/requests']] as const) {
      const response = await stub!.request({ method, url });
      expect(response.statusCode, `${method} ${url}`).toBe(404);
      expect(errorOf(response).title).toBe('Not Found');
    }
  });

  it('is on with an admin token, and answers only to it', async () => {
    await sandboxStub(true, { adminToken: 'let-me-in' });
    expect((await stub!.request({ method: 'GET', url: '/__stub/state' })).statusCode).toBe(401);
    const state = await stub!.request({ method: 'GET', url: '/__stub/state', headers: { authorization: 'Bearer let-me-in' } });
    expect(state.statusCode).toBe(200);
  });
});

describe('Sandbox mode: memory stays bounded', () => {
  it('creating and evicting 10 000 sandboxes never holds more than the cap and leaves the heap where it was', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const maxSandboxes = 500;
    const clock = new StubClock();
    clock.freeze();
    const app = await buildApp({ clock, sandbox: { maxSandboxes, idleMs: 60_000 } });
    const sandboxes = app.sandboxes as ClientSandboxes;
    // Straight to the seam that creates and evicts sandboxes: 10 000 HTTP round trips would take the suite's time.
    const open = (clientId: string) => sandboxes.storeFor(clientId);
    open('warm-up');
    gc();
    const before = process.memoryUsage().heapUsed;

    let fullCap = 0;
    for (let i = 0; i < 10_000; i += 1) {
      if (i % maxSandboxes === 0) {
        gc();
        fullCap = Math.max(fullCap, process.memoryUsage().heapUsed);
        clock.advance(60_000); // every sandbox so far is now idle
      }
      open(`visitor-${i}`);
      if (sandboxes.size > maxSandboxes) throw new Error(`${sandboxes.size} sandboxes, over the cap`);
    }
    clock.advance(60_000);
    sandboxes.evictIdle();
    expect(sandboxes.size).toBe(0);
    gc();
    const after = process.memoryUsage().heapUsed;
    const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
    console.info(
      `heap: ${mib(before)} MiB before, ${mib(fullCap)} MiB at most with ${maxSandboxes} sandboxes, ${mib(after)} MiB after 10 000 created and evicted`,
    );
    // A leak of even 1 KiB per sandbox would show as 10 MiB here.
    expect(after - before).toBeLessThan(5 * 2 ** 20);
    await app.fastify.close();
  });
});
