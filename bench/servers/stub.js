/**
 * The stub under test, from the compiled dist/, on a free port. Seeds the bench carts, then prints one JSON
 * line (`{"url":…}`) for the bench to read. `--data-file` asks for the file store (`--fsync 1`, synced); if
 * no file appears once the seed is durable, the build has no file store, and it says so and exits 3.
 *
 * `--redis URL` asks for the Redis store. `--trace 0` turns the rule trace off (the baseline of its cost).
 *
 *   node bench/servers/stub.js [--empty N] [--owned N] [--data-file PATH [--fsync 1] | --redis URL] [--trace 0]
 */
import { existsSync } from 'node:fs';
import { tuneHeapToItsSize } from '../../dist/heap.cjs';
import { startStub } from '../../dist/index.js';
import { options, seedCarts } from './seed.js';

const args = options();
const dataFile = args['data-file'];
const stub = await startStub({
  port: 0,
  host: '127.0.0.1',
  logger: false,
  trace: args.trace !== '0',
  ...(dataFile ? { dataFile, fsync: args.fsync === '1' } : {}),
  ...(args.redis ? { redis: args.redis } : {}),
});
// As the CLI does once the stub listens; before the seeding, which stands for requests the stub would have
// answered (left to grow while 100 000 carts were seeded, the young generation took 17 MB more RSS for good).
tuneHeapToItsSize();
await seedCarts(stub.store, { empty: Number(args.empty ?? 0), owned: Number(args.owned ?? 0) });
if (dataFile && !existsSync(dataFile)) {
  console.log(JSON.stringify({ error: 'file store not available: startStub ignored the dataFile option' }));
  await stub.close();
  process.exit(3);
}
console.log(JSON.stringify({ url: stub.url }));

process.once('SIGTERM', () => void stub.close().then(() => process.exit(0)));
