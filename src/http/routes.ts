import type { FastifyInstance, FastifyRequest, HookHandlerDoneFunction, onRequestHookHandler } from 'fastify';
import fastJsonStringify from 'fast-json-stringify';
import { assertShoppersKnown, authenticate, authorizeAdmin } from '../auth/authenticate.js';
import type { TokenService } from '../auth/tokens.js';
import type { StubClock } from '../clock.js';
import type { Contract, Operation } from '../contract/document.js';
import { compileRequestValidator } from '../contract/validation.js';
import type { Principal } from '../domain/model.js';
import type { Sandboxes } from '../sandbox/sandboxes.js';
import type { OperationHandler } from './operation.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    operation?: Operation;
  }
  interface FastifyRequest {
    principal: Principal | undefined;
    /** Read through `operationOf`: null once known to be none. */
    operation: Operation | null | undefined;
  }
}

/**
 * The operation a request was routed to; undefined for the docs and unknown routes. The operation's route
 * sets it in its first hook; a hook that runs before (or an answer on no operation's route) reads it from
 * Fastify once. `request.routeOptions` builds a frozen object of eleven fields (and asks the router about
 * its constraints) on every read, and the stub's hooks read the operation six times a request
 * (`npm run bench -- --profile`: `hasConstraintStrategy` among the write path's costs).
 */
export function operationOf(request: FastifyRequest): Operation | undefined {
  if (request.operation === undefined) request.operation = request.routeOptions.config?.operation ?? null;
  return request.operation ?? undefined;
}

export interface Services {
  /** Which store a request's client works in: the one store, or its own sandbox's (sandbox mode). */
  sandboxes: Sandboxes;
  tokens: TokenService;
  clock: StubClock;
  /** Guards the control API when set. */
  adminToken: string | undefined;
  /** Catches up with other instances sharing the state (`Store.refresh`) before a request is checked, where there are any. */
  refresh: ((request: FastifyRequest) => Promise<void>) | undefined;
}

/**
 * Binds every operation of the document to the handler named by its operationId (fastify-openapi-glue's
 * idea): the document is the only place a path or schema is written. A missing handler, or a handler with
 * no operation, stops the start.
 */
export function registerOperations(
  app: FastifyInstance,
  contract: Contract,
  handlers: Readonly<Record<string, OperationHandler>>,
  services: Services,
): void {
  const unbound = new Set(Object.keys(handlers));
  for (const operation of contract.operations) {
    const handler = handlers[operation.operationId];
    if (!handler) throw new Error(`operation ${operation.operationId} (${operation.method} ${operation.path}) has no handler`);
    unbound.delete(operation.operationId);
    registerOperation(app, operation, handler, services);
  }
  if (unbound.size > 0) throw new Error(`handlers with no operation in the document: ${[...unbound].join(', ')}`);
}

function registerOperation(app: FastifyInstance, operation: Operation, handler: OperationHandler, services: Services): void {
  const validate = compileRequestValidator(operation);
  app.route({
    method: operation.method,
    url: operation.url,
    config: { operation },
    schema: { response: responseSchemas(operation) },
    serializerCompiler: serializeLazily,
    // Probes answer from the process alone: a liveness probe must not wait for the state store.
    onRequest: routed(operation, authentication(operation, services), operation.elasticPath || operation.control ? services.refresh : undefined),
    handler: async (request, reply) => {
      validate(request, mediaTypeOf(request));
      const store = services.sandboxes.storeFor(clientOf(request));
      // A sandbox on a shared server is caught up (and made, the first time) once its client is known.
      if (services.sandboxes.isolated) await store.refresh?.();
      const result = await handler({
        params: request.params as Record<string, string>,
        query: request.query as Record<string, unknown>,
        headers: request.headers,
        body: request.body,
        principal: request.principal,
        store,
        tokens: services.tokens,
        now: services.clock.iso(),
        baseUrl: `${request.protocol}://${request.host}`,
      });
      // A handler may have read state that a change still being written holds: answer once it is durable.
      await store.settled();
      request.rule = result.rule ?? (operation.control ? 'control' : 'probe');
      reply.code(result.status);
      return result.body === undefined ? reply.send() : result.body;
    },
  });
}

/** The check of the operation's security scheme, run before anything else of the request. */
function authentication(operation: Operation, services: Services): ((request: FastifyRequest) => void) | undefined {
  switch (operation.scheme) {
    case undefined:
      return undefined;
    case 'bearerAuth':
      return (request) => {
        const principal = authenticate(request.headers, services.tokens, services.sandboxes.isolated);
        assertShoppersKnown(principal, services.sandboxes.storeFor(principal.clientId).directory);
        request.principal = principal;
      };
    case 'adminToken':
      return (request) => authorizeAdmin(request.headers, services.adminToken);
    default:
      throw new Error(`operation ${operation.operationId} uses the unknown security scheme ${operation.scheme}`);
  }
}

/**
 * The route's own first hook: names the request's operation (see `operationOf`), catches up with the
 * shared state when there is `refresh`, then runs `check`. Checks are synchronous: a callback hook spares
 * every request the promise an async hook costs.
 */
function routed(
  operation: Operation,
  check: ((request: FastifyRequest) => void) | undefined,
  refresh: ((request: FastifyRequest) => Promise<void>) | undefined,
): onRequestHookHandler {
  const checked = (request: FastifyRequest, done: HookHandlerDoneFunction) => {
    try {
      check?.(request);
    } catch (error) {
      done(error as Error);
      return;
    }
    done();
  };
  return (request, _reply, done) => {
    request.operation = operation;
    if (refresh) refresh(request).then(() => checked(request, done), done);
    else checked(request, done);
  };
}

/** Response schemas let Fastify serialize with fast-json-stringify instead of JSON.stringify. */
function responseSchemas(operation: Operation): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(operation.responses).flatMap(([status, response]) =>
      response.schema ? [[status.toLowerCase(), response.schema]] : [],
    ),
  );
}

/** The client whose sandbox the request works in: the bearer's, or, when asking for a token, the one named. */
function clientOf(request: FastifyRequest): string | undefined {
  const clientId = request.principal?.clientId ?? (request.body as { client_id?: unknown } | undefined)?.client_id;
  return typeof clientId === 'string' ? clientId : undefined;
}

/**
 * Builds a response's serializer the first time that response is sent, not at start: most (operation,
 * status) pairs, the error responses above all, are never sent in a short CI run, and building them all
 * was a noticeable part of the cold start that `npm run bench` measures.
 */
function serializeLazily({ schema }: { schema: unknown }): (data: unknown) => string {
  let serialize: ((data: unknown) => string) | undefined;
  return (data) => (serialize ??= fastJsonStringify(schema as Parameters<typeof fastJsonStringify>[0]))(data);
}

function mediaTypeOf(request: FastifyRequest): string | undefined {
  const contentType = request.headers['content-type'];
  // As nearly every client sends it, at no cost.
  if (contentType === 'application/json') return contentType;
  return contentType?.split(';')[0]?.trim().toLowerCase();
}
