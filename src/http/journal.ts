import { parse as parseQuery } from 'node:querystring';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SECRET_FIELDS, SECRET_HEADERS, masked } from '../secrets.js';
import type { RuleId } from '../domain/rules.js';
import { ruleOf } from './trace.js';
import { operationOf } from './routes.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** `performance.now()` when the request arrived, for the journal's durations. */
    receivedAt: number;
  }
}

/** One request, as `GET /__stub/requests` shows it. */
export interface JournalEntry {
  at: string;
  method: string;
  path: string;
  query: unknown;
  operationId: string | null;
  /** Null when the connection closed before an answer (a `drop` fault, or a client that gave up). */
  status: number | null;
  /** The rule that produced the answer, as the `EP-Stub-Rule` header names it. */
  rule: RuleId;
  duration_ms: number;
  headers: unknown;
  body: unknown;
}

export interface JournalFilter {
  operationId?: string;
  status?: number;
}

/**
 * Larger bodies are recorded by their size only: a full journal of 1 MiB bodies would hold a gigabyte.
 * Every body the document describes is far smaller.
 */
export const JOURNAL_BODY_LIMIT = 16 * 1024;

/**
 * A request as recorded: the cheapest form to take on every request. `list` turns it into a JournalEntry
 * (time, path and query, masks) only when someone reads the journal.
 */
interface Exchange {
  startedAt: number;
  method: string;
  url: string;
  operationId: string | null;
  status: number | null;
  rule: RuleId;
  duration_ms: number;
  headers: unknown;
  body: unknown;
}

/**
 * Entries of a larger journal outlive several young-generation collections under load, so V8 moves each to
 * the old generation, where it waits for a full collection: at 1000 the stub's peak RSS under sustained load
 * was about 25 MB higher (`npm run bench`, peak RSS). 200 covers any one test's requests; `--journal-size` keeps more.
 */
export const DEFAULT_JOURNAL_SIZE = 200;

/** The last `size` requests, oldest first. A ring buffer: memory stays flat however long the stub runs. */
export class Journal {
  private exchanges: Exchange[] = [];
  /** Where the oldest exchange is, once the buffer is full. */
  private oldest = 0;

  constructor(readonly size: number) {}

  /** Records a request and its answer; `status` null for a connection dropped without one. */
  record(request: FastifyRequest, status: number | null): void {
    if (this.size === 0) return;
    const durationMs = performance.now() - request.receivedAt;
    const exchange: Exchange = {
      startedAt: Date.now() - durationMs,
      method: request.method,
      url: request.url,
      operationId: operationOf(request)?.operationId ?? null,
      status,
      rule: ruleOf(request.rule, request.method),
      duration_ms: Math.round(durationMs * 1000) / 1000,
      headers: request.headers,
      body: kept(request.body, request.headers['content-length']),
    };
    if (this.exchanges.length < this.size) {
      this.exchanges.push(exchange);
    } else {
      this.exchanges[this.oldest] = exchange;
      this.oldest = (this.oldest + 1) % this.size;
    }
  }

  /** Secrets are masked here, when read, so that recording costs the request almost nothing. */
  list({ operationId, status }: JournalFilter = {}): JournalEntry[] {
    return [...this.exchanges.slice(this.oldest), ...this.exchanges.slice(0, this.oldest)]
      .filter((exchange) => (operationId === undefined || exchange.operationId === operationId) && (status === undefined || exchange.status === status))
      .map(({ startedAt, url, headers, body, ...answer }) => {
        const queryAt = url.indexOf('?');
        return {
          at: new Date(startedAt).toISOString(),
          ...answer,
          path: queryAt === -1 ? url : url.slice(0, queryAt),
          // As sent: validation coerces the request's query and fills in its defaults.
          query: queryAt === -1 ? {} : { ...parseQuery(url.slice(queryAt + 1)) },
          headers: masked(headers, SECRET_HEADERS),
          body: masked(body, SECRET_FIELDS),
        };
      });
  }

  clear(): void {
    this.exchanges = [];
    this.oldest = 0;
  }
}

/**
 * Records every request but the stub's own (control API, probes): when it is answered (failed requests and
 * unknown routes too), or, with a null status, when its connection closes first (the client gave up, or a
 * fault dropped it). Secrets are masked when the journal is read.
 */
export function installJournal(app: FastifyInstance, journal: Journal): void {
  const journaled = (request: FastifyRequest) => operationOf(request)?.elasticPath !== false;
  app.decorateRequest('receivedAt', 0);
  app.addHook('onRequest', (request, _reply, done) => {
    request.receivedAt = performance.now();
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    if (journaled(request)) journal.record(request, reply.statusCode);
    done();
  });
  app.addHook('onRequestAbort', (request, done) => {
    if (journaled(request)) journal.record(request, null);
    done();
  });
}

/** The body, or a note of its size when it is larger than the journal keeps. */
function kept(body: unknown, contentLength: string | undefined): unknown {
  if (body === undefined || body === null) return null;
  // A chunked body has no Content-Length; measuring it costs once per such request, only when it is recorded.
  const size = contentLength === undefined ? Buffer.byteLength(JSON.stringify(body) ?? '') : Number(contentLength);
  return size > JOURNAL_BODY_LIMIT ? `(a body of ${size} bytes, not kept: the journal keeps bodies up to ${JOURNAL_BODY_LIMIT} bytes)` : body;
}
