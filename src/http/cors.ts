import type { FastifyCorsOptions } from '@fastify/cors';
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

/**
 * CORS for a docs site's console or a storefront in the browser. Methods and shopper-token headers come
 * from the document, so a new operation or header parameter is allowed as soon as it is written there.
 * `origins` undefined allows any origin: the stub sets no cookies, so a foreign page gains nothing a
 * curl could not do.
 */
export function corsOptions(contract: Contract, origins: readonly string[] | undefined): FastifyCorsOptions {
  const documentHeaders = contract.operations.flatMap((operation) =>
    operation.parameters.filter((parameter) => parameter.in === 'header').map((parameter) => parameter.name),
  );
  return {
    origin: origins === undefined ? '*' : [...origins],
    methods: unique(contract.operations.map((operation) => operation.method)),
    allowedHeaders: unique(['Authorization', 'Content-Type', ...documentHeaders, ...SDK_HEADERS]),
    exposedHeaders: [RULE_HEADER, 'Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'],
    maxAge: 600,
    // Strict mode answers a bare OPTIONS in plain text; every answer of the stub has the error shape or none.
    strictPreflight: false,
  };
}

/** Header names are case-insensitive: keep the first spelling of each. */
function unique(names: string[]): string[] {
  const seen = new Set<string>();
  return names.filter((name) => !seen.has(name.toLowerCase()) && seen.add(name.toLowerCase()));
}
