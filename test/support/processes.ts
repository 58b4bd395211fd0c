/** Child processes for the CLI and package tests: each test kills only what it started, by its pid. */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { FLAGS } from '../../src/config.js';

export const REPO_DIR = fileURLToPath(new URL('../../', import.meta.url));

/** This process's environment without the stub's own variables (a CI job may set PORT or LOG_LEVEL). */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const spec of Object.values(FLAGS)) if ('env' in spec && spec.env) delete env[spec.env];
  return { ...env, ...extra };
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export class RunningProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<Finished>;
  private readonly child: ChildProcess;
  private listeners: (() => void)[] = [];

  constructor(command: string, args: readonly string[], options: SpawnOptions) {
    this.child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => this.collect('stdout', chunk));
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => this.collect('stderr', chunk));
    this.exited = new Promise((resolve, reject) => {
      this.child.on('error', reject);
      this.child.on('close', (code, signal) => resolve({ code, signal, stdout: this.stdout, stderr: this.stderr }));
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  private collect(stream: 'stdout' | 'stderr', chunk: string): void {
    this[stream] += chunk;
    for (const listener of this.listeners) listener();
  }

  /** Resolves the first match of `pattern` in stdout, waiting for it to be printed. */
  waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(this.stdout);
        if (!match) return;
        done();
        resolve(match);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${pattern} in ${timeoutMs} ms; stdout: ${this.stdout}; stderr: ${this.stderr}`));
      }, timeoutMs);
      const gone = () => {
        done();
        reject(new Error(`exited before printing ${pattern}; stdout: ${this.stdout}; stderr: ${this.stderr}`));
      };
      const done = () => {
        clearTimeout(timer);
        this.listeners = this.listeners.filter((listener) => listener !== check);
        this.child.off('close', gone);
      };
      this.listeners.push(check);
      this.child.once('close', gone);
      check();
    });
  }

  signal(signal: NodeJS.Signals): void {
    process.kill(this.pid, signal);
  }

  /** For cleanup: ends the process if it still runs. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      process.kill(this.pid, 'SIGKILL');
      await this.exited.catch(() => undefined);
    }
  }
}

/** Runs a command to its end. */
export function run(command: string, args: readonly string[], options: SpawnOptions = {}): Promise<Finished> {
  return new RunningProcess(command, args, options).exited;
}

/** A port nothing listens on now, for a server a test starts with its own flags. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
