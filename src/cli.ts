#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startStub } from './index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
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

const stub = await startStub({
  port: Number(values.port ?? process.env.PORT ?? 4010),
  host: values.host ?? process.env.HOST ?? '127.0.0.1',
  corsOrigins: corsOrigins.length > 0 ? corsOrigins : undefined,
  sandbox: values.sandbox ?? ['1', 'true'].includes(process.env.STUB_SANDBOX ?? ''),
  trustProxy: trustProxy === undefined ? undefined : ['1', 'true'].includes(trustProxy) || trustProxy,
});
console.log(`ep-cart-stub listening on ${stub.url}${stub.sandboxes.isolated ? ' (sandbox mode)' : ''}`);
console.log(`Point your Elastic Path client at host ${stub.url.replace('http://', '')} with protocol http.`);
console.log(`Docs and "try it" console: ${stub.url}/docs`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void stub.close().then(() => process.exit(0));
  });
}
