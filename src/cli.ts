#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startStub, type RunningStub } from './index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    data: { type: 'string' },
    fixtures: { type: 'string' },
    'admin-token': { type: 'string' },
    /** Repeatable, or comma-separated. */
    'cors-origin': { type: 'string', multiple: true },
    sandbox: { type: 'boolean' },
  },
});

const corsOrigins = (values['cors-origin'] ?? process.env.STUB_CORS_ORIGINS?.split(',') ?? [])
  .flatMap((origins) => origins.split(','))
  .map((origin) => origin.trim())
  .filter((origin) => origin !== '');
const trustProxy = process.env.STUB_TRUST_PROXY;

let stub: RunningStub;
try {
  stub = await startStub({
    port: Number(values.port ?? process.env.PORT ?? 4010),
    host: values.host ?? process.env.HOST ?? '127.0.0.1',
    dataFile: values.data ?? process.env.STUB_DATA,
    fixturesFile: values.fixtures ?? process.env.STUB_FIXTURES,
    adminToken: values['admin-token'] ?? process.env.STUB_ADMIN_TOKEN,
    corsOrigins: corsOrigins.length > 0 ? corsOrigins : undefined,
    sandbox: values.sandbox ?? ['1', 'true'].includes(process.env.STUB_SANDBOX ?? ''),
    trustProxy: trustProxy === undefined ? undefined : ['1', 'true'].includes(trustProxy) || trustProxy,
  });
} catch (error) {
  console.error(`ep-cart-stub did not start: ${(error as Error).message}`);
  process.exit(1);
}
console.log(`ep-cart-stub listening on ${stub.url}${stub.sandboxes.isolated ? ' (sandbox mode)' : ''}`);
console.log(`Point your Elastic Path client at host ${stub.url.replace('http://', '')} with protocol http.`);
console.log(`Docs and "try it" console: ${stub.url}/docs`);

// Finish in-flight requests and write what is pending before exiting.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stub.close().then(
      () => process.exit(0),
      (error: Error) => {
        console.error(`ep-cart-stub could not write its data on shutdown: ${error.message}`);
        process.exit(1);
      },
    );
  });
}
