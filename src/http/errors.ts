import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidStubInput, StubError, catalogue, type ErrorEntry } from '../domain/errors.js';
import { ruleOfError, type RuleId } from '../domain/rules.js';
import { ELASTIC_PATH_ROUTES } from './elastic-path-routes.js';
import { RULE_HEADER } from './trace.js';
import { operationOf } from './routes.js';

export interface ErrorBody {
  errors: { status: number | string; title: string; detail: string; source?: string }[];
}

export function errorBody(error: StubError | (ErrorEntry & { source?: string }), statusAsString: boolean): ErrorBody {
  const status = statusAsString ? String(error.status) : error.status;
  const problems = error instanceof InvalidStubInput ? error.problems : [error];
  return {
    errors: problems.map(({ detail, source }) => ({ status, title: error.title, detail, ...(source ? { source } : {}) })),
  };
}

/** Fastify's own failures (parsing, limits) in the catalogue's words; anything unexpected is a 500. */
function fromFastify(error: FastifyError): StubError | ErrorEntry {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new StubError('MalformedJson');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new StubError('UnsupportedMediaType');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new StubError('PayloadTooLarge');
  }
  if (error instanceof SyntaxError || error.statusCode === 400) {
    return new StubError('MalformedJson', { detail: `The request body is not valid JSON: ${error.message}` });
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return { status, title: STATUS_CODES[status] ?? 'Error', detail: error.message };
  return new StubError('Internal');
}

/**
 * Answers with the shared error body; injected faults use it too, so every error has one shape. The answer
 * names its rule: the one the error names or the catalogue finds, else `rule` (a fault), else `contract.http`
 * (a client error Fastify met before any rule could).
 */
export function sendError(reply: FastifyReply, error: StubError | ErrorEntry, statusAsString: boolean, rule?: RuleId): FastifyReply {
  reply.request.rule = rule ?? (error instanceof StubError ? ruleOfError(error, operationOf(reply.request)?.operationId) : 'contract.http');
  return reply.code(error.status).type('application/json').send(errorBody(error, statusAsString));
}

/** The one place where errors become responses (STYLE.md: one error path for everything). */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const known = error instanceof StubError ? error : fromFastify(error);
    if (known.status >= 500) request.log.error({ err: error }, 'unexpected error');
    return sendError(reply, known, operationOf(request)?.errorStatusAsString ?? false);
  });
  // Links in answers name the host the client called; HTTP/1.1 requires the header anyway (RFC 9112, 3.2).
  app.addHook('onRequest', (request, _reply, done) => {
    done(request.headers.host ? undefined : new StubError('BadRequest', { detail: 'The request has no Host header' }));
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    const error = isElasticPathRoute(request.method, path)
      ? new StubError('NotImplemented', { detail: `${request.method} ${path}: ${catalogue.NotImplemented.detail}` })
      : new StubError('RouteNotFound', { detail: `No route ${request.method} ${path}` });
    // Every answer under /oauth writes its status as a string, as the token endpoint's do (doc).
    return sendError(reply, error, path.startsWith('/oauth/'));
  });
}

/** Elastic Path's documented routes, by method, as path patterns; built on the first unknown route. */
let documentedRoutes: Map<string, RegExp[]> | undefined;

function isElasticPathRoute(method: string, path: string): boolean {
  if (!documentedRoutes) {
    documentedRoutes = new Map();
    for (const route of ELASTIC_PATH_ROUTES) {
      const [routeMethod, template] = route.split(' ') as [string, string];
      const pattern = new RegExp(`^${template.replaceAll('{}', '[^/]+')}/?$`);
      documentedRoutes.set(routeMethod, [...(documentedRoutes.get(routeMethod) ?? []), pattern]);
    }
  }
  return documentedRoutes.get(method)?.some((pattern) => pattern.test(path)) ?? false;
}

/**
 * Fastify's `frameworkErrors`: a URL that does not decode (`%zz`), or a path segment longer than the router
 * takes, fails before any route is found. Without this they would answer in Fastify's own shape.
 */
export function answerFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const detail =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? 'A path segment is longer than the stub accepts'
      : 'The URL is not valid: a percent-encoded sequence in it does not decode';
  // Fastify answers these before any hook, so the trace's onSend never sees them.
  if (reply.server.ruleHeader) reply.header(RULE_HEADER, 'contract.http');
  void sendError(reply, new StubError('BadRequest', { detail }), false);
}

/**
 * Fastify's `clientErrorHandler`: the request never became one (a malformed request line or header, headers
 * too large, a request not received in time), so Node's socket is all there is. The answer still has the
 * shared shape, and the connection is closed, since what follows on it cannot be trusted.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const entry: ErrorEntry =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? catalogue.RequestTimeout
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? catalogue.HeadersTooLarge
        : { ...catalogue.BadRequest, detail: 'The request is not valid HTTP' };
  const body = JSON.stringify(errorBody(entry, false));
  const rule = entry === catalogue.RequestTimeout ? 'limit.time' : entry === catalogue.HeadersTooLarge ? 'limit.headers' : 'contract.http';
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${entry.status} ${STATUS_CODES[entry.status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `${RULE_HEADER}: ${rule}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
