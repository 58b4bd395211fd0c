/**
 * Debian's redis-server, for the tests of the Redis store: on a free port, in a folder of its own, stopped by
 * its pid. A real server, never a mock of one: what the store relies on (scripts, transactions, a connection
 * that drops) is the server's behaviour.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunningProcess, freePort } from './processes.js';

/** An append-only file synced before each write is answered: nothing acknowledged is lost to a kill -9 of the server. */
export const SYNCED_APPEND_ONLY = ['--appendonly', 'yes', '--appendfsync', 'always', '--save', ''];

export interface RedisServerOptions {
  /** Flags of the server's persistence; none by default (`--appendonly no --save ""`). */
  persistence?: readonly string[];
}

export class RedisServer {
  private process: RunningProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly options: RedisServerOptions,
  ) {}

  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), mkdtempSync(join(tmpdir(), 'ep-cart-stub-redis-')), options);
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  /** Starts the server again, on the same port and folder (and so the same append-only file). */
  async restart(): Promise<void> {
    const persistence = this.options.persistence ?? ['--appendonly', 'no', '--save', ''];
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, ...persistence];
    this.process = new RunningProcess('redis-server', args, { cwd: this.dir });
    await this.process.waitFor(/Ready to accept connections/);
  }

  /** Kills the server without a chance to save: a crash. */
  async kill(): Promise<void> {
    await this.process?.stop();
    this.process = undefined;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
