/**
 * `ep-cart-stub/vitest`: a `test` whose `stub` fixture is a stub of the test file's own (port 0, reset before
 * each test), and `toHaveReceived` on `expect`. Why a stub per file and not a sandbox of a shared one:
 * docs/test-code.md, "Parallel workers". The global set-up is `ep-cart-stub/vitest/global-setup`.
 */
import { expect, test as base } from 'vitest';
import type { RunningStub, StubOptions } from '../stub.js';
import { resetFirst, withStub } from './fixture.js';
import type { ElasticPathOperationId } from '../operations.js';
import { toHaveReceived, type ReceivedOptions } from './matchers.js';

export type { ReceivedOptions } from './matchers.js';

declare module 'vitest' {
  interface Matchers<T = any> {
    /** The stub's journal holds requests of this operation (with this status and rule), at least once or exactly `times`. */
    toHaveReceived(operationId: ElasticPathOperationId, options?: ReceivedOptions): T;
  }
}

expect.extend({ toHaveReceived });

/** A `test` with a `stub` of each test file's own, started with `options`, reset before each test. */
export function stubTest(options: StubOptions = {}) {
  return base.extend<{ stub: RunningStub; resetStub: void }>({
    // eslint-disable-next-line no-empty-pattern -- vitest reads a fixture's dependencies from its first parameter
    stub: [async ({}, use) => withStub(options, use), { scope: 'file' }],
    resetStub: [async ({ stub }, use) => resetFirst(stub, use), { auto: true }],
  });
}

export const test = stubTest();
