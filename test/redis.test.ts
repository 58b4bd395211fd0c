/**
 * The Redis store across instances: several stubs on one redis-server answer as one stub would. The races
 * run two instances in this process (their only link is the server); restarts, tokens and a server killed
 * mid-run use the shipped command, each instance a process of its own. The rest of the HTTP behaviour suite
 * runs on the Redis store too (the `redis` project of vitest.config.ts).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisServer, SYNCED_APPEND_ONLY } from './support/redis-server.js';
import { startShippedStub } from './support/shipped.js';
import { auth, errorOf, ids, startTestStub, type TestStub } from './support/stub.js';
import type { RunningProcess } from './support/processes.js';
import { SHIPPED } from './support/shipped.js';
import { run } from './support/processes.js';

let server: RedisServer;
beforeAll(async () => {
  server = await RedisServer.start({ persistence: SYNCED_APPEND_ONLY });
});
afterAll(() => server.stop());

/** Two instances sharing one state: keys under a prefix of their own, so tests do not see each other's. */
async function twoInstances(): Promise<[TestStub, TestStub]> {
  const redisPrefix = `race-${randomUUID()}:`;
  return [await startTestStub({ redis: server.url, redisPrefix }), await startTestStub({ redis: server.url, redisPrefix })];
}

const associateAccount = (stub: TestStub, cart: string, account: string, headers: Record<string, string> = auth.cc) =>
  stub.request({ method: 'POST', url: `/v2/carts/${cart}/relationships/accounts`, headers, json: { data: [{ type: 'account', id: account }] } });
const dissociateAccount = (stub: TestStub, cart: string, account: string) =>
  stub.request({ method: 'DELETE', url: `/v2/carts/${cart}/relationships/accounts`, headers: auth.cc, json: { data: [{ type: 'account', id: account }] } });
const accountsOn = async (stub: TestStub, cart: string, headers: Record<string, string> = auth.cc) =>
  (await stub.request({ method: 'GET', url: `/v2/carts/${cart}`, headers })).data.data.relationships?.accounts?.data ?? [];

describe('Redis store: the behaviour table holds across two instances', () => {
  let a: TestStub;
  let b: TestStub;
  const accounts = Array.from({ length: 12 }, (_, i) => `race-account-${i}`);
  beforeAll(async () => {
    [a, b] = await twoInstances();
    await a.seed({ accounts: accounts.map((id) => ({ id, name: id })) });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('of 12 concurrent POSTs of 12 different accounts to one cart, spread over both, exactly one is 200 (associations.16) and 11 are 403 (associations.14)', async () => {
    await a.seed({ carts: [{ id: 'contested' }] });
    const answers = await Promise.all(accounts.map((id, i) => associateAccount(i % 2 ? b : a, 'contested', id)));
    const winners = answers.filter((answer) => answer.statusCode === 200);
    expect(winners).toHaveLength(1);
    const losers = answers.filter((answer) => answer.statusCode !== 200);
    expect(losers.map((answer) => [answer.statusCode, answer.headers['ep-stub-rule'], errorOf(answer).detail])).toEqual(
      Array(11).fill([403, 'associations.14', 'The cart is already associated with another account']),
    );
    // Both instances now hold the winner, and only the winner.
    const winner = winners[0]!.data.data[0].id;
    expect(await accountsOn(a, 'contested')).toEqual([{ type: 'account', id: winner }]);
    expect(await accountsOn(b, 'contested')).toEqual([{ type: 'account', id: winner }]);
  });

  it('of 12 concurrent POSTs of one account to one cart, spread over both, exactly one is 200 (associations.16) and 11 are 204 (associations.15)', async () => {
    await a.seed({ carts: [{ id: 'repeated' }] });
    const answers = await Promise.all(accounts.map((_, i) => associateAccount(i % 2 ? b : a, 'repeated', ids.acme)));
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([200, ...Array(11).fill(204)]);
    expect(answers.filter((answer) => answer.statusCode === 204).every((answer) => answer.headers['ep-stub-rule'] === 'associations.15')).toBe(true);
    expect(await accountsOn(b, 'repeated')).toEqual([{ type: 'account', id: ids.acme }]);
  });

  it('a DELETE on one instance racing a POST on the other leaves a state a serial order explains, and the answers agree with it', async () => {
    for (let round = 0; round < 20; round += 1) {
      const cart = `raced-${round}`;
      await a.seed({ carts: [{ id: cart, account_ids: [ids.acme] }] });
      const [removed, added] = await Promise.all([dissociateAccount(a, cart, ids.acme), associateAccount(b, cart, ids.globex)]);
      const after = await accountsOn(a, cart);
      expect(removed.statusCode).toBe(204);
      // DELETE first: the cart is free, and globex takes it (200). POST first: acme still holds it (403), then the DELETE frees it.
      if (added.statusCode === 200) expect(after, `round ${round}`).toEqual([{ type: 'account', id: ids.globex }]);
      else {
        expect([added.statusCode, added.headers['ep-stub-rule']], `round ${round}`).toEqual([403, 'associations.14']);
        expect(after, `round ${round}`).toEqual([]);
      }
      expect(await accountsOn(b, cart)).toEqual(after);
    }
  });

  it('a cart created on one instance is at once readable, listable and associable on the other', async () => {
    const created = await a.request({ method: 'POST', url: '/v2/carts', headers: auth.cc, json: { data: { name: 'Made on A' } } });
    const id = created.data.data.id;
    expect((await b.request({ method: 'GET', url: `/v2/carts/${id}`, headers: auth.cc })).data.data.name).toBe('Made on A');
    expect((await associateAccount(b, id, ids.acme)).statusCode).toBe(200);
    const listed = await a.request({ method: 'GET', url: '/v2/carts', headers: { ...auth.implicit, ...auth.aliceAcme } });
    expect(listed.data.data.map((cart: { id: string }) => cart.id)).toContain(id);
  });
});

describe('Redis store: the control API acts on the shared state', () => {
  let a: TestStub;
  let b: TestStub;
  beforeAll(async () => {
    [a, b] = await twoInstances();
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('POST /__stub/reset on one instance resets the state both answer from; it clears that instance\'s journal only', async () => {
    await associateAccount(a, 'demo-cart-empty', ids.acme);
    expect(await accountsOn(b, 'demo-cart-empty')).toEqual([{ type: 'account', id: ids.acme }]);
    expect((await b.request({ method: 'POST', url: '/__stub/reset' })).statusCode).toBe(204);
    expect(await accountsOn(a, 'demo-cart-empty')).toEqual([]);
    expect(b.journal.list()).toEqual([]);
    expect(a.journal.list().map((entry) => entry.operationId)).toEqual(['createAccountCartAssociation', 'getACart']);
  });

  it('PUT /__stub/state on one instance is the state GET /__stub/state answers on the other', async () => {
    const state = (await a.request({ method: 'GET', url: '/__stub/state' })).data;
    const carts = [...state.carts, { ...state.carts[0], id: 'put-on-a', name: 'Put on A' }];
    expect((await a.request({ method: 'PUT', url: '/__stub/state', json: { ...state, carts } })).statusCode).toBe(204);
    const seen = (await b.request({ method: 'GET', url: '/__stub/state' })).data;
    expect(seen.carts.find((cart: { id: string }) => cart.id === 'put-on-a')?.name).toBe('Put on A');
  });

  it('the clock frozen and advanced on one instance stands where it does on the other', async () => {
    const frozen = await a.request({ method: 'POST', url: '/__stub/clock', json: { freeze: true, at: '2031-05-01T00:00:00Z', advance_seconds: 60 } });
    expect(frozen.data).toEqual({ now: '2031-05-01T00:01:00.000Z', frozen: true });
    expect((await b.request({ method: 'GET', url: '/__stub/clock' })).data).toEqual({ now: '2031-05-01T00:01:00.000Z', frozen: true });
    await b.request({ method: 'POST', url: '/__stub/clock', json: { freeze: false } });
    expect((await a.request({ method: 'GET', url: '/__stub/clock' })).data.frozen).toBe(false);
  });
});

describe('Redis store in sandbox mode: each visitor\'s sandbox on the server, the same on every instance', () => {
  const limits = { maxSandboxes: 2, maxCartsPerSandbox: 6, idleMs: 5_000, rateLimitPerMinute: 1_000 };
  const pair = async (sandbox: Partial<typeof limits>) => {
    const redisPrefix = `sandboxes-${randomUUID()}:`;
    const options = { redis: server.url, redisPrefix, sandbox: { ...limits, ...sandbox } };
    return [await startTestStub(options), await startTestStub(options), redisPrefix] as const;
  };
  const tokenOf = (stub: TestStub, visitor: string) =>
    stub.request({
      method: 'POST',
      url: '/oauth/access_token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `grant_type=client_credentials&client_id=${visitor}&client_secret=${ids.backendSecret}`,
    });
  const bearer = async (stub: TestStub, visitor: string) => ({ authorization: `Bearer ${(await tokenOf(stub, visitor)).data.access_token}` });
  const createCart = (stub: TestStub, headers: Record<string, string>) =>
    stub.request({ method: 'POST', url: '/v2/carts', headers, json: { data: { name: 'A visitor\'s' } } });
  const sandboxKeysOf = async (prefix: string, visitor: string) => {
    const client = new Redis(server.url);
    try {
      return await client.keys(`${prefix}sandbox:${visitor}:*`);
    } finally {
      client.disconnect();
    }
  };

  it('a visitor\'s token and carts work on both instances; another visitor sees neither; a third is refused at maxSandboxes (503 Sandbox limit reached)', async () => {
    const [a, b] = await pair({});
    try {
      const first = await bearer(a, 'visitor-1');
      const created = await createCart(b, first);
      expect(created.statusCode).toBe(201);
      const id = created.data.data.id;
      expect((await associateAccount(a, id, ids.acme, first)).statusCode).toBe(200);
      expect(await accountsOn(b, id, first)).toEqual([{ type: 'account', id: ids.acme }]);

      const second = await bearer(b, 'visitor-2');
      expect((await associateAccount(a, 'demo-cart-empty', ids.globex, second)).statusCode).toBe(200);
      expect(await accountsOn(b, 'demo-cart-empty', first)).toEqual([]);
      const listed = await b.request({ method: 'GET', url: '/v2/carts', headers: second });
      expect(listed.statusCode).toBe(200);

      const third = await tokenOf(a, 'visitor-3');
      expect([third.statusCode, third.data.errors[0].title]).toEqual([503, 'Sandbox limit reached']);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('maxCartsPerSandbox holds across instances: the fixtures\' 5 and one more, then 403 Cart limit reached on the other instance', async () => {
    const [a, b] = await pair({});
    try {
      const headers = await bearer(a, 'visitor-carts');
      expect((await createCart(a, headers)).statusCode).toBe(201);
      const refused = await createCart(b, headers);
      expect([refused.statusCode, errorOf(refused).title, errorOf(refused).detail]).toEqual([
        403,
        'Cart limit reached',
        'This sandbox holds its maximum of 6 carts; delete one before creating another',
      ]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('an idle sandbox expires on the server by itself: its keys are gone, its token answers 401 on both instances, and the cap has room again', async () => {
    const [a, b, prefix] = await pair({ idleMs: 600, maxSandboxes: 1 });
    try {
      const headers = await bearer(a, 'visitor-idle');
      expect((await createCart(b, headers)).statusCode).toBe(201);
      expect((await sandboxKeysOf(prefix, 'visitor-idle')).length).toBeGreaterThan(0);
      await waitUntil(async () => (await sandboxKeysOf(prefix, 'visitor-idle')).length === 0, 10_000);
      for (const stub of [a, b]) {
        const refused = await createCart(stub, headers);
        expect([refused.statusCode, errorOf(refused).title]).toEqual([401, 'Unable to validate access token']);
      }
      expect((await tokenOf(b, 'visitor-next')).statusCode).toBe(200);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('the rate limit counts a visitor\'s requests across instances (429 Too Many Requests on the other instance)', async () => {
    const [a, b] = await pair({ rateLimitPerMinute: 4 });
    try {
      const statuses = [];
      for (const stub of [a, b, a, b, a]) statuses.push((await stub.request({ method: 'GET', url: '/v2/carts/demo-cart-empty', headers: auth.cc })).statusCode);
      expect(statuses).toEqual([200, 200, 200, 200, 429]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('Redis store: a server that comes back empty', () => {
  it('gets the state of the first instance that notices, token key included: carts and tokens work on both again', async () => {
    const [a, b] = await twoInstances();
    try {
      const created = await a.request({ method: 'POST', url: '/v2/carts', headers: auth.cc, json: { data: { name: 'Outlives a flush' } } });
      const id = created.data.data.id;
      const issued = await a.request({ method: 'POST', url: '/oauth/access_token', payload: `grant_type=implicit&client_id=demo-storefront`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect((await b.request({ method: 'GET', url: `/v2/carts/${id}`, headers: auth.cc })).statusCode).toBe(200);
      const client = new Redis(server.url);
      await client.flushdb();
      client.disconnect();
      expect((await b.request({ method: 'GET', url: `/v2/carts/${id}`, headers: auth.cc })).data.data.name).toBe('Outlives a flush');
      const token = { authorization: `Bearer ${issued.data.access_token}` };
      expect((await a.request({ method: 'GET', url: `/v2/carts/${id}`, headers: token })).statusCode).toBe(200);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('Redis store: the shipped command', () => {
  const started: RunningProcess[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((child) => child.stop()));
  });
  const serve = async (prefix: string) => {
    const stub = await startShippedStub(['--redis', server.url, '--redis-prefix', prefix]);
    started.push(stub.process);
    return stub;
  };
  const tokenFrom = async (url: string): Promise<string> => {
    const answer = await fetch(`${url}/oauth/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=client_credentials&client_id=demo-backend&client_secret=${ids.backendSecret}`,
    });
    return ((await answer.json()) as { access_token: string }).access_token;
  };
  const json = async (answer: Response): Promise<any> => answer.json();
  const post = (url: string, path: string, token: string, body: unknown) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('a token issued by one instance is accepted by another, and by both after both restart; the state outlives them, the fixtures do not overwrite it', async () => {
    const prefix = `shipped-${randomUUID()}:`;
    const first = await serve(prefix);
    const second = await serve(prefix);
    const token = await tokenFrom(first.url);
    const created = await post(second.url, '/v2/carts', token, { data: { name: 'Kept on Redis' } });
    expect(created.status).toBe(201);
    const cart = (await json(created)).data.id;

    await Promise.all(started.splice(0).map((child) => child.stop()));
    const [again, andAgain] = [await serve(prefix), await serve(prefix)];
    for (const { url } of [again, andAgain]) {
      const read = await fetch(`${url}/v2/carts/${cart}`, { headers: { authorization: `Bearer ${token}` } });
      expect(read.status).toBe(200);
      expect((await json(read)).data.name).toBe('Kept on Redis');
    }
  });

  it('Redis killed mid-run: requests answer 503 "state store unavailable" (never a 500), /readyz 503 with the reason, /healthz 200; once it is back, every acknowledged association is there', async () => {
    const { url } = await serve(`killed-${randomUUID()}:`);
    const token = await tokenFrom(url);
    const acknowledged: string[] = [];
    const statuses = new Set<number>();
    let stop = false;
    const load = (async () => {
      for (let i = 0; !stop; i += 1) {
        const cart = `kill-${i}`;
        const made = await post(url, '/v2/carts', token, { data: { id: cart, name: cart } }).catch(() => undefined);
        if (made?.status !== 201) {
          if (made) statuses.add(made.status);
          await new Promise((resolve) => setTimeout(resolve, 20));
          continue;
        }
        const associated = await post(url, `/v2/carts/${cart}/relationships/accounts`, token, { data: [{ type: 'account', id: ids.acme }] });
        statuses.add(associated.status);
        if (associated.status === 200) acknowledged.push(cart);
      }
    })();

    await waitUntil(() => acknowledged.length >= 20);
    await server.kill();
    await waitUntil(async () => (await fetch(`${url}/readyz`)).status === 503);
    const ready = await fetch(`${url}/readyz`);
    expect((await json(ready)).detail).toMatch(/^the state store at redis:\/\/127\.0\.0\.1:\d+\/0 cannot be reached/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const refused = await post(url, `/v2/carts/demo-cart-empty/relationships/accounts`, token, { data: [{ type: 'account', id: ids.acme }] });
    expect(refused.status).toBe(503);
    const error = (await json(refused)).errors[0];
    expect([error.title, refused.headers.get('ep-stub-rule')]).toEqual(['Service Unavailable', 'store.unreachable']);
    expect(error.detail).toMatch(/^The state store at redis:\/\/127\.0\.0\.1:\d+\/0 did not answer/);

    await server.restart();
    await waitUntil(async () => (await fetch(`${url}/readyz`)).status === 200);
    const before = acknowledged.length;
    await waitUntil(() => acknowledged.length >= before + 20);
    stop = true;
    await load;
    expect([...statuses].filter((status) => status >= 500 && status !== 503)).toEqual([]);
    for (const cart of acknowledged) {
      const read = await fetch(`${url}/v2/carts/${cart}`, { headers: { authorization: `Bearer ${token}` } });
      expect((await json(read)).data.relationships?.accounts?.data, cart).toEqual([{ type: 'account', id: ids.acme }]);
    }
  }, 60_000);

  it('a server that cannot be reached stops the start with a message naming it, and exit code 1', async () => {
    const finished = await run(SHIPPED.bin, ['--port', '0', '--redis', 'redis://127.0.0.1:1/0'], { env: { ...process.env } });
    expect(finished.code).toBe(1);
    expect(finished.stderr).toMatch(/^ep-cart-stub: cannot start: cannot reach the state store at redis:\/\/127\.0\.0\.1:1\/0: connect ECONNREFUSED/);
  });
});

async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  for (const started = Date.now(); !(await condition()); ) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms: ${condition}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
