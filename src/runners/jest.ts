/**
 * `ep-cart-stub/jest`: `useStub()`, a stub of the test file's own (port 0, reset before each test),
 * `toHaveReceived` on `expect`, and `globalSetup`/`globalTeardown` for an app under test that runs outside the
 * workers. It uses the globals Jest injects (`expect`, `beforeAll`, …), so that the global set-up, which runs
 * outside any test environment, can import it too.
 */
import type * as JestGlobalsModule from '@jest/globals';
import { startStub, type RunningStub, type StubOptions } from '../stub.js';
import type { ElasticPathOperationId } from '../operations.js';
import { toHaveReceived, type ReceivedOptions } from './matchers.js';

export type { ReceivedOptions } from './matchers.js';

declare module 'expect' {
  interface Matchers<R extends void | Promise<void>, T = unknown> {
    /** The stub's journal holds requests of this operation (with this status and rule), at least once or exactly `times`. */
    toHaveReceived(operationId: ElasticPathOperationId, options?: ReceivedOptions): R;
  }
}

type JestGlobals = Pick<typeof JestGlobalsModule, 'beforeAll' | 'beforeEach' | 'afterAll'> & Partial<Pick<typeof JestGlobalsModule, 'expect'>>;
const jestGlobals = globalThis as unknown as JestGlobals;

// Outside a test environment (the global set-up) there is no expect to extend.
jestGlobals.expect?.extend({ toHaveReceived });

/** Registers the hooks of a stub of this test file's own and answers it; call the answer inside tests and hooks. */
export function useStub(options: StubOptions = {}): () => RunningStub {
  let stub: RunningStub | undefined;
  jestGlobals.beforeAll(async () => {
    stub = await startStub({ ...options, port: 0 });
  });
  jestGlobals.beforeEach(() => stub?.reset());
  jestGlobals.afterAll(() => stub?.close());
  return () => {
    if (!stub) throw new Error('useStub(): the stub starts in beforeAll; use it inside a test or a hook');
    return stub;
  };
}

/** Where `globalSetup` keeps the run's stub for `globalTeardown`: both run in Jest's own process. */
const RUN_STUB = Symbol.for('ep-cart-stub.jest.run-stub');

/**
 * Starts one stub for the whole run, before any worker, for code under test that the run starts once: its
 * address is `EP_CART_STUB_URL` in the workers and in processes started after it. Files that share it see each
 * other's requests: run them one at a time (`--runInBand`).
 */
export async function globalSetup(): Promise<void> {
  const stub = await startStub({ port: 0 });
  (globalThis as Record<symbol, unknown>)[RUN_STUB] = stub;
  process.env.EP_CART_STUB_URL = stub.url;
}

export async function globalTeardown(): Promise<void> {
  await ((globalThis as Record<symbol, unknown>)[RUN_STUB] as RunningStub | undefined)?.close();
}
