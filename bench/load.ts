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
  /**
   * CPU time the server spent per request, in microseconds (user + system, from /proc), when the caller
   * can read it. Unlike req/s it barely moves when other work shares the cores.
   */
  cpuPerRequest?: number;
}

/**
 * Runs `warmup`, then the measured `extent`; both draw request indexes from one counter. `serverCpu`, if
 * given, reads the server's CPU time in milliseconds.
 */
export async function load(
  url: string,
  request: LoadRequest,
  warmup: Extent,
  extent: Extent,
  serverCpu?: () => number,
): Promise<{ warmup: LoadResult; measured: LoadResult }> {
  let next = 0;
  const warmupResult = await run(url, request, warmup, () => next++);
  const cpuBefore = serverCpu?.();
  const measured = await run(url, request, extent, () => next++);
  if (serverCpu && cpuBefore !== undefined) measured.cpuPerRequest = ((serverCpu() - cpuBefore) * 1000) / measured.requests;
  return { warmup: warmupResult, measured };
}

/** Load that is not measured: it lets V8 compile the hot paths before a short measured run. */
export async function warmUp(url: string, request: LoadRequest, extent: Extent): Promise<void> {
  let next = 0;
  await run(url, request, extent, () => next++);
}

async function run(url: string, request: LoadRequest, extent: Extent, nextIndex: () => number): Promise<LoadResult> {
  const { path } = request;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
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
        requests: [
          {
            method: request.method,
            path: typeof path === 'string' ? path : path(0),
            headers: request.headers,
            ...(request.body === undefined ? {} : { body: request.body }),
            ...(typeof path === 'string' ? {} : { setupRequest: (req) => Object.assign(req, { path: path(nextIndex()) }) }),
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    lastResponseAt = performance.now();
    latencies.push(responseTime);
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
  });
  const result = await done;
  latencies.sort((a, b) => a - b);
  const requests = latencies.length;
  const seconds = (lastResponseAt - startedAt) / 1000;
  return {
    requests,
    seconds,
    perSecond: requests / seconds,
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
