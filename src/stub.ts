/**
 * Starts the stub on a port: the library's main entry point, which index.ts exports with the rest. The CLI's
 * serve command imports it from here, not from index.ts, so that a start loads none of the tools (record,
 * replay, verify) the index also exports: each module loaded is part of the cold start `npm run bench` measures.
 */
import type { FastifyInstance } from 'fastify';
import { buildApp, type App, type AppOptions } from './http/app.js';
import type { JournalFilter, JournalMatch } from './http/journal.js';
import { writeCoverageFile } from './coverage/files.js';

export interface StubOptions extends AppOptions {
  /** 0 picks a free port. Default 4010. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Write the rule coverage here when the stub closes: JSON, JUnit XML or HTML, by the extension. */
  coverageReport?: string;
}

export interface RunningStub extends App {
  url: string;
  port: number;
  /** The request journal, oldest first (what `GET /__stub/requests` answers), typed by the filter's operation. */
  requests<const F extends JournalFilter = {}>(filter?: F): JournalMatch<F>[];
  /**
   * The first request that matches, already in the journal or still to come: for a UI test whose request
   * follows a click. Rejects after `timeout` ms (default 5000) with a message that lists the journal.
   */
  waitForRequest<const F extends JournalFilter>(filter: F, options?: { timeout?: number }): Promise<JournalMatch<F>>;
  /** Stops taking connections, lets requests in flight finish, closes (flushes) the store it opened, and writes `coverageReport`. */
  close(): Promise<void>;
}

/** How long `waitForRequest` waits unless told: as long as Playwright's assertions wait. */
const DEFAULT_WAIT_MS = 5000;

/** Starts a stub that listens; what the CLI runs, and what a test suite's global setup can call. */
export async function startStub(options: StubOptions = {}): Promise<RunningStub> {
  const app = await buildApp(options);
  const host = options.host ?? '127.0.0.1';
  try {
    await app.fastify.listen({ port: options.port ?? 4010, host });
  } catch (error) {
    await closeDraining(app.fastify); // a port in use leaves nothing half-started in the caller's process
    throw error;
  }
  const address = app.fastify.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 4010);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    ...app,
    url: `http://${urlHost}:${port}`,
    port,
    // The journal's entries are what the filter lets through: the narrowing is the types' only addition.
    requests: <const F extends JournalFilter>(filter?: F) => app.journal.list(filter) as JournalMatch<F>[],
    waitForRequest: <const F extends JournalFilter>(filter: F, { timeout = DEFAULT_WAIT_MS } = {}) =>
      app.journal.waitFor(filter, timeout) as Promise<JournalMatch<F>>,
    close: async () => {
      await closeDraining(app.fastify);
      if (options.coverageReport) await writeCoverageFile(options.coverageReport, app.coverage());
    },
  };
}

/**
 * Fastify's close ends idle keep-alive connections once, as it starts; a connection whose request is still
 * being answered goes idle later and would hold the server open for its whole keep-alive timeout. So idle
 * connections are ended until the close is done: in-flight requests finish, nothing waits on a silent client.
 */
async function closeDraining(fastify: FastifyInstance): Promise<void> {
  const draining = setInterval(() => fastify.server.closeIdleConnections(), 50);
  try {
    await fastify.close();
  } finally {
    clearInterval(draining);
  }
}
