import formBody from '@fastify/formbody';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { TokenService } from '../auth/tokens.js';
import { StubClock } from '../clock.js';
import { loadContract, type Contract } from '../contract/document.js';
import { loadFixtures } from '../fixtures.js';
import { MemoryStore } from '../store/memory-store.js';
import type { Store } from '../store/store.js';
import { installErrorHandling } from './errors.js';
import { handlers } from './handlers/index.js';
import { registerOperations } from './routes.js';

export interface AppOptions {
  /** Where state lives; by default an in-memory store seeded with the bundled fixtures. */
  store?: Store;
  clock?: StubClock;
  /** Signs tokens; generated per process unless given. */
  tokenSecret?: string;
  logger?: FastifyServerOptions['logger'];
  /** Largest request body accepted, in bytes. */
  bodyLimit?: number;
  contract?: Contract;
}

export interface App {
  fastify: FastifyInstance;
  store: Store;
  clock: StubClock;
  tokens: TokenService;
}

/** Builds the stub without listening (fastify/demo's app/server split): tests inject, the CLI listens. */
export async function buildApp(options: AppOptions = {}): Promise<App> {
  const store = options.store ?? new MemoryStore(await loadFixtures());
  const clock = options.clock ?? new StubClock();
  const tokens = new TokenService(clock, (token) => store.directory.pinnedTokens.get(token), options.tokenSecret);
  const contract = options.contract ?? (await loadContract());

  const fastify = Fastify({
    logger: options.logger ?? false,
    logController: new OneLinePerRequest(),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // Long cart ids must reach the contract's 400 (row 8) rather than the router's 404.
    routerOptions: { maxParamLength: 8 * 1024 },
  });
  fastify.decorateRequest('principal', undefined);
  // The official SDK sends Content-Type: application/json on every request, bodiless DELETEs included,
  // and Elastic Path accepts them: an empty JSON body is no body, not malformed JSON.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') done(null, undefined);
    else parseJson(request, body as string, done);
  });
  await fastify.register(formBody);
  installErrorHandling(fastify);
  registerOperations(fastify, contract, handlers, { store, tokens, clock });
  return { fastify, store, clock, tokens };
}

/**
 * Fastify logs two `info` lines per request (incoming, completed); this logs one, with the request and the
 * answer: half the lines to write and to read. Probes (the Operations tag) log at `debug`.
 */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else if (request.routeOptions.config?.operation?.tags.includes('Operations')) reply.log.debug(line, 'request completed');
    else reply.log.info(line, 'request completed');
  }
}
