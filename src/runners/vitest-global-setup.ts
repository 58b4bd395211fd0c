/**
 * `ep-cart-stub/vitest/global-setup`, for vitest's `globalSetup`: a module of its own, since the global set-up
 * runs outside any test file, where importing vitest's `test` and `expect` (as ep-cart-stub/vitest does) fails.
 */
import type { TestProject } from 'vitest/node';
import { startStub } from '../stub.js';

declare module 'vitest' {
  interface ProvidedContext {
    /** The stub the global set-up started for the whole run. */
    epCartStub: { url: string };
  }
}

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
