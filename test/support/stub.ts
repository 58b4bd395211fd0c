/**
 * Starts an isolated stub for a test file and checks every response it sends against the contract:
 * a response that breaks its own OpenAPI document, or Elastic Path's reference schema, fails the test.
 */
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp, type App, type AppOptions } from '../../src/http/app.js';
import { ownContractViolation, referenceViolation } from './contract.js';

export const ids = {
  acme: 'a0000000-0000-4000-8000-000000000001',
  globex: 'b0000000-0000-4000-8000-000000000002',
  initech: 'c0000000-0000-4000-8000-000000000003',
  alice: 'a1000000-0000-4000-8000-0000000000a1',
  bob: 'b1000000-0000-4000-8000-0000000000b1',
  carol: 'c1000000-0000-4000-8000-0000000000c1',
  dave: 'd1000000-0000-4000-8000-0000000000d1',
  passwordProfile: '9f1b5c3e-0000-4000-8000-0000000000f1',
} as const;

/** Pinned tokens from fixtures/default.json. */
export const auth = {
  cc: { authorization: 'Bearer demo-client-credentials-token' },
  implicit: { authorization: 'Bearer demo-implicit-token' },
  aliceAcme: { 'ep-account-management-authentication-token': 'demo-alice-acme-token' },
  aliceGlobex: { 'ep-account-management-authentication-token': 'demo-alice-globex-token' },
  bobGlobex: { 'ep-account-management-authentication-token': 'demo-bob-globex-token' },
  carol: { 'x-moltin-customer-token': 'demo-carol-token' },
  dave: { 'x-moltin-customer-token': 'demo-dave-token' },
} as const;

export interface TestStub extends App {
  /** Sends a request; `json` is sent as an application/json body. Throws if the response breaks the contract. */
  request(options: InjectOptions & { json?: unknown }): Promise<LightMyRequestResponse & { data: any }>;
  close(): Promise<void>;
}

export async function startTestStub(options: AppOptions = {}): Promise<TestStub> {
  const app = await buildApp(options);
  const violations: string[] = [];
  app.fastify.addHook('onSend', async (request, reply, payload) => {
    const operationId = request.routeOptions.config?.operation?.operationId;
    if (!operationId) return payload;
    const body = typeof payload === 'string' && payload.length > 0 ? JSON.parse(payload) : undefined;
    const violation =
      ownContractViolation(operationId, reply.statusCode, body) ?? referenceViolation(operationId, reply.statusCode, body);
    if (violation) violations.push(`${request.method} ${request.url}: ${violation}`);
    return payload;
  });
  await app.fastify.ready();
  return {
    ...app,
    async request({ json, ...options }) {
      const response = await app.fastify.inject(
        json === undefined
          ? options
          : { ...options, headers: { 'content-type': 'application/json', ...options.headers }, payload: JSON.stringify(json) },
      );
      const violation = violations.shift();
      if (violation) throw new Error(`response breaks the contract: ${violation}`);
      const data = response.body.length > 0 && response.headers['content-type']?.toString().includes('json') ? response.json() : undefined;
      return Object.assign(response, { data });
    },
    close: () => app.fastify.close(),
  };
}

/** The single error of an error response. */
export function errorOf(response: { data: any }): { status: number | string; title: string; detail: string; source?: string } {
  return response.data.errors[0];
}
