import type { FastifyInstance } from 'fastify';
import type { Operation } from '../contract/document.js';
import { StubError } from '../domain/errors.js';
import { operationOf } from './routes.js';

export interface Preference {
  code?: string;
  example?: string;
}

/**
 * Prism's `Prefer: code=403, example=NAME`: the document's example of that response, sent before the handler
 * runs, so state is never touched. Handy for building a UI's error states. Authentication still applies.
 */
export function installPrefer(app: FastifyInstance): void {
  // A callback hook: a request without `Prefer`, as nearly all are, goes on without a promise.
  app.addHook('preValidation', (request, reply, done) => {
    const operation = operationOf(request);
    const preference = operation?.elasticPath ? parsePrefer(request.headers.prefer) : undefined;
    if (!preference) {
      done();
      return;
    }
    let preferred: { status: number; body: unknown };
    try {
      preferred = preferredResponse(operation!, preference);
    } catch (error) {
      done(error as Error);
      return;
    }
    request.rule = 'prefer';
    reply.code(preferred.status).send(preferred.body);
  });
}

/** `code=403, example=name` (`;` separates as well); undefined when it asks for neither. */
export function parsePrefer(header: string | string[] | undefined): Preference | undefined {
  if (typeof header !== 'string') return undefined;
  const preference: Preference = {};
  for (const part of header.split(/[,;]/)) {
    const [key, value] = part.split('=').map((text) => text.trim());
    if ((key === 'code' || key === 'example') && value) preference[key] = value;
  }
  return preference.code || preference.example ? preference : undefined;
}

/** The first documented response that fits: the named example, else the first one; a body-less response as it is. */
export function preferredResponse(operation: Operation, { code, example }: Preference): { status: number; body: unknown } {
  const documented = Object.entries(operation.responses).filter(([status]) => /^\d{3}$/.test(status));
  for (const [status, response] of documented) {
    if (code !== undefined && status !== code) continue;
    const name = example ?? Object.keys(response.examples)[0];
    if (name !== undefined && Object.hasOwn(response.examples, name)) return { status: Number(status), body: response.examples[name] };
    if (example === undefined && !response.schema) return { status: Number(status), body: undefined };
  }
  const available = documented
    .filter(([, response]) => Object.keys(response.examples).length > 0 || !response.schema)
    .map(([status, response]) => (response.schema ? `${status} (${Object.keys(response.examples).join(', ')})` : status));
  const wanted = [code && `status ${code}`, example && `example ${example}`].filter(Boolean).join(' and ');
  throw new StubError('NoPreferredExample', {
    detail: `${operation.operationId} has no response with ${wanted}; it has: ${available.join('; ') || 'none'}`,
  });
}
