import { buildApp, type App, type AppOptions } from './http/app.js';

export { buildApp, type App, type AppOptions } from './http/app.js';
export { StubClock } from './clock.js';
export { MemoryStore } from './store/memory-store.js';
export type { Store, StoreReadiness } from './store/store.js';
export { loadFixtures, DEFAULT_FIXTURES_PATH } from './fixtures.js';

export interface StubOptions extends AppOptions {
  /** 0 picks a free port. Default 4010. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export interface RunningStub extends App {
  url: string;
  port: number;
  /** Stops taking connections, lets requests in flight finish, then closes (flushes) the store. */
  close(): Promise<void>;
}

/** Starts a stub that listens; what the CLI runs, and what a test suite's global setup can call. */
export async function startStub(options: StubOptions = {}): Promise<RunningStub> {
  const app = await buildApp(options);
  const host = options.host ?? '127.0.0.1';
  await app.fastify.listen({ port: options.port ?? 4010, host });
  const address = app.fastify.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 4010);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const close = async () => {
    await app.fastify.close();
    await app.store.close();
  };
  return { ...app, url: `http://${urlHost}:${port}`, port, close };
}
