import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/** The HTTP behaviour suite: run on every store, since each must answer alike. */
const ON_EVERY_STORE = ['associations', 'association-races', 'carts', 'cart-fidelity', 'contract', 'control', 'regressions', 'tokens'].map(
  (name) => `test/${name}.test.ts`,
);

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Vitest's default, one worker fewer than the cores, runs the files one at a time on two cores. Most of
    // them wait on child processes (the shipped bin, npm, Chromium, redis-server), so two workers there
    // took the suite from 227 s to 186 s.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      {
        extends: true,
        test: {
          name: 'memory',
          include: ['test/**/*.test.ts'],
          // Packs and installs the package once, for the tests that run the shipped command; a redis-server for the Redis store's own tests.
          globalSetup: ['test/global-setup.ts', 'test/redis-global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'redis',
          include: ON_EVERY_STORE,
          globalSetup: ['test/redis-global-setup.ts'],
          // test/support/stub.ts then keeps each test stub's state on the server, under a prefix of its own.
          env: { STUB_TEST_STORE: 'redis' },
        },
      },
    ],
  },
});
