/** Load from the bench process: autocannon, 10 connections, with a warm-up that is not measured. */
import autocannon from 'autocannon';

export const CONNECTIONS = 10;

export interface LoadRequest {
  method: 'GET' | 'POST';
  /** A fixed path, or one per request (e.g. a new cart each time). */
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
  /** Connection errors and timeouts. */
  errors: number;
}

/** Runs `warmup`, then the measured `extent`; both draw request indexes from one counter. */
export async function load(
  url: string,
  request: LoadRequest,
  warmup: Extent,
  extent: Extent,
): Promise<{ warmup: LoadResult; measured: LoadResult }> {
  let next = 0;
  const warmupResult = await run(url, request, warmup, () => next++);
  return { warmup: warmupResult, measured: await run(url, request, extent, () => next++) };
}

async function run(url: string, request: LoadRequest, extent: Extent, nextIndex: () => number): Promise<LoadResult> {
  const { path } = request;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let instance!: autocannon.Instance;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
        url,
        connections: CONNECTIONS,
        ...('amount' in extent ? { amount: extent.amount } : { duration: extent.seconds }),
        requests: [
          {
            method: request.method,
            path: typeof path === 'string' ? path : path(0),
            headers: request.headers,
            ...(request.body === undefined ? {} : { body: request.body }),
            ...(typeof path === 'string' ? {} : { setupRequest: (req) => ({ ...req, path: path(nextIndex()) }) }),
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    latencies.push(responseTime);
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
  });
  const result = await done;
  latencies.sort((a, b) => a - b);
  const requests = latencies.length;
  return {
    requests,
    seconds: result.duration,
    perSecond: requests / result.duration,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    statuses,
    errors: result.errors + result.timeouts,
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}
