/**
 * Where a request's state lives. Outside sandbox mode every client shares one store. In sandbox mode (a
 * public "try it" deployment) each client id names a sandbox of its own: a fresh copy of the seed data,
 * evicted once it has been idle for a while, so that one visitor can neither see nor spoil another's state.
 */
import type { StubClock } from '../clock.js';
import { StubError } from '../domain/errors.js';
import type { StubData } from '../domain/model.js';
import { MemoryStore } from '../store/memory-store.js';
import type { Store } from '../store/store.js';

export interface SandboxLimits {
  /** A sandbox nobody has used for this long is evicted, its carts and tokens with it. */
  idleMs: number;
  maxSandboxes: number;
  /** The seed's carts count too. */
  maxCartsPerSandbox: number;
  /** Requests per minute from one IP address. */
  rateLimitPerMinute: number;
}

export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = {
  idleMs: 30 * 60 * 1000,
  maxSandboxes: 1000,
  maxCartsPerSandbox: 100,
  rateLimitPerMinute: 300,
};

export interface Sandboxes {
  /** False when every client shares one store. */
  readonly isolated: boolean;
  /**
   * The store of the sandbox this client id names; a sandbox is created on first use. A request that names
   * no client (none of Elastic Path's operations) works on the seed every sandbox starts as a copy of.
   */
  storeFor(clientId: string | undefined): Store;
  /** Whether a token issued to this client at `issuedAt` (epoch s) belongs to a sandbox that still exists. */
  admits(clientId: string, issuedAt: number): boolean;
  /**
   * Where sandboxes live on a shared server (the Redis store): catches up the sandbox of this client (the
   * request's bearer's) before its token is checked, making none.
   */
  refresh?(clientId: string | undefined): Promise<void>;
  close(): void;
}

/** Outside sandbox mode: one store for every client, and every token is at home in it. */
export function sharedStore(store: Store): Sandboxes {
  return { isolated: false, storeFor: () => store, admits: () => true, close: () => undefined };
}

interface Sandbox {
  store: MemoryStore;
  /** Epoch ms, by the stub's clock. */
  createdAt: number;
  lastUsedAt: number;
}

/** Sandbox mode: one sandbox per client id, seeded from `seed`'s data. */
export class ClientSandboxes implements Sandboxes {
  readonly isolated = true;
  /** Kept in order of last use, oldest first, so eviction stops at the first sandbox still in use. */
  private readonly sandboxes = new Map<string, Sandbox>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly seed: Store,
    private readonly clock: StubClock,
    private readonly limits: SandboxLimits,
  ) {
    // Idle sandboxes are also evicted on access; the sweep frees their memory when no request comes.
    this.sweeper = setInterval(() => this.evictIdle(), Math.min(limits.idleMs, 60_000)).unref();
  }

  get size(): number {
    return this.sandboxes.size;
  }

  storeFor(clientId: string | undefined): Store {
    if (clientId === undefined) return this.seed;
    this.evictIdle();
    const sandbox = this.sandboxes.get(clientId) ?? this.create(clientId);
    sandbox.lastUsedAt = this.clock.now();
    this.sandboxes.delete(clientId);
    this.sandboxes.set(clientId, sandbox);
    return sandbox.store;
  }

  /** A token outlives its sandbox only in its `exp`: once the sandbox is evicted, the token is refused. */
  admits(clientId: string, issuedAt: number): boolean {
    this.evictIdle();
    const sandbox = this.sandboxes.get(clientId);
    return sandbox !== undefined && issuedAt >= Math.floor(sandbox.createdAt / 1000);
  }

  evictIdle(): void {
    const idleBefore = this.clock.now() - this.limits.idleMs;
    for (const [clientId, sandbox] of this.sandboxes) {
      if (sandbox.lastUsedAt > idleBefore) break;
      this.sandboxes.delete(clientId);
    }
  }

  close(): void {
    clearInterval(this.sweeper);
    this.sandboxes.clear();
  }

  private create(clientId: string): Sandbox {
    if (this.sandboxes.size >= this.limits.maxSandboxes) throw sandboxLimitReached(this.limits.maxSandboxes, this.limits.idleMs);
    const now = this.clock.now();
    const data = sandboxData(this.seed.snapshot(), clientId, new Date(now).toISOString());
    return { store: new MemoryStore(data, { maxCarts: this.limits.maxCartsPerSandbox }), createdAt: now, lastUsedAt: now };
  }
}

/** What a request that would make one more sandbox than the cap is answered. */
export function sandboxLimitReached(maxSandboxes: number, idleMs: number): StubError {
  return new StubError('SandboxLimitReached', {
    detail: `The stub holds its maximum of ${maxSandboxes} sandboxes; one is evicted after ${Math.ceil(idleMs / 60_000)} minutes idle, try again then`,
  });
}

/**
 * A deep copy of the seed, its carts as new as the sandbox (else a stub running for a week would hand out
 * expired demo carts). A client id the seed does not know is a visitor's: it gets a client of its own that
 * may obtain implicit tokens, and client_credentials ones with the seed's confidential client's secret
 * (the demo back end's), so each visitor can act as administrator of their own sandbox only.
 */
export function sandboxData(seed: StubData, clientId: string, now: string): StubData {
  const data = structuredClone(seed);
  data.carts = data.carts.map((cart) => ({ ...cart, created_at: now, updated_at: now }));
  if (!data.clients.some((client) => client.client_id === clientId)) {
    const secret = data.clients.find((client) => client.client_secret !== undefined)?.client_secret;
    data.clients.push({ client_id: clientId, name: 'Sandbox visitor', ...(secret === undefined ? {} : { client_secret: secret }) });
  }
  return data;
}
