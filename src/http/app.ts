import cors from '@fastify/cors';
import formBody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { TokenService } from '../auth/tokens.js';
import { StubClock } from '../clock.js';
import { loadContract, type Contract } from '../contract/document.js';
import { StubError } from '../domain/errors.js';
import { loadFixtures } from '../fixtures.js';
import { ClientSandboxes, DEFAULT_SANDBOX_LIMITS, sharedStore, type SandboxLimits, type Sandboxes } from '../sandbox/sandboxes.js';
import { MemoryStore } from '../store/memory-store.js';
import type { Store } from '../store/store.js';
import { corsOptions } from './cors.js';
import { registerDocs } from './docs.js';
import { installErrorHandling } from './errors.js';
import { handlers } from './handlers/index.js';
import { registerOperations } from './routes.js';

export interface AppOptions {
  /**
   * Where state lives; by default an in-memory store seeded with the bundled fixtures. In sandbox mode,
   * the data every sandbox starts as a copy of.
   */
  store?: Store;
  clock?: StubClock;
  /** Signs tokens; generated per process unless given. */
  tokenSecret?: string;
  logger?: FastifyServerOptions['logger'];
  /** Largest request body accepted, in bytes. */
  bodyLimit?: number;
  contract?: Contract;
  /** Origins a browser may call the stub from; undefined allows any. */
  corsOrigins?: string[];
  /** Sandbox mode, for public deployments: a sandbox per client id (README, "Sandbox mode"). `true` takes the default limits. */
  sandbox?: boolean | Partial<SandboxLimits>;
  /** Behind a reverse proxy: which proxies to believe about the client's address and scheme (Fastify's `trustProxy`). */
  trustProxy?: FastifyServerOptions['trustProxy'];
}

export interface App {
  fastify: FastifyInstance;
  store: Store;
  clock: StubClock;
  tokens: TokenService;
  sandboxes: Sandboxes;
}

/** Builds the stub without listening (fastify/demo's app/server split): tests inject, the CLI listens. */
export async function buildApp(options: AppOptions = {}): Promise<App> {
  const store = options.store ?? new MemoryStore(await loadFixtures());
  const clock = options.clock ?? new StubClock();
  const limits = sandboxLimits(options.sandbox);
  const sandboxes = limits ? new ClientSandboxes(store, clock, limits) : sharedStore(store);
  const tokens = new TokenService(
    clock,
    (token) => store.directory.pinnedTokens.get(token),
    options.tokenSecret,
    (clientId, issuedAt) => sandboxes.admits(clientId, issuedAt),
  );
  const contract = options.contract ?? (await loadContract());

  const fastify = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // Long cart ids must reach the contract's 400 (row 8) rather than the router's 404.
    routerOptions: { maxParamLength: 8 * 1024 },
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    trustProxy: options.trustProxy ?? false,
  });
  fastify.decorateRequest('principal', undefined);
  fastify.addHook('onClose', async () => sandboxes.close());

  // External plugins first, the stub's own after, the operations last (fastify/demo's order).
  await fastify.register(cors, corsOptions(contract, options.corsOrigins));
  if (limits) {
    await fastify.register(rateLimit, {
      global: false,
      max: limits.rateLimitPerMinute,
      timeWindow: 60_000,
      errorResponseBuilder: (_request, { max, after }) =>
        new StubError('TooManyRequests', { detail: `More than ${max} requests a minute from this address; try again in ${after}` }),
    });
    // A root hook, so it runs before authentication: a flood of bad tokens is limited too.
    fastify.addHook('onRequest', fastify.rateLimit());
  }
  await fastify.register(formBody);
  await registerDocs(fastify, contract, { store, sandbox: limits });
  installErrorHandling(fastify);
  registerOperations(fastify, contract, handlers, { sandboxes, tokens, clock });
  return { fastify, store, clock, tokens, sandboxes };
}

function sandboxLimits(sandbox: AppOptions['sandbox']): SandboxLimits | undefined {
  if (!sandbox) return undefined;
  return { ...DEFAULT_SANDBOX_LIMITS, ...(sandbox === true ? {} : sandbox) };
}
