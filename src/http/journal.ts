import type { FastifyInstance } from 'fastify';
import { ACCOUNT_TOKEN_HEADER, CUSTOMER_TOKEN_HEADER } from '../auth/authenticate.js';

/** One request, as `GET /__stub/requests` shows it. */
export interface JournalEntry {
  at: string;
  method: string;
  path: string;
  query: unknown;
  operationId: string | null;
  /** Null when the connection closed before an answer (a dropped-connection fault). */
  status: number | null;
  duration_ms: number;
  headers: unknown;
  body: unknown;
}

export interface JournalFilter {
  operationId?: string;
  status?: number;
}

const SECRET_HEADERS = new Set(['authorization', ACCOUNT_TOKEN_HEADER, CUSTOMER_TOKEN_HEADER]);
/**
 * Larger bodies are recorded by their size only: a full journal of 1 MiB bodies would hold a gigabyte.
 * Every body the document describes is far smaller.
 */
export const JOURNAL_BODY_LIMIT = 16 * 1024;
const SECRET_FIELDS = new Set(['client_secret', 'password']);

/** The last `size` requests, oldest first. A ring buffer: memory stays flat however long the stub runs. */
export class Journal {
  private entries: JournalEntry[] = [];
  /** Where the oldest entry is, once the buffer is full. */
  private oldest = 0;

  constructor(readonly size: number) {}

  record(entry: JournalEntry): void {
    if (this.size === 0) return;
    if (this.entries.length < this.size) {
      this.entries.push(entry);
    } else {
      this.entries[this.oldest] = entry;
      this.oldest = (this.oldest + 1) % this.size;
    }
  }

  /** Secrets are masked here, when read, so that recording costs the request almost nothing. */
  list({ operationId, status }: JournalFilter = {}): JournalEntry[] {
    return [...this.entries.slice(this.oldest), ...this.entries.slice(0, this.oldest)]
      .filter((entry) => (operationId === undefined || entry.operationId === operationId) && (status === undefined || entry.status === status))
      .map((entry) => ({ ...entry, headers: masked(entry.headers, SECRET_HEADERS), body: masked(entry.body, SECRET_FIELDS) }));
  }

  clear(): void {
    this.entries = [];
    this.oldest = 0;
  }
}

/**
 * Records every request but the stub's own (control API, probes) when its connection closes, so that answered, failed and
 * dropped requests are all there. Tokens, client secrets and passwords are masked.
 */
export function installJournal(app: FastifyInstance, journal: Journal): void {
  app.addHook('onRequest', async (request, reply) => {
    const operation = request.routeOptions.config?.operation;
    if (operation && !operation.elasticPath) return;
    const at = new Date().toISOString();
    const started = performance.now();
    // As sent: validation later coerces the query and fills in its defaults.
    const query = { ...(request.query as object) };
    reply.raw.once('close', () => {
      journal.record({
        at,
        method: request.method,
        path: request.url.split('?')[0]!,
        query,
        operationId: operation?.operationId ?? null,
        status: reply.raw.headersSent ? reply.statusCode : null,
        duration_ms: Math.round((performance.now() - started) * 1000) / 1000,
        headers: request.headers,
        body: kept(request.body, request.headers['content-length']),
      });
    });
  });
}

/** The body, or a note of its size when it is larger than the journal keeps. */
function kept(body: unknown, contentLength: string | undefined): unknown {
  if (body === undefined || body === null) return null;
  // A chunked body has no Content-Length; measuring it costs once per such request, only when it is recorded.
  const size = contentLength === undefined ? Buffer.byteLength(JSON.stringify(body) ?? '') : Number(contentLength);
  return size > JOURNAL_BODY_LIMIT ? `(a body of ${size} bytes, not kept: the journal keeps bodies up to ${JOURNAL_BODY_LIMIT} bytes)` : body;
}

function masked(value: unknown, secrets: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((item) => masked(item, secrets));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, secrets.has(key.toLowerCase()) ? '*****' : masked(item, secrets)]),
  );
}
