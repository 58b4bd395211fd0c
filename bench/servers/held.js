/**
 * How much memory N associated carts hold: seeds N empty carts, associates each with the bench account
 * through the full request path (Fastify's inject: auth, validation, rules, store), collects garbage, and
 * prints `{"carts":N,"associated":…,"rss":…,"heapUsed":…,"baselineRss":…}` (bytes). Run with --expose-gc.
 *
 *   node --expose-gc bench/servers/held.js --carts 100000
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { buildApp } from '../../dist/index.js';
import { BENCH_ACCOUNT, options, seedCarts } from './seed.js';

const carts = Number(options().carts ?? 100_000);
const app = await buildApp({ logger: false });
await app.fastify.ready();
const baselineRss = (await settled()).rss;

await seedCarts(app.store, { empty: carts, owned: 0 });
const payload = JSON.stringify({ data: [{ type: 'account', id: BENCH_ACCOUNT }] });
const headers = { authorization: 'Bearer demo-client-credentials-token', 'content-type': 'application/json' };
for (let i = 0; i < carts; i++) {
  const response = await app.fastify.inject({ method: 'POST', url: `/v2/carts/bench-${i}/relationships/accounts`, headers, payload });
  if (response.statusCode !== 200) throw new Error(`bench-${i}: ${response.statusCode} ${response.body}`);
}
const { rss, heapUsed } = await settled();
// Read the store after measuring, so that it is alive (and counted) when the measure is taken.
const owner = { kind: 'account', id: BENCH_ACCOUNT };
const associated = app.store.page({ owner, offset: 0, limit: 1, updatedAfter: '' }).total;
console.log(JSON.stringify({ carts, associated, rss, heapUsed, baselineRss }));

/** Memory once garbage is collected and V8 has given freed pages back, which it does in the background. */
async function settled() {
  for (let i = 0; i < 3; i++) {
    globalThis.gc?.();
    await sleep(300);
  }
  return process.memoryUsage();
}
