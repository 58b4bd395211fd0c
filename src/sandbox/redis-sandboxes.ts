/**
 * Sandbox mode on the Redis store: each visitor's sandbox is a state of its own on the server, under its own
 * keys, which expire once it is idle, so that every instance serves every sandbox and the caps count across
 * instances. An instance keeps a copy of the sandboxes it served lately, caught up on every request.
 */
import type { StubClock } from '../clock.js';
import type { RedisStore } from '../store/redis-store.js';
import type { Store } from '../store/store.js';
import { sandboxData, type SandboxLimits, type Sandboxes } from './sandboxes.js';

export class RedisSandboxes implements Sandboxes {
  readonly isolated = true;
  /** This instance's copies, in order of last use, oldest first. */
  private readonly copies = new Map<string, { store: RedisStore; lastUsedAt: number }>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly seed: RedisStore,
    private readonly clock: StubClock,
    private readonly limits: SandboxLimits,
  ) {
    // The server forgets an idle sandbox by itself (its keys expire); this only frees the copy here.
    this.sweeper = setInterval(() => this.forgetIdle(), Math.min(limits.idleMs, 60_000)).unref();
  }

  storeFor(clientId: string | undefined): Store {
    return clientId === undefined ? this.seed : this.copyOf(clientId);
  }

  /**
   * Catches the sandbox of a request's bearer up before its token is checked (`admits`), without making one:
   * a token of an evicted sandbox is refused, it does not bring the sandbox back.
   */
  refresh(clientId: string | undefined): Promise<void> {
    return clientId === undefined ? this.seed.refresh() : this.copyOf(clientId).refreshIfPresent();
  }

  admits(clientId: string, issuedAt: number): boolean {
    const createdAt = this.copies.get(clientId)?.store.createdAt;
    return createdAt !== undefined && issuedAt >= Math.floor(createdAt / 1000);
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const { store } of this.copies.values()) void store.close();
    this.copies.clear();
  }

  private copyOf(clientId: string): RedisStore {
    const now = Date.now();
    const copy = this.copies.get(clientId) ?? {
      store: this.seed.sandbox({
        clientId,
        idleMs: this.limits.idleMs,
        maxSandboxes: this.limits.maxSandboxes,
        maxCarts: this.limits.maxCartsPerSandbox,
        fresh: () => sandboxData(this.seed.snapshot(), clientId, this.clock.iso()),
      }),
      lastUsedAt: now,
    };
    copy.lastUsedAt = now;
    this.copies.delete(clientId);
    this.copies.set(clientId, copy);
    return copy.store;
  }

  private forgetIdle(): void {
    const idleBefore = Date.now() - this.limits.idleMs;
    for (const [clientId, copy] of this.copies) {
      if (copy.lastUsedAt > idleBefore) break;
      this.copies.delete(clientId);
      void copy.store.close();
    }
  }
}
