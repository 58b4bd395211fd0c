/**
 * Where a server spends its CPU under load: the server runs with `node --cpu-prof`, and the samples taken
 * while the load ran (not those of start-up or seeding) are summed by function and by package. Both clocks
 * are CLOCK_MONOTONIC on Linux: the profile's timestamps and the bench's `process.hrtime` agree.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from './processes.js';

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; scriptId: string };
  children?: number[];
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Cost {
  name: string;
  /** Share of the busy samples (idle left out), 0–1. */
  share: number;
}

export interface ProfileSummary {
  /** Busy samples in the load's window, and the milliseconds they stand for. */
  samples: number;
  busyMs: number;
  /** Requests answered in the window. */
  requests: number;
  functions: Cost[];
  packages: Cost[];
  /**
   * The same samples, each charged to the nearest package or file of the stub on its stack: what Node and
   * V8 did on a caller's behalf (a socket write, a Map lookup) counts as the caller's.
   */
  callers: Cost[];
}

/**
 * Starts a server with `--cpu-prof` (the node options `start` is given), warms it up, runs `work` against
 * it, stops it with SIGTERM (the profile is written at exit), and sums the samples taken while `work` ran.
 * `work` answers how many requests it sent.
 */
export async function profile(
  start: (nodeOptions: string[]) => Promise<Server>,
  warm: (server: Server) => Promise<void>,
  work: (server: Server) => Promise<number>,
  top = 12,
): Promise<ProfileSummary> {
  const directory = mkdtempSync(join(tmpdir(), 'ep-cart-stub-profile-'));
  try {
    const server = await start(['--cpu-prof', '--cpu-prof-dir', directory]);
    let from: number;
    let to: number;
    let requests: number;
    try {
      await warm(server);
      from = microseconds();
      requests = await work(server);
      to = microseconds();
    } finally {
      await server.stop('SIGTERM');
    }
    const files = readdirSync(directory).filter((name) => name.endsWith('.cpuprofile'));
    if (files.length !== 1) throw new Error(`expected one CPU profile in ${directory}, found ${files.length}`);
    return { ...summarize(JSON.parse(readFileSync(join(directory, files[0]!), 'utf8')) as CpuProfile, from, to, top), requests };
  } finally {
    if (process.env.BENCH_KEEP_PROFILE) console.error(`[bench] the CPU profile is kept in ${directory}`);
    else rmSync(directory, { recursive: true, force: true });
  }
}

function microseconds(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

function summarize(cpu: CpuProfile, from: number, to: number, top: number): Omit<ProfileSummary, 'requests'> {
  const nodes = new Map(cpu.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of cpu.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  const byCaller = new Map<string, number>();
  const add = (counts: Map<string, number>, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  let busy = 0;
  let busyMicros = 0;
  let at = cpu.startTime;
  for (let i = 0; i < cpu.samples.length; i++) {
    const delta = cpu.timeDeltas[i] ?? 0;
    at += delta;
    if (at < from || at > to) continue;
    const frame = nodes.get(cpu.samples[i]!)!.callFrame;
    if (frame.functionName === '(idle)') continue;
    busy += 1;
    busyMicros += delta;
    const where = whereOf(frame);
    add(byFunction, nameOf(frame));
    add(byPackage, where);
    let caller = where;
    for (let id = parents.get(cpu.samples[i]!); RUNTIME.has(caller) && id !== undefined; id = parents.get(id)) {
      caller = whereOf(nodes.get(id)!.callFrame);
    }
    add(byCaller, RUNTIME.has(caller) ? where : caller);
  }
  const ranked = (counts: Map<string, number>) =>
    [...counts].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, count]) => ({ name, share: count / busy }));
  return {
    samples: busy,
    busyMs: busyMicros / 1000,
    functions: ranked(byFunction),
    packages: ranked(byPackage),
    callers: ranked(byCaller),
  };
}

/** Code that runs on behalf of a caller: charged to that caller in the `callers` view. */
const RUNTIME = new Set(['node internals', 'V8 builtins and native code', '(root)', '(program)']);

function nameOf(frame: CpuProfileNode['callFrame']): string {
  const { functionName, url, lineNumber } = frame;
  return url ? `${functionName || '(anonymous)'} (${whereOf(frame)}:${lineNumber + 1})` : functionName || '(native)';
}

/**
 * A package (`fastify`, `@fastify/cors`), the stub's own compiled file, Node's internals, V8 itself, or code
 * generated at run time (Ajv's validators, fast-json-stringify's serializers: a script with no URL).
 */
function whereOf({ url, functionName, scriptId }: CpuProfileNode['callFrame']): string {
  if (!url) {
    if (functionName.startsWith('(')) return functionName;
    return scriptId === '0' ? 'V8 builtins and native code' : 'generated (Ajv validators, fast-json-stringify)';
  }
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (inPackage) return inPackage[1]!;
  if (url.startsWith('node:')) return 'node internals';
  // The compiled file, so that the line numbers are right (its source is the same path under src/, in .ts).
  const inStub = /\/(dist\/.+\.c?js)$/.exec(url);
  if (inStub) return inStub[1]!;
  return url.replace(/^file:\/\//, '');
}

/**
 * The summary as Markdown: the top functions by self time, then the same samples by package or file, each
 * as a share and as microseconds per request (under the profiler, which slows everything a little).
 */
export function renderProfile(summary: ProfileSummary): string {
  const perRequest = (summary.busyMs * 1000) / summary.requests;
  const cells = (share: number) => `${(share * 100).toFixed(1)}% | ${(share * perRequest).toFixed(1)}`;
  return [
    `${summary.requests} requests, ${summary.samples} busy samples: ${perRequest.toFixed(1)} µs of CPU per request ` +
      `(under the profiler). Self time: the function the CPU was in, not its callers; a Fastify hook that calls ` +
      `\`done()\` runs the rest of the request inside itself, so total times would mislead.`,
    '',
    '| function (self time) | share | µs/req |',
    '|---|--:|--:|',
    ...summary.functions.map((cost) => `| ${cost.name.replaceAll('|', '\\|')} | ${cells(cost.share)} |`),
    '',
    '| package or file (self time) | share | µs/req |',
    '|---|--:|--:|',
    ...summary.packages.map((cost) => `| ${cost.name} | ${cells(cost.share)} |`),
    '',
    '| package or file, with the Node and V8 work it asked for | share | µs/req |',
    '|---|--:|--:|',
    ...summary.callers.map((cost) => `| ${cost.name} | ${cells(cost.share)} |`),
  ].join('\n');
}
