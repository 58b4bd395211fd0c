import { afterEach, describe, expect, it } from 'vitest';
import type { AppOptions } from '../src/http/app.js';
import { auth, startTestStub, type TestStub } from './support/stub.js';

const DOCS_SITE = 'https://docs.example.com';
const SHOPPER_AND_SDK_HEADERS = [
  'authorization',
  'content-type',
  'ep-account-management-authentication-token',
  'x-moltin-customer-token',
  'x-moltin-sdk-language',
  'x-moltin-sdk-version',
  'x-moltin-application',
  'x-moltin-currency',
  'x-moltin-language',
];

let stub: TestStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

async function preflight(options: AppOptions, origin: string, method: string) {
  stub = await startTestStub(options);
  return stub.request({
    method: 'OPTIONS',
    url: '/v2/carts/demo-cart-empty/relationships/accounts',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': SHOPPER_AND_SDK_HEADERS.join(','),
    },
  });
}

const listed = (header: unknown) => String(header).toLowerCase().split(/,\s*/);

describe('CORS: a browser on another origin may call the stub', () => {
  it('a preflight allows the bearer, the shopper tokens and the SDK’s X-MOLTIN-* headers', async () => {
    const response = await preflight({}, DOCS_SITE, 'POST');
    expect(response.statusCode).toBe(204);
    expect(listed(response.headers['access-control-allow-headers'])).toEqual(expect.arrayContaining(SHOPPER_AND_SDK_HEADERS));
  });

  it('a preflight allows every method the document uses, DELETE (which carries a body) included', async () => {
    const response = await preflight({}, DOCS_SITE, 'DELETE');
    expect(response.statusCode).toBe(204);
    expect(listed(response.headers['access-control-allow-methods']).sort()).toEqual(['delete', 'get', 'post', 'put']);
  });

  it('by default any origin is allowed', async () => {
    stub = await startTestStub();
    const response = await stub.request({ method: 'GET', url: '/v2/carts', headers: { ...auth.cc, origin: 'http://localhost:3000' } });
    expect(response.headers['access-control-allow-origin']).toBe('*');
  });

  it('errors carry the CORS headers too, so the browser can read them', async () => {
    stub = await startTestStub();
    const response = await stub.request({ method: 'GET', url: '/v2/carts', headers: { origin: DOCS_SITE } });
    expect(response.statusCode).toBe(401);
    expect(response.headers['access-control-allow-origin']).toBe('*');
  });

  it('an OPTIONS that is not a preflight answers 204, never a plain-text error', async () => {
    stub = await startTestStub();
    const response = await stub.request({ method: 'OPTIONS', url: '/v2/carts' });
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
  });

  it('a browser may read the rate-limit headers of an answer', async () => {
    const response = await preflight({}, DOCS_SITE, 'GET');
    expect(listed(response.headers['access-control-expose-headers'])).toEqual(
      expect.arrayContaining(['retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset']),
    );
  });
});

describe('CORS: with corsOrigins, only those origins', () => {
  it('a listed origin is echoed back, on the preflight and on the answer', async () => {
    const response = await preflight({ corsOrigins: [DOCS_SITE] }, DOCS_SITE, 'POST');
    expect(response.headers['access-control-allow-origin']).toBe(DOCS_SITE);
    const answer = await stub!.request({ method: 'GET', url: '/v2/carts', headers: { ...auth.cc, origin: DOCS_SITE } });
    expect(answer.headers['access-control-allow-origin']).toBe(DOCS_SITE);
    expect(answer.headers.vary).toMatch(/origin/i);
  });

  it('another origin gets no Access-Control-Allow-Origin, which the browser takes as a refusal', async () => {
    const response = await preflight({ corsOrigins: [DOCS_SITE] }, 'https://elsewhere.example', 'POST');
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    const answer = await stub!.request({
      method: 'GET',
      url: '/v2/carts',
      headers: { ...auth.cc, origin: 'https://elsewhere.example' },
    });
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
  });
});
