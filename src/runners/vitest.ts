/**
 * `ep-cart-stub/vitest`: a `test` whose `stub` fixture is a stub of the test file's own (port 0, reset before
 * each test), `toHaveReceived` on `expect`, and `globalSetup` for an app under test that runs outside the
 * workers. Why a stub per file and not a sandbox of a shared one: docs/test-code.md, "Parallel workers".
 */
import { expect, test as base } from 'vitest';
import type { TestProject } from 'vitest/node';
import { startStub, type RunningStub, type StubOptions } from '../index.js';
import type { ElasticPathOperationId } from '../operations.js';
import { toHaveReceived, type ReceivedOptions } from './matchers.js';

export type { ReceivedOptions } from './matchers.js';

declare module 'vitest' {
  interface Matchers<T = any> {
    /** The stub's journal holds requests of this operation (with this status and rule), at least once or exactly `times`. */
    toHaveReceived(operationId: ElasticPathOperationId, options?: ReceivedOptions): T;
  }
  interface ProvidedContext {
    /** The stub `globalSetup` started for the whole run. */
    epCartStub: { url: string };
  }
}

expect.extend({ toHaveReceived });

/** A `test` with a `stub` of each test file's own, started with `options`, reset before each test. */
export function stubTest(options: StubOptions = {}) {
  return base.extend<{ stub: RunningStub; resetStub: void }>({
    stub: [
      // eslint-disable-next-line no-empty-pattern -- vitest reads a fixture's dependencies from its first parameter
      async ({}, use) => {
        const stub = await startStub({ ...options, port: 0 });
        await use(stub);
        await stub.close();
      },
      { scope: 'file' },
    ],
    resetStub: [
      async ({ stub }, use) => {
        await stub.reset();
        await use();
      },
      { auto: true },
    ],
  });
}

export const test = stubTest();

/**
 * Starts one stub for the whole run, before any worker, for code under test that the run starts once (a dev
 * server): its address is `inject('epCartStub').url` in tests and `EP_CART_STUB_URL` in processes started
 * after it. Files that share it see each other's requests: run them one at a time (`fileParallelism: false`).
 */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stub = await startStub({ port: 0 });
  project.provide('epCartStub', { url: stub.url });
  process.env.EP_CART_STUB_URL = stub.url;
  return () => stub.close();
}
