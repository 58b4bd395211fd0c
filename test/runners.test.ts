/**
 * The runner integrations from the sources: vitest's `test` fixture and global set-up, jest's global set-up,
 * and `toHaveReceived`, which all three register (examples.test.ts runs each from the packed tarball).
 */
import type { expect as jestExpect } from '@jest/globals';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { ElasticPathOperationId, RunningStub } from '../src/index.js';
import { globalSetup, globalTeardown } from '../src/runners/jest.js';
import { setup } from '../src/runners/vitest-global-setup.js';
import type { expect as playwrightExpect } from '../src/runners/playwright.js';
import { test } from '../src/runners/vitest.js';
import { checkedBlock } from './support/documents.js';
import { ids } from './support/stub.js';

const associate = (url: string, cartId: string, accountId: string = ids.acme) =>
  fetch(`${url}/v2/carts/${cartId}/relationships/accounts`, {
    method: 'POST',
    headers: { authorization: 'Bearer demo-client-credentials-token', 'content-type': 'application/json' },
    body: JSON.stringify({ data: [{ type: 'account', id: accountId }] }),
  });

describe('ep-cart-stub/vitest: the stub fixture is one stub for the file, reset before each test', () => {
  const urls: string[] = [];
  afterAll(() => expect(new Set(urls).size).toBe(1));

  test('a test seeds and associates', async ({ stub }) => {
    urls.push(stub.url);
    await stub.seed({ carts: [{ id: 'fixture-cart' }] });
    expect((await associate(stub.url, 'fixture-cart')).status).toBe(200);
    expect(stub.requests()).toHaveLength(1);
  });

  test('the next test finds the same stub back at the fixtures, its journal empty', async ({ stub }) => {
    urls.push(stub.url);
    expect(stub.state().carts.map((cart) => cart.id)).not.toContain('fixture-cart');
    expect(stub.requests()).toEqual([]);
  });
});

describe('toHaveReceived', () => {
  test('passes once the journal holds the operation with that status and rule, exactly `times` times when given', async ({ stub }) => {
    await associate(stub.url, 'demo-cart-empty');
    await associate(stub.url, 'demo-cart-empty');
    expect(stub).toHaveReceived('createAccountCartAssociation');
    expect(stub).toHaveReceived('createAccountCartAssociation', { status: 204, rule: 'associations.15', times: 1 });
    expect(stub).toHaveReceived('createAccountCartAssociation', { times: 2 });
    expect(stub).not.toHaveReceived('createAccountCartAssociation', { status: 403 });
    expect(stub).not.toHaveReceived('getCarts');
  });

  test('a failure says what was expected and how often it came, and lists the journal: method, path, status, rule', async ({ stub }) => {
    await associate(stub.url, 'demo-cart-empty');
    await associate(stub.url, 'demo-cart-empty', ids.globex);
    expect(() => expect(stub).toHaveReceived('createAccountCartAssociation', { status: 204, times: 1 })).toThrow(
      'expected the stub to have received { operationId: "createAccountCartAssociation", status: 204 } once, and it received that 0 times; ' +
        'the journal holds 2 requests:\n' +
        '  POST /v2/carts/demo-cart-empty/relationships/accounts → 200 associations.16 (createAccountCartAssociation)\n' +
        '  POST /v2/carts/demo-cart-empty/relationships/accounts → 403 associations.14 (createAccountCartAssociation)',
    );
    expect(() => expect(stub).not.toHaveReceived('createAccountCartAssociation', { rule: 'associations.14' })).toThrow(
      /^expected the stub not to have received \{ operationId: "createAccountCartAssociation", rule: "associations.14" \} at least once, and it received that once; the journal holds 2 requests/,
    );
  });

  test('a failure reads as docs/test-code.md shows it', async ({ stub }) => {
    await stub.seed({ carts: [{ id: 'checkout-cart' }] });
    expect((await associate(stub.url, 'checkout-cart')).status).toBe(200);
    let failure = '';
    try {
      expect(stub).toHaveReceived('createAccountCartAssociation', { status: 204, times: 1 });
    } catch (error) {
      failure = (error as Error).message;
    }
    expect(failure).toBe(checkedBlock('docs/test-code.md', import.meta.url).text.trimEnd());
  });

  it("is typed on jest's and Playwright's expect too, its operationId one of the document's", () => {
    expectTypeOf<ReturnType<typeof jestExpect<RunningStub>>['toHaveReceived']>().parameter(0).toEqualTypeOf<ElasticPathOperationId>();
    expectTypeOf<ReturnType<typeof playwrightExpect<RunningStub>>['toHaveReceived']>().parameter(0).toEqualTypeOf<ElasticPathOperationId>();
  });

  it('refuses what is not a stub, saying so', () => {
    expect(() => expect({ url: 'http://nowhere' }).toHaveReceived('getCarts')).toThrow('toHaveReceived expects a stub');
  });
});

describe('global set-ups: one stub for the whole run, its address handed on', () => {
  afterAll(() => {
    delete process.env.EP_CART_STUB_URL;
  });

  it('vitest: setup provides the URL to the workers and sets EP_CART_STUB_URL; its teardown stops the stub', async () => {
    const provided: Record<string, unknown> = {};
    const teardown = await setup({ provide: (key: string, value: unknown) => (provided[key] = value) } as Parameters<typeof setup>[0]);
    const { url } = provided.epCartStub as { url: string };
    expect(process.env.EP_CART_STUB_URL).toBe(url);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    await teardown();
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('jest: globalSetup starts it and sets EP_CART_STUB_URL; globalTeardown stops it', async () => {
    await globalSetup();
    const url = process.env.EP_CART_STUB_URL!;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    await globalTeardown();
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});
