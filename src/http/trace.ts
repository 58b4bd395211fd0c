/**
 * Every answer names the rule that produced it: in the `EP-Stub-Rule` header (a developer asking "why 403?"
 * reads it in the browser's network tab), in the journal, and in the coverage counts.
 */
import type { FastifyInstance } from 'fastify';
import type { RuleId } from '../domain/rules.js';
import type { Coverage } from '../coverage/coverage.js';
import { operationOf } from './routes.js';

export const RULE_HEADER = 'EP-Stub-Rule';

declare module 'fastify' {
  interface FastifyInstance {
    /** Whether answers carry the `EP-Stub-Rule` header. */
    ruleHeader: boolean;
  }
  interface FastifyRequest {
    /** The rule behind the answer, once one decided it (handlers, the error path, faults, Prefer, docs). */
    rule: RuleId | undefined;
  }
}

export interface TraceOptions {
  /** Off, nothing is traced: the benchmark's baseline. */
  on: boolean;
  /** Send the `EP-Stub-Rule` header (on by default). */
  header: boolean;
  coverage: Coverage;
}

/**
 * Names the rule of every answer. What no step named is a CORS preflight (the CORS plugin answers those
 * itself) or the docs. Coverage counts Elastic Path's operations only: the control API and the probes are
 * the stub's own.
 */
export function installTrace(app: FastifyInstance, { on, header, coverage }: TraceOptions): void {
  app.decorateRequest('rule', undefined);
  app.decorate('ruleHeader', on && header);
  if (!on) return;
  if (header) {
    app.addHook('onSend', (request, reply, payload, done) => {
      reply.header(RULE_HEADER, ruleOf(request.rule, request.method));
      done(null, payload);
    });
  }
  app.addHook('onResponse', (request, reply, done) => {
    const operation = operationOf(request);
    if (operation?.elasticPath) coverage.record(operation.operationId, reply.statusCode, ruleOf(request.rule, request.method));
    done();
  });
}

export function ruleOf(rule: RuleId | undefined, method: string): RuleId {
  return rule ?? (method === 'OPTIONS' ? 'cors.preflight' : 'docs');
}
