import formBody from '@fastify/formbody';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { bearerClientOf } from '../auth/authenticate.js';
import { TokenService } from '../auth/tokens.js';
import { StubClock } from '../clock.js';
import { PROBES_TAG, loadContract, type Contract } from '../contract/document.js';
import type { StubData } from '../domain/model.js';
import { componentProblemList } from '../contract/validation.js';
import { checkedState, completeState, readFixtures, stateCheck, validState, type FixtureData, type StateCheck } from '../fixtures.js';
import { StubError, type Problem } from '../domain/errors.js';
import { seedCheck, seededState, type StubSeed } from '../seed.js';
import { ClientSandboxes, DEFAULT_SANDBOX_LIMITS, sharedStore, type SandboxLimits, type Sandboxes } from '../sandbox/sandboxes.js';
import { MemoryStore } from '../store/memory-store.js';
import { DEFAULT_REDIS_PREFIX } from '../store/redis-keys.js';
import type { RedisStore } from '../store/redis-store.js';
import type { Store } from '../store/store.js';
import { corsPolicy, installCors } from './cors.js';
import { registerDocs } from './docs.js';
import { answerClientError, answerFrameworkError, installErrorHandling } from './errors.js';
import { Faults, installFaults, type FaultRequest } from './faults.js';
import { controlHandlers } from './handlers/control.js';
import { handlers } from './handlers/index.js';
import { DEFAULT_JOURNAL_SIZE, installJournal, Journal } from './journal.js';
import { installPrefer } from './prefer.js';
import { operationOf, registerOperations } from './routes.js';
import { installTrace } from './trace.js';
import { Coverage, coverageReport, type CoverageReport } from '../coverage/coverage.js';

export interface AppOptions {
  /**
   * Where state lives; by default in memory, in `dataFile`, or on the `redis` server when given. In sandbox
   * mode, the seed every sandbox copies.
   */
  store?: Store;
  /** Keeps all state in this JSON file (and `<dataFile>.log` beside it) across restarts. */
  dataFile?: string;
  /** With `dataFile`: acknowledge a change only once it is on the disk, not only with the operating system. */
  fsync?: boolean;
  /** Keeps all state on this Redis or Valkey server (`redis://host:6379/0`), shared by every instance given it. */
  redis?: string;
  /** With `redis`: put before every key, so that several stubs can share one server. Default `ep-cart-stub:`. */
  redisPrefix?: string;
  /** The seed of a new store and the state `reset` goes back to; by default the bundled fixtures. */
  fixturesFile?: string;
  /** When set, the control API (`/__stub/…`) needs it as `Authorization: Bearer <adminToken>`. */
  adminToken?: string;
  /** How many requests the journal keeps. Default 200 (`DEFAULT_JOURNAL_SIZE`). */
  journalSize?: number;
  /** A fixed latency added to every Elastic Path response, in milliseconds (handy for UI work). */
  latencyMs?: number;
  clock?: StubClock;
  /** Signs tokens; without it, the store's key: kept in the data file with `dataFile`, on the server with `redis`, else per process. */
  tokenSecret?: string;
  logger?: FastifyServerOptions['logger'];
  /** Largest request body accepted, in bytes. */
  bodyLimit?: number;
  /**
   * A request whose headers and body have not all arrived this long after it started is answered 408 and its
   * connection closed, so a client that trickles its body cannot hold a connection. Default 30 000.
   */
  requestTimeoutMs?: number;
  contract?: Contract;
  /** Origins a browser may call the stub from; undefined allows any. */
  corsOrigins?: string[];
  /** Sandbox mode, for public deployments: a sandbox per client id (docs/deployment.md, "Sandbox mode"). `true` takes the default limits. */
  sandbox?: boolean | Partial<SandboxLimits>;
  /** Behind a reverse proxy: which proxies to believe about the client's address and scheme (Fastify's `trustProxy`). */
  trustProxy?: FastifyServerOptions['trustProxy'];
  /** Name each answer's rule in an `EP-Stub-Rule` header. Default true. */
  ruleHeader?: boolean;
  /**
   * Trace rules at all: the header and the coverage counts. Default true; off, every journal entry says
   * `docs` and coverage stays empty. For measuring what the trace costs (`npm run bench`).
   */
  trace?: boolean;
}

export interface App {
  fastify: FastifyInstance;
  store: Store;
  clock: StubClock;
  tokens: TokenService;
  journal: Journal;
  faults: Faults;
  /** Back to the fixtures, or to `state`; clears the journal, the faults and the coverage (`POST /__stub/reset`). */
  reset(state?: FixtureData): Promise<void>;
  /** A snapshot of all state (`GET /__stub/state`). */
  state(): StubData;
  /** Replaces all state, checked as `PUT /__stub/state` checks it; the journal and the faults stay. */
  loadState(state: FixtureData): Promise<void>;
  /** Adds carts, owners and associations to the state as it stands (`POST /__stub/seed`); the journal and the faults stay. */
  seed(seed: StubSeed): Promise<void>;
  /** Which rules the stub answered by, per operation, since it started or was reset (`GET /__stub/coverage`). */
  coverage(): CoverageReport;
  /** `DELETE /__stub/coverage`. */
  clearCoverage(): void;
  sandboxes: Sandboxes;
}

/** Builds the stub without listening (fastify/demo's app/server split): tests inject, the CLI listens. */
export async function buildApp(options: AppOptions = {}): Promise<App> {
  const contract = options.contract ?? (await loadContract());
  const clock = options.clock ?? new StubClock();
  const check = stateCheck(contract);
  const fixtures = await readFixtures(options.fixturesFile, check);
  const limits = sandboxLimits(options.sandbox);
  const store = options.store ?? (await openStore(options, () => completeState(fixtures, clock.iso()), check, clock));
  const sharedServer = await sharedServerOf(store);
  const sandboxes: Sandboxes = !limits ? sharedStore(store) : sharedServer ? await redisSandboxes(sharedServer, clock, limits) : new ClientSandboxes(store, clock, limits);
  const tokens = new TokenService(
    clock,
    (token) => store.directory.pinnedTokens.get(token),
    options.tokenSecret ?? store.tokenSecret,
    (clientId, issuedAt) => sandboxes.admits(clientId, issuedAt),
  );
  const journal = new Journal(options.journalSize ?? DEFAULT_JOURNAL_SIZE);
  const apiOperations = contract.operations.filter((op) => op.elasticPath).map(({ operationId, method, path }) => ({ operationId, method, path }));
  const faults = new Faults(faultCheck(contract, new Set(apiOperations.map((op) => op.operationId))));
  const counts = new Coverage();
  const reset = async (state?: FixtureData) => {
    await store.replace(completeState(state === undefined ? fixtures : validState(state, check), clock.iso()));
    journal.clear();
    faults.clear();
    counts.clear();
  };
  const coverage = () => coverageReport(counts.answers(), apiOperations);
  const clearCoverage = () => counts.clear();
  const state = () => store.snapshot();
  const loadState = async (value: FixtureData) => store.replace(completeState(validState(value, check), clock.iso()));
  const seedChecks = { seed: seedCheck(contract), state: check };
  const seed = async (value: StubSeed) => store.replace(seededState(store.snapshot(), value, seedChecks, clock.iso()));

  const requestTimeout = options.requestTimeoutMs ?? 30_000;
  const fastify = Fastify({
    logger: options.logger ?? false,
    logController: new OneLinePerRequest(),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // Long cart ids must reach the contract's 400 (row 8) rather than the router's 404.
    routerOptions: { maxParamLength: 8 * 1024 },
    trustProxy: options.trustProxy ?? false,
    // Fastify's default is no limit at all; Node checks its timeouts every connectionsCheckingInterval.
    requestTimeout,
    http: {
      requestTimeout,
      headersTimeout: requestTimeout,
      connectionsCheckingInterval: Math.min(1000, Math.max(50, requestTimeout / 4)),
      // Node would answer a request without Host with an empty 400 of its own; the error handler answers it.
      requireHostHeader: false,
    },
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
  });
  fastify.decorateRequest('principal', undefined);
  fastify.decorateRequest('operation', undefined);
  fastify.addHook('onClose', async () => sandboxes.close());
  // The official SDK sends Content-Type: application/json on every request, bodiless DELETEs included,
  // and Elastic Path accepts them: an empty JSON body is no body, not malformed JSON.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') done(null, undefined);
    // Every part of the stub that walks a body (validation, the journal, the data file) may then recurse safely.
    else if (nestedDeeperThan(body as string, MAX_JSON_DEPTH)) done(new StubError('JsonTooDeep'), undefined);
    else parseJson(request, body as string, (error, value) => done(error ? malformedJson(body as string) : null, value));
  });

  // CORS first, so that every answer has its headers, then external plugins, the stub's own after, the
  // operations last (fastify/demo's order).
  installCors(fastify, corsPolicy(contract, options.corsOrigins));
  // The rate limiter (sandbox mode) and the file store (`dataFile`) load only when asked for: most runs use neither.
  if (limits) {
    const { default: rateLimit } = await import('@fastify/rate-limit');
    await fastify.register(rateLimit, {
      global: false,
      max: limits.rateLimitPerMinute,
      timeWindow: 60_000,
      // On a shared server the count is per visitor across instances; without the server, the store answers 503.
      ...(sharedServer ? { redis: sharedServer.connection, nameSpace: `${options.redisPrefix ?? DEFAULT_REDIS_PREFIX}rate-limit:`, skipOnError: true } : {}),
      errorResponseBuilder: (_request, { max, after }) =>
        new StubError('TooManyRequests', { detail: `More than ${max} requests a minute from this address; try again in ${after}` }),
    });
    // A root hook, so it runs before authentication: a flood of bad tokens is limited too.
    fastify.addHook('onRequest', fastify.rateLimit());
  }
  await fastify.register(formBody);
  registerDocs(fastify, contract, { store, sandbox: limits });
  installErrorHandling(fastify);
  installTrace(fastify, { on: options.trace ?? true, header: options.ruleHeader ?? true, coverage: counts });
  installJournal(fastify, journal);
  installFaults(fastify, faults, options.latencyMs ?? 0);
  installPrefer(fastify);
  // A public sandbox deployment must not let strangers reset or read everyone's state (docs/deployment.md, "Sandbox mode").
  const controlEnabled = !limits || options.adminToken !== undefined;
  const operations = controlEnabled ? contract : { ...contract, operations: contract.operations.filter((op) => !op.control) };
  const control = controlEnabled ? controlHandlers({ journal, faults, clock, reset, state, loadState, seed, coverage, clearCoverage }) : {};
  registerOperations(fastify, operations, { ...handlers, ...control }, {
    sandboxes,
    tokens,
    clock,
    adminToken: options.adminToken,
    refresh: sandboxes.refresh
      ? (request) => sandboxes.refresh!(bearerClientOf(request.headers, tokens))
      : store.refresh && (() => store.refresh!()),
  });
  // The stub closes the store it opened; a store given in the options belongs to the caller.
  if (!options.store) fastify.addHook('onClose', () => store.close());
  return { fastify, store, clock, tokens, journal, faults, reset, state, loadState, seed, coverage, clearCoverage, sandboxes };
}

/** What is wrong with a fault request: its schema in the document, and an operationId no Elastic Path operation has. */
function faultCheck(contract: Contract, operations: ReadonlySet<string>): (request: FaultRequest) => Problem[] {
  const schemaProblems = componentProblemList(contract, 'StubFaultRequest');
  return (request) => {
    const problems = schemaProblems(request);
    if (typeof request?.operationId === 'string' && !operations.has(request.operationId)) {
      problems.push({ source: 'operationId', detail: `operationId ${request.operationId} names no Elastic Path operation of the stub` });
    }
    return problems;
  };
}

/** Says what is wrong with a body that does not parse, in JSON.parse's words (Fastify's own error only says that it is wrong). */
function malformedJson(text: string): StubError {
  let reason: string;
  try {
    JSON.parse(text);
    reason = 'it sets __proto__ or constructor.prototype, which the stub refuses';
  } catch (error) {
    reason = (error as Error).message;
  }
  return new StubError('MalformedJson', { detail: `The request body is not valid JSON: ${reason}` });
}

/** No body the document describes is nested deeper than a few levels; a state file is 4 deep. */
const MAX_JSON_DEPTH = 32;

/** Whether the JSON text opens more than `limit` arrays and objects inside one another (strings skipped). */
export function nestedDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth -= 1;
    }
  }
  return false;
}

/** The Redis store, when the state is on one; loaded only then. */
async function sharedServerOf(store: Store): Promise<RedisStore | undefined> {
  if (store.refresh === undefined) return undefined;
  const { RedisStore } = await import('../store/redis-store.js');
  return store instanceof RedisStore ? store : undefined;
}

async function redisSandboxes(server: RedisStore, clock: StubClock, limits: SandboxLimits): Promise<Sandboxes> {
  const { RedisSandboxes } = await import('../sandbox/redis-sandboxes.js');
  return new RedisSandboxes(server, clock, limits);
}

async function openStore({ dataFile, fsync, redis, redisPrefix }: AppOptions, seed: () => StubData, check: StateCheck, clock: StubClock): Promise<Store> {
  const readState = (value: unknown, origin: string) => completeState(checkedState(value, origin, check), clock.iso());
  if (redis !== undefined) {
    if (dataFile !== undefined) throw new Error('the state is kept either in a data file (--data) or on a Redis server (--redis), not both');
    const { RedisStore } = await import('../store/redis-store.js');
    return RedisStore.open({ url: redis, ...(redisPrefix === undefined ? {} : { prefix: redisPrefix }), seed, readState, clock });
  }
  if (dataFile === undefined) return new MemoryStore(seed());
  const { FileStore } = await import('../store/file-store.js');
  return FileStore.open(dataFile, { seed, fsync, readState });
}

function sandboxLimits(sandbox: AppOptions['sandbox']): SandboxLimits | undefined {
  if (!sandbox) return undefined;
  return { ...DEFAULT_SANDBOX_LIMITS, ...(sandbox === true ? {} : sandbox) };
}

/**
 * Fastify logs two `info` lines per request (incoming, completed); this logs one, with the request and the
 * answer: half the lines to write and to read. Probes (the Operations tag) log at `debug`. Fastify calls it on
 * every request whatever the level: at the CLI's default (`warn`), or with no logger, it returns before it
 * builds the line and reads the response time (the write path's profile, `npm run bench -- --profile`).
 */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const level = error ? 'error' : operationOf(request)?.tags.includes(PROBES_TAG) ? 'debug' : 'info';
    // pino's; Fastify's logger when it has none (abstract-logging) has no isLevelEnabled, and logs nothing.
    const { isLevelEnabled } = reply.log as { isLevelEnabled?: (level: string) => boolean };
    if (!(isLevelEnabled?.call(reply.log, level) ?? false)) return;
    const line = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log[level](line, 'request completed');
  }
}
