/**
 * The deep fuzz run: `npm run fuzz -- --runs 100000 [--seed N] [--raw N]`.
 * After a warm-up (a fifth of `runs`, at most 20 000 requests), sends at least `runs` generated requests (in
 * sequences of 1–10, each from the fixtures) through `inject`, then `raw` damaged requests over real sockets,
 * judging each as `test/fuzz.test.ts` does. Reports the cases, the statuses seen, the 5xx count, and the
 * process's memory (after a GC) at start, after the warm-up and at the end.
 * Exits 1 if any rule was broken, printing the first problems and the batch seed that reproduces them.
 */
import fc from 'fast-check';
import { parseArgs } from 'node:util';
import { contract, formatCounts, fuzzTarget, sequences } from './harness.js';
import { rawDamage } from './raw.js';
import { requestArbitrary } from './requests.js';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '10000' }, seed: { type: 'string', default: '20260707' }, raw: { type: 'string' } },
});
const runs = Number(values.runs);
const seed = Number(values.seed);
const rawRuns = Number(values.raw ?? Math.ceil(runs / 100));
const BATCH = 100;

const gc = (globalThis as { gc?: () => void }).gc;
const memory = () => {
  gc?.();
  const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
  return { rss: rss / 2 ** 20, heap: heapUsed / 2 ** 20, heapTotal: heapTotal / 2 ** 20, external: external / 2 ** 20 };
};
const mb = (n: number) => `${n.toFixed(1)} MB`;

const target = await fuzzTarget({ requestTimeoutMs: 400 });
const start = memory();
// Warm up first: compiled serializers, the journal's ring, the token cache and V8's pages fill, then stay.
const warmUp = Math.min(20_000, Math.ceil(runs / 5));
const problems: string[] = [];
for (let batch = 0; target.stats.cases < warmUp; batch += 1) {
  for (const [i, requests] of fc.sample(sequences, { numRuns: BATCH, seed: -1 - batch }).entries()) {
    for (const problem of await target.run(requests)) problems.push(`[warm-up batch seed ${-1 - batch}, sequence ${i}] ${problem}`);
  }
}
const warm = { cases: target.stats.cases, serverErrors: target.stats.serverErrors };
target.stats.cases = 0;
target.stats.byStatus.clear();
target.stats.byOperation.clear();
target.stats.byKind.clear();
target.stats.serverErrors = 0;

const before = memory();
const started = performance.now();
for (let batch = 0; target.stats.cases < runs; batch += 1) {
  const batchSeed = seed + batch;
  for (const [i, requests] of fc.sample(sequences, { numRuns: BATCH, seed: batchSeed }).entries()) {
    for (const problem of await target.run(requests)) problems.push(`[batch seed ${batchSeed}, sequence ${i}] ${problem}`);
  }
  if (batch % 20 === 19) process.stderr.write(`  ${target.stats.cases} requests…\n`);
}
const injected = target.stats.cases;
const elapsed = (performance.now() - started) / 1000;
const after = memory();
const injectedBroken = target.stats.byKind.get('broken') ?? 0;
const injectedStatuses = new Map(target.stats.byStatus);

const withoutFaults = { ...contract, operations: contract.operations.filter((op) => op.operationId !== 'createStubFaults') };
const rawCases = fc.sample(fc.tuple(requestArbitrary(withoutFaults), rawDamage), { numRuns: rawRuns, seed });
for (let i = 0; i < rawCases.length; i += 8) {
  const answers = await Promise.all(rawCases.slice(i, i + 8).map(([request, damage]) => target.runRaw(request, damage)));
  problems.push(...answers.flat().map((problem) => `[socket, seed ${seed}, case ${i}…] ${problem}`));
}
await target.close();

const { stats } = target;
console.log(`ep-cart-stub deep fuzz, seed ${seed}; warm-up: ${warm.cases} requests, ${warm.serverErrors} × 5xx`);
const socketStatuses = new Map<number, number>();
for (const [status, n] of stats.byStatus) if (n > (injectedStatuses.get(status) ?? 0)) socketStatuses.set(status, n - (injectedStatuses.get(status) ?? 0));
console.log(`requests through inject: ${injected} in ${elapsed.toFixed(1)} s (${Math.round(injected / elapsed)}/s), ${injectedBroken} of them broken`);
console.log(`  statuses: ${formatCounts(injectedStatuses)}`);
console.log(`damaged requests over sockets: ${rawRuns} (${stats.cases - injected} answers)`);
console.log(`  statuses: ${formatCounts(socketStatuses)}`);
console.log(`5xx: ${stats.serverErrors}`);
console.log(
  `memory after GC: RSS ${mb(start.rss)} at start, ${mb(before.rss)} after the warm-up, ${mb(after.rss)} after the ${injected} requests; ` +
    `heap used ${mb(start.heap)}, ${mb(before.heap)}, ${mb(after.heap)}; heap reserved ${mb(start.heapTotal)}, ${mb(before.heapTotal)}, ${mb(after.heapTotal)}; ` +
    `external ${mb(start.external)}, ${mb(before.external)}, ${mb(after.external)}${gc ? '' : ' (no GC: run with --expose-gc)'}`,
);
console.log('by operation (inject and sockets):');
for (const operation of contract.operations) {
  console.log(`  ${operation.operationId.padEnd(30)} ${formatCounts(stats.byOperation.get(operation.operationId) ?? new Map())}`);
}
console.log(`rules broken: ${problems.length}`);
for (const problem of problems.slice(0, 20)) console.log(`- ${problem.slice(0, 1500)}`);
process.exitCode = problems.length > 0 || stats.serverErrors > 0 || warm.serverErrors > 0 ? 1 : 0;
