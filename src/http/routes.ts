import type { FastifyInstance, FastifyRequest } from 'fastify';
import fastJsonStringify from 'fast-json-stringify';
import { authenticate } from '../auth/authenticate.js';
import type { TokenService } from '../auth/tokens.js';
import type { StubClock } from '../clock.js';
import type { Contract, Operation } from '../contract/document.js';
import { compileRequestValidator } from '../contract/validation.js';
import type { Principal } from '../domain/model.js';
import type { Store } from '../store/store.js';
import type { OperationHandler } from './operation.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    operation?: Operation;
  }
  interface FastifyRequest {
    principal: Principal | undefined;
  }
}

export interface Services {
  store: Store;
  tokens: TokenService;
  clock: StubClock;
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
    // A callback hook, not an async one: authentication is synchronous, and every request pays for a promise.
    onRequest: operation.secured
      ? (request, _reply, done) => {
          try {
            request.principal = authenticate(request.headers, services.tokens);
          } catch (error) {
            done(error as Error);
            return;
          }
          done();
        }
      : undefined,
    handler: async (request, reply) => {
      validate(request, mediaTypeOf(request));
      const result = await handler({
        params: request.params as Record<string, string>,
        query: request.query as Record<string, unknown>,
        headers: request.headers,
        body: request.body,
        principal: request.principal,
        store: services.store,
        tokens: services.tokens,
        now: services.clock.iso(),
        baseUrl: `${request.protocol}://${request.host}`,
      });
      reply.code(result.status);
      return result.body === undefined ? reply.send() : result.body;
    },
  });
}

/** Response schemas let Fastify serialize with fast-json-stringify instead of JSON.stringify. */
function responseSchemas(operation: Operation): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(operation.responses).flatMap(([status, response]) =>
      response.schema ? [[status.toLowerCase(), response.schema]] : [],
    ),
  );
}

/**
 * Builds a response's serializer the first time that response is sent, not at start: most (operation,
 * status) pairs, the error responses above all, are never sent in a short CI run, and building them all
 * was a noticeable part of the cold start (issue #6).
 */
function serializeLazily({ schema }: { schema: unknown }): (data: unknown) => string {
  let serialize: ((data: unknown) => string) | undefined;
  return (data) => (serialize ??= fastJsonStringify(schema as Parameters<typeof fastJsonStringify>[0]))(data);
}

function mediaTypeOf(request: FastifyRequest): string | undefined {
  return request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
}
