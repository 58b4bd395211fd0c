/**
 * Abuse limits: what a stranger can do to a running stub with a socket, and what the stub answers.
 * - a body over `bodyLimit`: 413 in the shared shape, before it is read whole;
 * - request line and headers over 16 KiB (Node's maxHeaderSize): 431 in the shared shape, connection closed;
 * - a request that trickles in (or never comes): 408 after `requestTimeoutMs`, connection closed;
 * - hundreds of idle connections: everyone else is still served, and the idle ones are closed in time;
 * - tens of thousands of mixed requests: memory stays flat.
 * In every case the stub goes on serving other clients.
 */
import net from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/http/app.js';
import { startStub, type RunningStub } from '../src/index.js';
import { exchange } from './support/raw-http.js';
import { auth, ids } from './support/stub.js';

const TIMEOUT_MS = 500;
let stub: RunningStub;
beforeAll(async () => {
  stub = await startStub({ port: 0, bodyLimit: 64 * 1024, requestTimeoutMs: TIMEOUT_MS });
});
afterAll(() => stub.close());

const head = (method: string, path: string, extra = '') =>
  `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer demo-client-credentials-token\r\n${extra}`;

/** A normal request, answered promptly: the stub still serves everyone else. */
async function stillServing(): Promise<void> {
  const started = performance.now();
  const response = await fetch(`${stub.url}/v2/carts/demo-cart-empty`, { headers: auth.cc });
  expect(response.status).toBe(200);
  expect(performance.now() - started).toBeLessThan(2000);
}

function errorOf(body: string): { status: number; title: string } {
  const parsed = JSON.parse(body);
  expect(parsed.errors).toHaveLength(1);
  return parsed.errors[0];
}

describe('body size', () => {
  it('a body over the limit answers 413 in the shared shape, whether it announces its length or comes chunked', async () => {
    const body = JSON.stringify({ data: [{ type: 'account', id: ids.acme, pad: 'x'.repeat(100 * 1024) }] });
    const url = '/v2/carts/demo-cart-2/relationships/accounts';
    const announced = await exchange(stub.port, [`${head('POST', url, `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`)}${body}`]);
    const chunked = await exchange(stub.port, [
      `${head('POST', url, 'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n')}${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
    ]);
    for (const { responses } of [announced, chunked]) {
      expect(responses.map((r) => r.status)).toEqual([413]);
      expect(errorOf(responses[0]!.body)).toMatchObject({ status: 413, title: 'Payload Too Large' });
    }
    expect(stub.store.cart('demo-cart-2')!.account_ids).toEqual([]);
    await stillServing();
  });

  it('a Content-Length of 10 GB answers 413 at once, without waiting for a byte of the body', async () => {
    const { responses, elapsedMs } = await exchange(stub.port, [head('PUT', '/v2/carts/demo-cart-2', 'Content-Type: application/json\r\nContent-Length: 10000000000\r\n\r\n{')]);
    expect(responses.map((r) => r.status)).toEqual([413]);
    expect(elapsedMs).toBeLessThan(TIMEOUT_MS);
    await stillServing();
  });
});

describe('header size', () => {
  it('request line and headers over 16 KiB answer 431 in the shared shape and close the connection', async () => {
    const cases = [
      head('GET', '/v2/carts', `X-Padding: ${'p'.repeat(17 * 1024)}\r\n\r\n`),
      head('GET', `/v2/carts/${'c'.repeat(17 * 1024)}`, '\r\n'),
      head('GET', '/v2/carts', `${Array.from({ length: 3000 }, (_, i) => `X-H${i}: v`).join('\r\n')}\r\n\r\n`),
    ];
    for (const bytes of cases) {
      const { responses, closedByServer } = await exchange(stub.port, [bytes]);
      expect(responses.map((r) => r.status)).toEqual([431]);
      expect(errorOf(responses[0]!.body)).toMatchObject({ status: 431, title: 'Request Header Fields Too Large' });
      expect(closedByServer).toBe(true);
    }
    await stillServing();
  });
});

describe('slow clients', () => {
  it('a body that trickles in is cut off with 408 after requestTimeoutMs, while other clients are served meanwhile', async () => {
    const trickle = exchange(
      stub.port,
      [head('POST', '/v2/carts', 'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"data":'), ...Array<string>(100).fill(' ')],
      { gapMs: 40, waitMs: 10_000 },
    );
    await stillServing();
    const { responses, closedByServer, elapsedMs } = await trickle;
    expect(closedByServer).toBe(true);
    expect(elapsedMs).toBeGreaterThanOrEqual(TIMEOUT_MS);
    expect(elapsedMs).toBeLessThan(TIMEOUT_MS + 1500);
    expect(responses.map((r) => r.status)).toEqual([408]);
    expect(errorOf(responses[0]!.body)).toMatchObject({ status: 408, title: 'Request Timeout' });
  });

  it('headers that trickle in are cut off the same way', async () => {
    const chunks = ['GET /v2/carts HTTP/1.1\r\n', ...Array.from({ length: 100 }, (_, i) => `X-Slow-${i}: v\r\n`)];
    const { responses, closedByServer, elapsedMs } = await exchange(stub.port, chunks, { gapMs: 40, waitMs: 10_000 });
    expect(closedByServer).toBe(true);
    expect(elapsedMs).toBeLessThan(TIMEOUT_MS + 1500);
    expect(responses.map((r) => r.status)).toEqual([408]);
  });
});

describe('many idle connections', () => {
  it('500 connections that send nothing (or half a request) do not stop others being served, and are closed in time', async () => {
    const sockets = await Promise.all(
      Array.from(
        { length: 500 },
        (_, i) =>
          new Promise<net.Socket>((resolve, reject) => {
            const socket = net.connect(stub.port, '127.0.0.1', () => {
              if (i % 2) socket.write('GET /v2/carts HTTP/1.1\r\nHost: 127.0.0.1\r\n');
              resolve(socket);
            });
            socket.on('error', reject);
            socket.resume(); // read (and drop) what the stub sends, so its close is seen
          }),
      ),
    );
    const closed = sockets.map((socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())));
    try {
      await stillServing();
      const responses = await Promise.all(Array.from({ length: 20 }, () => fetch(`${stub.url}/v2/carts`, { headers: auth.cc })));
      expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
      // Every idle connection is closed by the stub within the request timeout (and Node's check interval).
      const started = performance.now();
      await Promise.all(closed);
      expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 2000);
    } finally {
      for (const socket of sockets) socket.destroy();
    }
    await stillServing();
  });
});

describe('memory', () => {
  // vitest's workers run without --expose-gc; V8 lets a running process turn it on.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const measure = () => {
    gc();
    gc();
    const { rss, heapUsed } = process.memoryUsage();
    return { rss: rss / 2 ** 20, heap: heapUsed / 2 ** 20 };
  };

  it('20 000 mixed requests leave memory where it was (after a warm-up and a GC)', async () => {
    const app = await buildApp();
    const cc = auth.cc;
    const json = { ...cc, 'content-type': 'application/json' };
    const association = (id: string) => JSON.stringify({ data: [{ type: 'account', id }] });
    const mixed = [
      () => ({ method: 'POST', url: '/v2/carts/demo-cart-empty/relationships/accounts', headers: json, payload: association(ids.acme) }),
      () => ({ method: 'DELETE', url: '/v2/carts/demo-cart-empty/relationships/accounts', headers: json, payload: association(ids.acme) }),
      () => ({ method: 'POST', url: '/v2/carts', headers: json, payload: JSON.stringify({ data: { id: 'memory-cart', name: 'm' } }) }),
      () => ({ method: 'DELETE', url: '/v2/carts/memory-cart', headers: cc }),
      () => ({ method: 'GET', url: '/v2/carts?page[limit]=5', headers: { ...auth.implicit, ...auth.aliceAcme } }),
      () => ({ method: 'POST', url: '/oauth/access_token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'grant_type=implicit&client_id=demo-storefront' }),
      () => ({ method: 'POST', url: '/v2/carts/demo-cart-2/relationships/customers', headers: json, payload: '{"data":{"type":"customer"}}' }),
      () => ({ method: 'POST', url: '/v2/carts/demo-cart-2/relationships/accounts', headers: json, payload: '{"data":[' }),
      () => ({ method: 'GET', url: '/v2/carts/demo-cart-acme', headers: { authorization: `Bearer forged.${Math.random()}.token` } }),
      () => ({ method: 'GET', url: `/v2/nowhere/${Math.random()}`, headers: cc }),
    ];
    const send = async (count: number) => {
      for (let i = 0; i < count; i += 1) {
        const response = await app.fastify.inject(mixed[i % mixed.length]!() as InjectOptions);
        if (response.statusCode >= 500) throw new Error(`${response.statusCode}: ${response.body}`);
      }
    };
    try {
      await send(4_000); // fills the journal's ring, the token cache, compiled code
      const before = measure();
      await send(20_000);
      const after = measure();
      console.log(`memory after 20 000 mixed requests: RSS ${before.rss.toFixed(1)} → ${after.rss.toFixed(1)} MB, heap ${before.heap.toFixed(1)} → ${after.heap.toFixed(1)} MB`);
      expect(after.heap - before.heap).toBeLessThan(10);
      expect(after.rss - before.rss).toBeLessThan(40);
    } finally {
      await app.fastify.close();
    }
  }, 60_000);
});
