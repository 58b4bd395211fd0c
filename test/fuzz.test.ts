/**
 * Property-based fuzzing from the contract (test/fuzz/): thousands of generated requests to every operation
 * of openapi/openapi.yaml, valid and broken, must never get a 5xx; every error has the shared shape and a
 * status the document or docs/robustness.md allows; every success fits its response schema; a missing or forged
 * token is refused; and the store's invariants hold after each sequence. The seed is fixed so a run is
 * repeatable; FUZZ_SEED=<n> tries another, FUZZ_RUNS=<n> sets the number of sequences. Deeper runs:
 * `npm run fuzz -- --runs 100000`.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, formatCounts, fuzzTarget, sequences, type FuzzTarget } from './fuzz/harness.js';
import { rawDamage } from './fuzz/raw.js';
import { requestArbitrary } from './fuzz/requests.js';

const seed = Number(process.env.FUZZ_SEED ?? 20_261_203);
const runs = Number(process.env.FUZZ_RUNS ?? 800);

describe('generated requests to every operation (inject)', () => {
  let target: FuzzTarget;
  beforeAll(async () => {
    target = await fuzzTarget();
  });
  afterAll(() => target.close());

  it(`never a 5xx, errors in the shared shape, successes valid, forged tokens refused, store invariants intact (${runs} sequences, seed ${seed})`, async () => {
    await fc.assert(
      fc.asyncProperty(sequences, async (requests) => {
        expect(await target.run(requests)).toEqual([]);
      }),
      { seed, numRuns: runs },
    );
    const { stats } = target;
    console.log(`fuzz: ${stats.cases} requests (${stats.byKind.get('broken') ?? 0} broken), ${formatCounts(stats.byStatus)}`);
    expect(stats.serverErrors).toBe(0);
    // Every operation was reached and succeeded; every one that can refuse a request refused some.
    for (const operation of contract.operations) {
      const statuses = [...(stats.byOperation.get(operation.operationId)?.keys() ?? [])];
      const canRefuse = operation.scheme === 'bearerAuth' || Object.keys(operation.responses).some((code) => /^4\d\d$/.test(code) && code !== '401');
      expect(statuses.some((status) => status < 300), `${operation.operationId}: ${statuses}`).toBe(true);
      if (canRefuse) expect(statuses.some((status) => status >= 400), `${operation.operationId}: ${statuses}`).toBe(true);
    }
  });
});

describe('generated requests in sandbox mode (inject)', () => {
  it('never a 5xx but the sandbox cap, errors in the shared shape, forged tokens refused', async () => {
    const target = await fuzzTarget({ sandbox: { rateLimitPerMinute: 1_000_000, maxSandboxes: 3, maxCartsPerSandbox: 8 } });
    try {
      await fc.assert(
        fc.asyncProperty(sequences, async (requests) => {
          expect(await target.run(requests)).toEqual([]);
        }),
        { seed, numRuns: Math.ceil(runs / 10) },
      );
      expect(target.stats.cases).toBeGreaterThan(0);
    } finally {
      await target.close();
    }
  });
});

describe('generated requests damaged on a real socket', () => {
  // Injected faults answer 5xx by design, and would reach requests running beside the one that added them.
  const withoutFaults = { ...contract, operations: contract.operations.filter((op) => op.operationId !== 'createStubFaults') };

  it('duplicated headers, lying lengths, broken chunking, control characters, cut requests: a shared-shape answer or a close', async () => {
    const target = await fuzzTarget({ requestTimeoutMs: 400 });
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.tuple(requestArbitrary(withoutFaults), rawDamage), { minLength: 8, maxLength: 8 }), async (batch) => {
          const problems = await Promise.all(batch.map(([request, damage]) => target.runRaw(request, damage)));
          expect(problems.flat()).toEqual([]);
        }),
        { seed, numRuns: Math.ceil(runs / 40) },
      );
      console.log(`fuzz over sockets: ${target.stats.cases} answers, ${formatCounts(target.stats.byStatus)}`);
      // The stub still serves everyone else (from the fixtures: a generated request may have replaced the state).
      await target.app.reset();
      const { port } = target.app.fastify.server.address() as { port: number };
      const response = await fetch(`http://127.0.0.1:${port}/v2/carts`, { headers: { authorization: 'Bearer demo-client-credentials-token' } });
      expect(response.status).toBe(200);
    } finally {
      await target.close();
    }
  });
});
