import type { IncomingHttpHeaders } from 'node:http';
import type { TokenService } from '../auth/tokens.js';
import type { Principal } from '../domain/model.js';
import type { RuleId } from '../domain/rules.js';
import type { Store } from '../store/store.js';

/** What a handler gets: the validated request, the caller, and the services. No Fastify in sight. */
export interface OperationContext {
  params: Record<string, string>;
  query: Record<string, unknown>;
  headers: IncomingHttpHeaders;
  // The body has passed the operation's schema, so handlers may read the fields the schema guarantees.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  /** Undefined only on operations the document leaves unsecured. */
  principal: Principal | undefined;
  store: Store;
  tokens: TokenService;
  /** The stub clock's now, RFC 3339. */
  now: string;
  /** Scheme and host the client called, for links. */
  baseUrl: string;
}

export interface OperationResult {
  status: number;
  body?: unknown;
  /** The rule that decided this answer (domain/rules.ts); the stub's own operations need not say (`control`, `probe`). */
  rule?: RuleId;
}

export type OperationHandler = (context: OperationContext) => OperationResult | Promise<OperationResult>;

/** A principal on an operation the document secures; the authentication step has put it there. */
export function callerOf(context: OperationContext): Principal {
  if (!context.principal) throw new Error('a secured operation ran without a principal');
  return context.principal;
}
