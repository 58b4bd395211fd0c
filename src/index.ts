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
  const close = async () => {
    // A keep-alive connection whose last request ends during the drain would otherwise idle until the
    // client's timeout and hold the close up; close such connections as they become idle.
    const idle = setInterval(() => app.fastify.server.closeIdleConnections(), 50);
    try {
      await app.fastify.close();
    } finally {
      clearInterval(idle);
    }
    await app.store.close();
  };
  try {
    await app.fastify.listen({ port: options.port ?? 4010, host });
  } catch (error) {
    await close(); // a port in use leaves nothing half-started in the caller's process
    throw error;
  }
  const address = app.fastify.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 4010);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return { ...app, url: `http://${urlHost}:${port}`, port, close };
}
