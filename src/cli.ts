#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startStub } from './index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
  },
});

const stub = await startStub({
  port: Number(values.port ?? process.env.PORT ?? 4010),
  host: values.host ?? process.env.HOST ?? '127.0.0.1',
});
console.log(`ep-cart-stub listening on ${stub.url}`);
console.log(`Point your Elastic Path client at host ${stub.url.replace('http://', '')} with protocol http.`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void stub.close().then(() => process.exit(0));
  });
}
