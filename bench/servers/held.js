/**
 * How much memory N associated carts hold: seeds N empty carts, associates each with the bench account
 * through the full request path (Fastify's inject: auth, validation, rules, store), collects garbage, and
 * prints `{"carts":N,"associated":…,"rss":…,"heapUsed":…,"baselineRss":…,"baselineHeapUsed":…,"seededHeapUsed":…}`
 * (bytes; heap in use before any bench cart and once the carts are seeded, before their associations). Run with --expose-gc.
 *
 *   node --expose-gc bench/servers/held.js --carts 100000 [--settle-ms 10000]
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { buildApp } from '../../dist/index.js';
import { BENCH_ACCOUNT, options, seedCarts } from './seed.js';

const args = options();
const carts = Number(args.carts ?? 100_000);
const settleMs = Number(args['settle-ms'] ?? 10_000);
const app = await buildApp({ logger: false });
await app.fastify.ready();
const { rss: baselineRss, heapUsed: baselineHeapUsed } = await settled(2_000);

await seedCarts(app.store, { empty: carts, owned: 0 });
// The carts as seeded, nobody's yet: what an empty cart costs.
const { heapUsed: seededHeapUsed } = await settled(2_000);
const payload = JSON.stringify({ data: [{ type: 'account', id: BENCH_ACCOUNT }] });
const headers = { authorization: 'Bearer demo-client-credentials-token', 'content-type': 'application/json' };
for (let i = 0; i < carts; i++) {
  const response = await app.fastify.inject({ method: 'POST', url: `/v2/carts/bench-${i}/relationships/accounts`, headers, payload });
  if (response.statusCode !== 200) throw new Error(`bench-${i}: ${response.statusCode} ${response.body}`);
}
// What the process holds right after the work, before any collection is forced.
const uncollectedRss = process.memoryUsage().rss;
const { rss, heapUsed } = await settled(settleMs);
// Read the store after measuring, so that it is alive (and counted) when the measure is taken.
const owner = { kind: 'account', id: BENCH_ACCOUNT };
const associated = app.store.page({ owner, offset: 0, limit: 1, updatedAfter: '' }).total;
console.log(JSON.stringify({ carts, associated, rss, heapUsed, baselineRss, baselineHeapUsed, seededHeapUsed, uncollectedRss }));

/**
 * Memory once garbage is collected and V8 has given the freed pages back, which it does in steps over
 * several seconds of full collections: the lowest RSS over `ms` with a full collection every half second.
 */
async function settled(ms) {
  let lowest = process.memoryUsage();
  for (let elapsed = 0; elapsed < ms; elapsed += 500) {
    globalThis.gc?.();
    await sleep(500);
    const now = process.memoryUsage();
    if (now.rss < lowest.rss) lowest = now;
  }
  return lowest;
}
