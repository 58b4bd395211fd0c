/** Servers under test, each in its own child process: started, measured (peak RSS, cold start) and stopped. */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Server {
  url: string;
  child: ChildProcess;
  /** Peak resident set so far, in bytes, of the process and its descendants (VmHWM). */
  peakRss(): number;
  /** Resident set now, in bytes, of the process and its descendants (VmRSS). */
  rss(): number;
  /** SIGSTOP: a server that waits its turn takes no CPU (no collection, no timer) from the one measured. */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
  /** CPU time used so far (user + system), in milliseconds, by the process and its descendants. */
  cpuTime(): number;
  /** SIGTERM (or `signal`), then waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * On a machine of two cores or more with `taskset` (util-linux), servers run on core 0 and the bench, which
 * is the load generator, on core 1. Unpinned, the scheduler sometimes put both on one core, or moved them
 * between runs, and the same server's req/s went from one run to the next by a factor of two.
 */
export const pinning = availableParallelism() >= 2 && spawnSync('taskset', ['-V']).status === 0;
export const SERVER_CORE = 0;
export const LOAD_CORE = 1;
if (pinning) spawnSync('taskset', ['-p', '-c', String(LOAD_CORE), String(process.pid)], { stdio: 'ignore' });

/**
 * Where the bench's environment sets NODE_EXTRA_CA_CERTS, Node reads and parses that file's certificates at
 * every start, before any JavaScript runs: this machine sets it for its proxy, and it made `node -e ''` take
 * about 100 ms instead of 55. No server here makes a TLS connection, and a developer's shell does not set it,
 * so servers start without it; the report shows what it costs, measured in the same run.
 */
export const MACHINE_CA_CERTS = process.env.NODE_EXTRA_CA_CERTS;
const serverEnvironment = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'NODE_EXTRA_CA_CERTS'));

function spawnServer({ command, args, cwd, env = serverEnvironment }: Command, stdio: SpawnOptions['stdio']): ChildProcess {
  const options = { cwd, stdio, env };
  return pinning ? spawn('taskset', ['-c', String(SERVER_CORE), command, ...args], options) : spawn(command, args, options);
}

/** Moves a running server, every thread of it, to `core` (taskset runs the server in its own process). */
export function moveToCore(server: Server, core: number): void {
  if (pinning) spawnSync('taskset', ['-a', '-p', '-c', String(core), String(server.child.pid)], { stdio: 'ignore' });
}

export interface Command {
  command: string;
  args: string[];
  cwd?: string;
  /** The server's environment: the bench's, less NODE_EXTRA_CA_CERTS, unless given. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Spawns a server and waits until `ready` recognises a line of its output, which gives the URL.
 * A process that exits first, or says nothing recognisable in `timeoutMs`, is an error with its output.
 */
export async function startServer(
  server: Command,
  ready: (line: string) => string | undefined,
  timeoutMs = 120_000,
): Promise<Server> {
  const { command, args } = server;
  const child = spawnServer(server, ['ignore', 'pipe', 'pipe']);
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(`no URL within ${timeoutMs} ms`), timeoutMs);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')}: ${why}\n${output.slice(-2000)}`));
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      for (const line of output.split('\n')) {
        let found: string | undefined;
        try {
          found = ready(line);
        } catch (error) {
          fail((error as Error).message);
          return;
        }
        if (found) {
          clearTimeout(timer);
          resolve(found);
          return;
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => fail(`exited with ${code}`));
  });
  // Keep draining the pipes so a chatty server never blocks on a full pipe.
  child.stdout!.removeAllListeners('data').resume();
  child.stderr!.removeAllListeners('data').resume();
  child.removeAllListeners('exit');
  return serverOf(child, url);
}

function serverOf(child: ChildProcess, url: string): Server {
  return {
    url,
    child,
    peakRss: () => treeMemory(child.pid!, 'VmHWM'),
    rss: () => treeMemory(child.pid!, 'VmRSS'),
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    cpuTime: () => treeCpuTime(child.pid!),
    stop: (signal = 'SIGTERM') => {
      child.kill('SIGCONT'); // a paused server would hold the signal until continued
      return stopProcess(child, signal);
    },
  };
}

/**
 * Spawns a server that prints nothing useful (Prism with `-v silent`) and waits until `probe` gets a 2xx
 * from `url`.
 */
export async function startPolledServer(
  server: Command,
  url: string,
  probe: (url: string) => Promise<boolean>,
  timeoutMs = 120_000,
): Promise<Server> {
  const { command, args } = server;
  const child = spawnServer(server, ['ignore', 'ignore', 'pipe']);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const started = performance.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${command} ${args.join(' ')} exited with ${child.exitCode}\n${stderr}`);
    if (performance.now() - started > timeoutMs) {
      await stopProcess(child, 'SIGKILL');
      throw new Error(`${command} ${args.join(' ')}: no answer within ${timeoutMs} ms\n${stderr}`);
    }
    if (await probe(url).catch(() => false)) break;
    await sleep(50);
  }
  return serverOf(child, url);
}

/** Runs a child to completion and returns its stdout; non-zero exit is an error with its output. */
export async function runToEnd({ command, args, cwd, env = serverEnvironment }: Command): Promise<{ stdout: string; code: number }> {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number>((resolve) => child.once('exit', (exitCode) => resolve(exitCode ?? 1)));
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}\n${stdout}${stderr}`.slice(-4000));
  return { stdout, code };
}

/** The first JSON line with a `url`, as the bench's own servers print it. */
export function jsonUrl(line: string): string | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(line) as { url?: string; error?: string };
    if (parsed.error) throw new Error(parsed.error);
    return parsed.url;
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return address.port;
}

export interface ColdStart {
  /** From spawn to the first 2xx. */
  ms: number;
  /** VmHWM once it has answered, in bytes. */
  peakRss: number;
}

/**
 * Cold start: from spawn to the first 2xx of `probe`, polling every few milliseconds. The process is killed
 * (SIGKILL) once it has answered. `timeoutMs` is for a server that must first load a large data file.
 */
export async function coldStart(
  command: Command,
  port: number,
  probe: (url: string) => Promise<boolean>,
  runs: number,
  timeoutMs = 60_000,
): Promise<ColdStart[]> {
  const starts: ColdStart[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const child = spawnServer(command, 'ignore');
    let exited = false;
    child.once('exit', () => (exited = true));
    const url = `http://127.0.0.1:${port}`;
    for (;;) {
      if (exited) throw new Error(`${command.command} ${command.args.join(' ')} exited before answering`);
      if (performance.now() - started > timeoutMs) {
        await stopProcess(child, 'SIGKILL');
        throw new Error(`${command.command}: no answer within ${timeoutMs / 1000} s`);
      }
      if (await probe(url).catch(() => false)) break;
      await sleep(5);
    }
    const ms = performance.now() - started;
    starts.push({ ms, peakRss: treeMemory(child.pid!, 'VmHWM') });
    await stopProcess(child, 'SIGKILL');
  }
  return starts;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function stopProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timeout = sleep(10_000).then(() => child.kill('SIGKILL'));
  await Promise.race([exited, timeout]);
  await exited;
}

/** VmHWM (peak resident set) or VmRSS (now) of a process and every descendant still alive, in bytes. */
function treeMemory(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  let total = 0;
  for (const id of [pid, ...descendants(pid)]) {
    const status = read(`/proc/${id}/status`);
    const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status ?? '')?.[1];
    total += kb ? Number(kb) * 1024 : 0;
  }
  return total;
}

/** utime + stime of a process and its live descendants, in ms (Linux counts them in 1/100 s ticks). */
function treeCpuTime(pid: number): number {
  let ticks = 0;
  for (const id of [pid, ...descendants(pid)]) {
    // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are 12th and 13th.
    const fields = read(`/proc/${id}/stat`)?.split(') ')[1]?.split(' ');
    ticks += Number(fields?.[11] ?? 0) + Number(fields?.[12] ?? 0);
  }
  return ticks * 10;
}

function descendants(pid: number): number[] {
  const tasks = read(`/proc/${pid}/task/${pid}/children`)?.trim();
  if (!tasks) return [];
  return tasks.split(/\s+/).map(Number).flatMap((child) => [child, ...descendants(child)]);
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
