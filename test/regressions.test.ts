/**
 * Defects the hardening work found (most by the contract fuzzer, `test/fuzz.test.ts`), one test each, named
 * after the defect, so that none comes back.
 */
import { afterAll, beforeAll, afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { DEFAULT_FIXTURES_PATH } from '../src/fixtures.js';
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

});
