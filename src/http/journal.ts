import { parse as parseQuery } from 'node:querystring';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SECRET_FIELDS, SECRET_HEADERS, masked } from '../secrets.js';
import type { BehaviourRuleId, RuleId } from '../domain/rules.js';
import type { ElasticPathOperationId, Refusals, RequestBodies, Successes } from '../operations.js';
import { ruleOf } from './trace.js';
import { operationOf } from './routes.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** `performance.now()` when the request arrived, for the journal's durations. */
    receivedAt: number;
  }
}

/** What every entry has, whatever its operation. */
interface Recorded {
  /** When the request arrived (wall-clock time, not the stub's clock). */
  at: string;
  method: string;
  path: string;
  /** As sent: validation coerces the request's query and fills in its defaults. */
  query: Record<string, string | string[]>;
  duration_ms: number;
  /** As received, with `authorization` and the shopper-token headers masked. */
  headers: Record<string, string | string[] | undefined>;
}

/** What the journal records of a body larger than it keeps (`JOURNAL_BODY_LIMIT`). */
export type OversizedBody = `(a body of ${number} bytes, not kept: the journal keeps bodies up to ${number} bytes)`;

/**
 * An answer a behaviour rule gave with success: its status and rule are the rule's, and its body passed the
 * operation's schema (`client_secret` and `password` values masked).
 */
type Succeeded<Op extends ElasticPathOperationId> = Successes[Op] & { operationId: Op; body: RequestBodies[Op] | OversizedBody };

/**
 * Any other answer: a refusal by one of the operation's rules, or by a rule of no row (validation, a fault, a
 * `Prefer` example, a limit); the body is as sent, null when there was none.
 */
interface Answered<Op extends ElasticPathOperationId | null> {
  operationId: Op;
  /** Null when the connection closed before an answer (a `drop` fault, or a client that gave up). */
  status: number | null;
  /** The rule that produced the answer, as the `EP-Stub-Rule` header names it. */
  rule: (Op extends ElasticPathOperationId ? Refusals[Op] : never) | Exclude<RuleId, BehaviourRuleId>;
  body: unknown;
}

/**
 * One request, as `GET /__stub/requests` shows it, typed by its operation: a success's status, rule and body
 * are those of its operation (narrow on `rule` to read a typed body). A route the document does not have has
 * the operationId null.
 */
export type JournalEntry<Op extends ElasticPathOperationId | null = ElasticPathOperationId | null> = Op extends ElasticPathOperationId
  ? Recorded & (Succeeded<Op> | Answered<Op>)
  : Recorded & Answered<null>;

export interface JournalFilter {
  operationId?: ElasticPathOperationId | null;
  status?: number | null;
  rule?: RuleId;
}

/** The entries a filter lets through, as a type: `{ operationId: 'getCarts', status: 200 }` keeps getCarts' 200s. */
export type JournalMatch<F extends JournalFilter> = Narrowed<
  JournalEntry<F extends { operationId: infer Op extends ElasticPathOperationId | null } ? Op : ElasticPathOperationId | null>,
  F
>;

type Narrowed<E, F> = E extends { status: infer Status; rule: infer Rule }
  ? F extends { status: infer Wanted extends number | null }
    ? [Wanted & Status] extends [never]
      ? never
      : Narrowed<E & { status: Wanted }, Omit<F, 'status'>>
    : F extends { rule: infer Wanted extends RuleId }
      ? [Wanted & Rule] extends [never]
        ? never
        : E & { rule: Wanted }
      : E
  : never;

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

  /** Told of every request as it is recorded (`waitForRequest`); with none, recording costs what it did. */
  private readonly listeners = new Set<(entry: JournalEntry) => void>();

  constructor(readonly size: number) {}

  /** Records a request and its answer; `status` null for a connection dropped without one. */
  record(request: FastifyRequest, status: number | null): void {
    if (this.size === 0 && this.listeners.size === 0) return;
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
    // With a size of 0 it is kept nowhere, yet a test waiting for it is told.
    if (this.exchanges.length < this.size) {
      this.exchanges.push(exchange);
    } else if (this.size > 0) {
      this.exchanges[this.oldest] = exchange;
      this.oldest = (this.oldest + 1) % this.size;
    }
    if (this.listeners.size > 0) {
      const entry = entryOf(exchange);
      for (const listener of this.listeners) listener(entry);
    }
  }

  /** Secrets are masked here, when read, so that recording costs the request almost nothing. */
  list(filter: JournalFilter = {}): JournalEntry[] {
    return [...this.exchanges.slice(this.oldest), ...this.exchanges.slice(0, this.oldest)].filter((exchange) => matches(exchange, filter)).map(entryOf);
  }

  /**
   * The first entry that matches, already recorded or still to come (a UI test's request may be answered
   * before the test starts waiting); rejects after `timeoutMs`, listing what the journal holds then.
   */
  waitFor(filter: JournalFilter, timeoutMs: number): Promise<JournalEntry> {
    const found = this.list(filter)[0];
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`No request matching ${describeFilter(filter)} arrived within ${timeoutMs} ms; ${describeEntries(this.list())}`));
      }, timeoutMs);
      const stop = this.subscribe((entry) => {
        if (!matches(entry, filter)) return;
        clearTimeout(timer);
        stop();
        resolve(entry);
      });
    });
  }

  /** Calls `listener` with every request recorded from now on, until the function it returns is called. */
  subscribe(listener: (entry: JournalEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
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

/** Whether an exchange or an entry passes a filter: each field given must be equal. */
export function matches(recorded: Pick<Exchange, 'operationId' | 'status' | 'rule'>, { operationId, status, rule }: JournalFilter): boolean {
  return (
    (operationId === undefined || recorded.operationId === operationId) &&
    (status === undefined || recorded.status === status) &&
    (rule === undefined || recorded.rule === rule)
  );
}

/** `{ operationId: 'getCarts', status: 200 }`, as a test's author wrote it. */
export function describeFilter(filter: JournalFilter): string {
  const fields = Object.entries(filter).filter(([, value]) => value !== undefined);
  return fields.length === 0 ? 'any request' : `{ ${fields.map(([key, value]) => `${key}: ${JSON.stringify(value)}`).join(', ')} }`;
}

/** The journal as a failure message shows it: one request a line, with its answer and rule. */
export function describeEntries(entries: readonly JournalEntry[]): string {
  if (entries.length === 0) return 'the journal is empty';
  const lines = entries.map((entry) => `  ${entry.method} ${entry.path} → ${entry.status ?? 'no answer'} ${entry.rule} (${entry.operationId ?? 'no operation'})`);
  return `the journal holds ${entries.length === 1 ? '1 request' : `${entries.length} requests`}:\n${lines.join('\n')}`;
}

function entryOf({ startedAt, url, headers, body, ...answer }: Exchange): JournalEntry {
  const queryAt = url.indexOf('?');
  return {
    at: new Date(startedAt).toISOString(),
    ...answer,
    path: queryAt === -1 ? url : url.slice(0, queryAt),
    query: queryAt === -1 ? {} : { ...parseQuery(url.slice(queryAt + 1)) },
    headers: masked(headers, SECRET_HEADERS),
    body: masked(body, SECRET_FIELDS),
  } as JournalEntry;
}

/** The body, or a note of its size when it is larger than the journal keeps. */
function kept(body: unknown, contentLength: string | undefined): unknown {
  if (body === undefined || body === null) return null;
  // A chunked body has no Content-Length; measuring it costs once per such request, only when it is recorded.
  const size = contentLength === undefined ? Buffer.byteLength(JSON.stringify(body) ?? '') : Number(contentLength);
  return size > JOURNAL_BODY_LIMIT ? `(a body of ${size} bytes, not kept: the journal keeps bodies up to ${JOURNAL_BODY_LIMIT} bytes)` : body;
}
