/** Load from the bench process: autocannon, 10 connections, with a warm-up that is not measured. */
import autocannon from 'autocannon';

export const CONNECTIONS = 10;

export interface LoadRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /**
   * A fixed path, or one per request (e.g. a new cart each time). In a sequence (below), the index is the
   * connection's turn through the sequence: every request of one turn gets the same index.
   */
  path: string | ((index: number) => string);
  headers: Record<string, string>;
  body?: string;
}

/** How long a run lasts: a fixed number of requests, or a fixed time in seconds. */
export type Extent = { amount: number } | { seconds: number };

export interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  /** Milliseconds, from every response's own timing (autocannon's histogram rounds to whole ms). */
  p50: number;
  p99: number;
  /** Responses by status code, e.g. `{ "200": 30000 }`. */
  statuses: Record<string, number>;
  /** p50 and p99 of each status's responses alone (in a sequence, each status is one kind of request). */
  latencyByStatus: Record<string, { p50: number; p99: number }>;
  /** Connection errors and timeouts. */
  errors: number;
  /**
   * CPU time the server spent per request, in microseconds (user + system, from /proc), when the caller
   * can read it. Unlike req/s it barely moves when other work shares the cores.
   */
  cpuPerRequest?: number;
}

/**
 * Runs `warmup`, then the measured `extent`; both draw request indexes from one counter. `serverCpu`, if
 * given, reads the server's CPU time in milliseconds. An array of requests is a sequence each connection
 * sends in turn, one request at a time, e.g. a DELETE then a POST on the same cart.
 */
export async function load(
  url: string,
  request: LoadRequest | LoadRequest[],
  warmup: Extent,
  extent: Extent,
  serverCpu?: () => number,
): Promise<{ warmup: LoadResult; measured: LoadResult }> {
  let next = 0;
  const warmupResult = 'amount' in warmup && warmup.amount === 0 ? NOTHING : await run(url, request, warmup, () => next++);
  const cpuBefore = serverCpu?.();
  const measured = await run(url, request, extent, () => next++);
  if (serverCpu && cpuBefore !== undefined) measured.cpuPerRequest = ((serverCpu() - cpuBefore) * 1000) / measured.requests;
  return { warmup: warmupResult, measured };
}

/** No requests: a warm-up of `{ amount: 0 }` sends none. */
const NOTHING: LoadResult = { requests: 0, seconds: 0, perSecond: 0, p50: NaN, p99: NaN, statuses: {}, latencyByStatus: {}, errors: 0 };

/** Load that is not measured: it lets V8 compile the hot paths before a short measured run. */
export async function warmUp(url: string, request: LoadRequest | LoadRequest[], extent: Extent): Promise<void> {
  let next = 0;
  await run(url, request, extent, () => next++);
}

async function run(url: string, request: LoadRequest | LoadRequest[], extent: Extent, nextIndex: () => number): Promise<LoadResult> {
  const sequence = Array.isArray(request) ? request : [request];
  const latencies: number[] = [];
  const byStatus: Record<string, number[]> = {};
  // autocannon reports a run of `amount` requests only at its next one-second tick, so its own duration
  // overstates short runs: time from the start to the last response instead.
  const startedAt = performance.now();
  let lastResponseAt = startedAt;
  let instance!: autocannon.Instance;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
        url,
        connections: CONNECTIONS,
        ...('amount' in extent ? { amount: extent.amount } : { duration: extent.seconds }),
        requests: sequence.map(({ method, path, headers, body }, position) => ({
          method,
          path: typeof path === 'string' ? path : path(0),
          headers,
          ...(body === undefined ? {} : { body }),
          // autocannon keeps one context per connection: the first request of a turn takes the next index.
          ...(typeof path === 'string'
            ? {}
            : {
                setupRequest: (req: autocannon.Request, context: { index?: number }) => {
                  if (position === 0 || context.index === undefined) context.index = nextIndex();
                  return Object.assign(req, { path: path(context.index) });
                },
              }),
        })),
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    lastResponseAt = performance.now();
    latencies.push(responseTime);
    (byStatus[statusCode] ??= []).push(responseTime);
  });
  const result = await done;
  latencies.sort((a, b) => a - b);
  const statuses: Record<string, number> = {};
  const latencyByStatus: LoadResult['latencyByStatus'] = {};
  for (const [status, times] of Object.entries(byStatus)) {
    times.sort((a, b) => a - b);
    statuses[status] = times.length;
    latencyByStatus[status] = { p50: percentile(times, 0.5), p99: percentile(times, 0.99) };
  }
  const requests = latencies.length;
  const seconds = (lastResponseAt - startedAt) / 1000;
  return {
    requests,
    seconds,
    perSecond: requests / seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    statuses,
    latencyByStatus,
    errors: result.errors + result.timeouts,
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}
