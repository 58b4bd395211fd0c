/**
 * Starts an isolated stub for a test file and checks every response it sends against the contract:
 * a response that breaks its own OpenAPI document, or Elastic Path's reference schema, fails the test.
 */
import { randomUUID } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { inject } from 'vitest';
import { buildApp, type App, type AppOptions } from '../../src/http/app.js';
import { ownContractViolation, referenceViolation } from './contract.js';

import { auth, ids } from './fixtures.js';

export { auth, ids } from './fixtures.js';

export interface TestStub extends App {
  /** Sends a request; `json` is sent as an application/json body. Throws if the response breaks the contract. */
  request(options: InjectOptions & { json?: unknown }): Promise<LightMyRequestResponse & { data: any }>;
  close(): Promise<void>;
}

/**
 * In the `redis` test project (vitest.config.ts), a stub that keeps its state in memory by default keeps it
 * on the test redis-server instead, under keys of its own: the same suite then proves the Redis store.
 */
function onTheTestStore(options: AppOptions): AppOptions {
  const elsewhere = options.store !== undefined || options.dataFile !== undefined || options.redis !== undefined || options.sandbox;
  if (process.env.STUB_TEST_STORE !== 'redis' || elsewhere) return options;
  return { ...options, redis: inject('redisUrl'), redisPrefix: `test-${randomUUID()}:` };
}

export async function startTestStub(options: AppOptions = {}): Promise<TestStub> {
  const app = await buildApp(onTheTestStore(options));
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

export type MemberCredentials = { username?: string; password?: string; password_profile_id?: string };

/** POST /v2/account-members/tokens with the password mechanism: Alice's credentials, or these overrides. */
export function loginMember(stub: TestStub, overrides: MemberCredentials = {}, headers: Record<string, string> = auth.implicit) {
  return stub.request({
    method: 'POST',
    url: '/v2/account-members/tokens',
    headers,
    json: {
      data: {
        type: 'account_management_authentication_token',
        authentication_mechanism: 'password',
        password_profile_id: ids.passwordProfile,
        username: 'alice@example.com',
        password: 'alice-password',
        ...overrides,
      },
    },
  });
}

/** The single error of an error response. */
export function errorOf(response: { data: any }): { status: number | string; title: string; detail: string; source?: string } {
  return response.data.errors[0];
}
