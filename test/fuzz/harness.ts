/**
 * Runs generated requests against a stub built in-process (`inject`: no sockets, so thousands a second),
 * judges every answer and the store afterwards, and counts what it saw. Shared by `test/fuzz.test.ts`
 * (a few thousand cases in `npm test`) and `test/fuzz/run.ts` (`npm run fuzz -- --runs 100000`).
 */
import fc from 'fast-check';
import { loadContract, type Contract, type Operation } from '../../src/contract/document.js';
import { buildApp, type App, type AppOptions } from '../../src/http/app.js';
import { exchange } from '../support/raw-http.js';
import { answerViolation, invariantViolations } from './oracle.js';
import { rawBytes, type RawDamage } from './raw.js';
import { describeRequest, requestArbitrary, toInject, type RequestSpec } from './requests.js';
import { TokenMint } from './tokens.js';

export const contract: Contract = await loadContract();
const operations = new Map(contract.operations.map((op) => [op.operationId, op]));

export interface FuzzStats {
  cases: number;
  byStatus: Map<number, number>;
  byOperation: Map<string, Map<number, number>>;
  byKind: Map<string, number>;
  serverErrors: number;
}

export interface FuzzTarget {
  app: App;
  stats: FuzzStats;
  /** Back to the fixtures, sends the requests in order, and returns every broken rule (empty when none). */
  run(requests: RequestSpec[]): Promise<string[]>;
  /** Listens on a free port (once), writes the request's damaged bytes on a socket, and judges every answer. */
  runRaw(request: RequestSpec, damage: RawDamage): Promise<string[]>;
  close(): Promise<void>;
}

const SECRET = 'fuzz-token-secret';

export async function fuzzTarget(options: AppOptions = {}): Promise<FuzzTarget> {
  const app = await buildApp({ contract, tokenSecret: SECRET, ...options });
  // Which operation answered, so the oracle judges the answer against the right part of the document.
  app.fastify.addHook('onSend', async (request, reply, payload) => {
    const operationId = request.routeOptions.config?.operation?.operationId;
    if (operationId) reply.header('x-fuzz-operation', operationId);
    return payload;
  });
  await app.fastify.ready();
  const mint = new TokenMint(app, SECRET);
  const sandbox = Boolean(options.sandbox);
  const stats: FuzzStats = { cases: 0, byStatus: new Map(), byOperation: new Map(), byKind: new Map(), serverErrors: 0 };

  return {
    app,
    stats,
    async run(requests) {
      await app.reset();
      const problems: string[] = [];
      for (const spec of requests) {
        const { options: request, refused } = toInject(spec, mint);
        const response = await app.fastify.inject(request);
        // Faults answer 5xx by design; one a generated request adds is cleared before it applies to anything.
        if (spec.operationId === 'createStubFaults') app.faults.clear();
        count(stats, spec, response.statusCode);
        const operationId = response.headers['x-fuzz-operation'];
        const operation: Operation | undefined = typeof operationId === 'string' ? operations.get(operationId) : undefined;
        const violation = answerViolation(
          { operation, path: spec.path, status: response.statusCode, contentType: response.headers['content-type']?.toString(), body: response.body },
          { sandbox },
        );
        const admitted = refused && operation?.scheme === 'bearerAuth' && response.statusCode !== 401;
        if (violation) problems.push(`${describeRequest(spec)}\n    → ${violation}`);
        else if (admitted) problems.push(`${describeRequest(spec)}\n    → a missing, forged or expired token was answered ${response.statusCode}`);
      }
      // In sandbox mode this is the seed every sandbox copies; the prototypes are checked in every mode.
      problems.push(...invariantViolations(app.store).map((problem) => `after the sequence: ${problem}`));
      return problems;
    },
    async runRaw(spec, damage) {
      if (!app.fastify.server.listening) await app.fastify.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.fastify.server.address() as { port: number };
      const { bytes, refused } = rawBytes(spec, mint, damage);
      const { responses } = await exchange(port, [bytes], { waitMs: 5000 });
      if (spec.operationId === 'createStubFaults') app.faults.clear();
      const problems: string[] = [];
      const where = `${describeRequest(spec)}; damage ${JSON.stringify(damage)}`;
      for (const response of responses) {
        count(stats, spec, response.status);
        const operationId = response.headers['x-fuzz-operation'];
        const operation = operationId === undefined ? undefined : operations.get(operationId);
        const answer = { operation, path: spec.path, status: response.status, contentType: response.headers['content-type'], body: response.body };
        const violation = answerViolation(answer, { sandbox, socket: true });
        if (violation) problems.push(`${where}\n    → ${violation}`);
        else if (refused && operation?.scheme === 'bearerAuth' && response.status !== 401) {
          problems.push(`${where}\n    → a missing, forged or expired token was answered ${response.status}`);
        }
      }
      return problems;
    },
    close: () => app.fastify.close(),
  };
}

function count(stats: FuzzStats, spec: RequestSpec, status: number): void {
  stats.cases += 1;
  if (status >= 500) stats.serverErrors += 1;
  stats.byStatus.set(status, (stats.byStatus.get(status) ?? 0) + 1);
  const perOperation = stats.byOperation.get(spec.operationId) ?? new Map<number, number>();
  perOperation.set(status, (perOperation.get(status) ?? 0) + 1);
  stats.byOperation.set(spec.operationId, perOperation);
  const kind = spec.kind === 'valid' ? 'valid' : 'broken';
  stats.byKind.set(kind, (stats.byKind.get(kind) ?? 0) + 1);
}

/** Sequences of 1–10 requests to any operation; each sequence starts from the fixtures. */
export const sequences = fc.array(requestArbitrary(contract), { minLength: 1, maxLength: 10 });

/** `200×512 400×301 …`, most frequent first. */
export function formatCounts(counts: Map<number, number>): string {
  return [...counts].sort((a, b) => b[1] - a[1]).map(([status, n]) => `${status}×${n}`).join(' ');
}
