/**
 * `ep-cart-stub/playwright`: a `test` with a `stub` per worker (port 0) and an automatic reset before each
 * test, and an `expect` with `toHaveReceived`. Hand `stub.url` to the app under test (a query parameter, an
 * environment variable of the server it starts); `stubOptions` sets how the stub starts (`test.use`).
 */
import { expect as base, test as baseTest } from '@playwright/test';
import type { RunningStub, StubOptions } from '../stub.js';
import { resetFirst, withStub } from './fixture.js';
import { toHaveReceived } from './matchers.js';

export type { ReceivedOptions } from './matchers.js';

export const test = baseTest.extend<{ resetStub: void }, { stub: RunningStub; stubOptions: StubOptions }>({
  stubOptions: [{}, { scope: 'worker', option: true }],
  stub: [async ({ stubOptions }, use) => withStub(stubOptions, use), { scope: 'worker' }],
  resetStub: [async ({ stub }, use) => resetFirst(stub, use), { auto: true }],
});

export const expect = base.extend({ toHaveReceived });
