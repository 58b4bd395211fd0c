/**
 * Load from the bench's core: wrk, one thread, 10 connections, with a warm-up that is not measured. wrk is C
 * on epoll: under the same load autocannon, run in the bench process, took more CPU per request than the
 * bare Fastify route it measured and capped every row near 15 000 req/s; wrk let that route reach 27 000.
 * Debian packages it (`apt install wrk`); bench/load.lua is its script.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runToEnd } from './processes.js';

export const CONNECTIONS = 10;
const SCRIPT = fileURLToPath(new URL('./load.lua', import.meta.url));

export interface LoadRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** `{n}` in the path, if any, takes the number of the request (of the turn, in a sequence): see Numbers. */
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * The numbers `{n}` takes: `from`, `from + 1`, … through the warm-up and then the measured run, or, with a
 * `cycle`, `(from + i) mod cycle`.
 */
export interface Numbers {
  from?: number;
  cycle?: number;
}

/** How long a run lasts: a fixed number of responses, or a fixed time in seconds. */
export type Extent = { amount: number } | { seconds: number };

export interface LoadResult {
  /** Responses in the run (with `{ amount }`, exactly that many). */
  requests: number;
  seconds: number;
  perSecond: number;
  /** Milliseconds, from wrk's histogram (microsecond steps); in a sequence, of a whole turn. */
  p50: number;
  p99: number;
  /** Responses by status code, e.g. `{ "200": 30000 }`. */
  statuses: Record<string, number>;
  /** Connection errors, read and write errors, and timeouts. */
  errors: number;
  /**
   * CPU time the server spent per request, in microseconds (user + system, from /proc), when the caller
   * can read it. Unlike req/s it barely moves when other work shares the cores.
   */
  cpuPerRequest?: number;
}

/**
 * Runs `warmup`, then the measured `extent`, the numbers going on from one to the other. `serverCpu`, if
 * given, reads the server's CPU time in milliseconds. An array of requests is a sequence that each turn sends
 * pipelined on one connection, e.g. a DELETE then a POST on the same cart: the server answers them in order.
 *
 * A run that ends at an `amount` leaves up to CONNECTIONS - 1 turns in flight, sent but not counted: they use
 * numbers too (a fresh cart each, for a write load), and the next run's numbers start after them.
 */
export async function load(
  url: string,
  request: LoadRequest | LoadRequest[],
  warmup: Extent,
  extent: Extent,
  { serverCpu, ...numbers }: Numbers & { serverCpu?: () => number } = {},
): Promise<{ warmup: LoadResult; measured: LoadResult; next: number }> {
  let next = numbers.from ?? 0;
  let warmupResult = NOTHING;
  if (!('amount' in warmup && warmup.amount === 0)) ({ result: warmupResult, next } = await run(url, request, warmup, { ...numbers, from: next }));
  const cpuBefore = serverCpu?.();
  const measured = await run(url, request, extent, { ...numbers, from: next });
  if (serverCpu && cpuBefore !== undefined) measured.result.cpuPerRequest = ((serverCpu() - cpuBefore) * 1000) / measured.result.requests;
  return { warmup: warmupResult, measured: measured.result, next: measured.next };
}

/** No requests: a warm-up of `{ amount: 0 }` sends none. */
const NOTHING: LoadResult = { requests: 0, seconds: 0, perSecond: 0, p50: NaN, p99: NaN, statuses: {}, errors: 0 };

/** Load that is not measured: it lets V8 compile the hot paths before a short measured run. Answers the next number. */
export async function warmUp(url: string, request: LoadRequest | LoadRequest[], extent: Extent, numbers: Numbers = {}): Promise<number> {
  return (await run(url, request, extent, numbers)).next;
}

/** `wrk -v`'s first line, for the report's versions; an error naming the package when wrk is missing. */
export function wrkVersion(): string {
  const result = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
  if (result.error) throw new Error('wrk is not installed: the bench loads the servers with it (Debian: apt install wrk)');
  return (result.stdout || result.stderr).split('\n')[0]!.replace(/\s*Copyright.*$/, '').trim();
}

interface WrkOutput {
  responses: number;
  turns: number;
  microseconds: number;
  p50: number;
  p99: number;
  errors: number;
  statuses: Record<string, number>;
}

async function run(url: string, request: LoadRequest | LoadRequest[], extent: Extent, { from = 0, cycle = 0 }: Numbers): Promise<{ result: LoadResult; next: number }> {
  const sequence = Array.isArray(request) ? request : [request];
  const host = new URL(url).host;
  const directory = mkdtempSync(join(tmpdir(), 'ep-cart-stub-load-'));
  try {
    const turn = join(directory, 'turn.http');
    writeFileSync(turn, sequence.map((one) => rawRequest(host, one)).join(''));
    // An `amount` ends the run from the script; -d is then only a bound on a server that stops answering.
    const seconds = 'seconds' in extent ? extent.seconds : 600;
    const amount = 'amount' in extent ? extent.amount : 0;
    const { stdout } = await runToEnd({
      command: 'wrk',
      args: ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--timeout', '10s', '-s', SCRIPT, url, '--', turn, String(from), String(cycle), String(amount)],
    });
    const out = JSON.parse(stdout.trim().split('\n').at(-1)!) as WrkOutput;
    const secondsTaken = out.microseconds / 1e6;
    const result: LoadResult = {
      requests: out.responses,
      seconds: secondsTaken,
      perSecond: out.responses / secondsTaken,
      p50: out.p50 / 1000,
      p99: out.p99 / 1000,
      statuses: out.statuses,
      errors: out.errors,
    };
    return { result, next: from + out.turns };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** The request as it goes on the wire, with an explicit length so that pipelined requests part cleanly. */
function rawRequest(host: string, { method, path, headers, body }: LoadRequest): string {
  const lines = [`${method} ${path} HTTP/1.1`, `host: ${host}`, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
  if (body !== undefined) lines.push(`content-length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body ?? ''}`;
}
