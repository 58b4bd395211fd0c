import type { FastifyInstance } from 'fastify';
import type { Contract } from '../contract/document.js';
import { RULE_HEADER } from './trace.js';

/** What Elastic Path's JS SDK adds to every request (its request factory); a storefront's browser sends them. */
const SDK_HEADERS = [
  'X-MOLTIN-SDK-LANGUAGE',
  'X-MOLTIN-SDK-VERSION',
  'X-MOLTIN-APPLICATION',
  'X-MOLTIN-CURRENCY',
  'X-MOLTIN-LANGUAGE',
  'X-MOLTIN-AUTH-STORE',
];

/** How long a browser may keep a preflight's answer, in seconds. */
const PREFLIGHT_MAX_AGE_S = 600;

export interface CorsPolicy {
  /** The origins that may call the stub from a browser; undefined for any. */
  origins: ReadonlySet<string> | undefined;
  methods: string[];
  allowedHeaders: string[];
  exposedHeaders: string[];
  maxAge: number;
}

/**
 * CORS for a docs site's console or a storefront in the browser. Methods and shopper-token headers come
 * from the document, so a new operation or header parameter is allowed as soon as it is written there.
 * `origins` undefined (or holding `*`) allows any origin: the stub sets no cookies, so a foreign page gains
 * nothing a curl could not do.
 */
export function corsPolicy(contract: Contract, origins: readonly string[] | undefined): CorsPolicy {
  const documentHeaders = contract.operations.flatMap((operation) =>
    operation.parameters.filter((parameter) => parameter.in === 'header').map((parameter) => parameter.name),
  );
  return {
    origins: origins === undefined || origins.includes('*') ? undefined : new Set(origins),
    methods: unique(contract.operations.map((operation) => operation.method)),
    allowedHeaders: unique(['Authorization', 'Content-Type', ...documentHeaders, ...SDK_HEADERS]),
    exposedHeaders: [RULE_HEADER, 'Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'],
    maxAge: PREFLIGHT_MAX_AGE_S,
  };
}

/**
 * Answers as @fastify/cors did with this policy (test/cors.test.ts compares the two, request by request), in
 * one callback hook that runs before every other: an answer to a browser names the origin it allows and the
 * headers a page may read, and any OPTIONS is a preflight, answered 204 with no body. The plugin's hook read
 * `request.routeOptions` twice and copied its options on every request; this one reads a header or two.
 *
 * One difference, on purpose: a request without an Origin header gets no Access-Control headers. The CORS
 * protocol is a browser's, and a browser sends Origin with every request CORS applies to; curl, an SDK in
 * Node and the tests send none, and two headers more cost each of their answers about 3 µs (a bare Fastify
 * route with the stub's three extra headers, `npm run bench`'s load). No cache can hand such an answer to a
 * page: the stub's answers carry no freshness, and a shared cache stores none to a request with Authorization.
 */
export function installCors(app: FastifyInstance, policy: CorsPolicy): void {
  const { origins } = policy;
  const exposed = policy.exposedHeaders.join(', ');
  const methods = policy.methods.join(', ');
  const allowed = policy.allowedHeaders.join(', ');
  const maxAge = String(policy.maxAge);
  app.addHook('onRequest', (request, reply, done) => {
    const origin = request.headers.origin;
    // The answer depends on the Origin header: caches must keep one per origin. No hook ran before this one.
    if (origins !== undefined) reply.header('Vary', 'Origin');
    const preflight = request.method === 'OPTIONS';
    if (origin === undefined && !preflight) {
      done();
      return;
    }
    if (origins === undefined) reply.header('Access-Control-Allow-Origin', '*');
    else if (origin !== undefined && origins.has(origin)) reply.header('Access-Control-Allow-Origin', origin);
    reply.header('Access-Control-Expose-Headers', exposed);
    if (!preflight) {
      done();
      return;
    }
    // Safari (and maybe others) waits for a body on a 204 without Content-Length.
    reply
      .header('Access-Control-Allow-Methods', methods)
      .header('Access-Control-Allow-Headers', allowed)
      .header('Access-Control-Max-Age', maxAge)
      .code(204)
      .header('Content-Length', '0')
      .send();
  });
}

/** Header names are case-insensitive: keep the first spelling of each. */
function unique(names: string[]): string[] {
  const seen = new Set<string>();
  return names.filter((name) => !seen.has(name.toLowerCase()) && seen.add(name.toLowerCase()));
}
