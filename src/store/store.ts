import type { Cart, Owner, StubData } from '../domain/model.js';
import type { Directory } from './directory.js';

export interface PageQuery {
  /** Whose carts; undefined for every cart. */
  owner: Owner | undefined;
  offset: number;
  limit: number;
  /** Carts updated at or before this instant have expired and are left out. */
  updatedAfter: string;
  /** Only the carts this holds for (a `filter`); every cart by default. */
  matches?: (cart: Cart) => boolean;
}

export interface CartWriter {
  cart(id: string): Cart | undefined;
  put(cart: Cart): void;
  remove(id: string): void;
}

/** Whether a store can take changes now; `detail` says why not (GET /readyz answers it). */
export type StoreReadiness = { ready: true } | { ready: false; detail: string };

/**
 * Where the stub's state lives. Reads are synchronous. `change` runs its mutation synchronously, so a
 * rule's read-decide-write is atomic on Node's one thread, and settles (resolves, or rejects with the
 * mutation's error) once the change and every change it could have seen are durable.
 */
export interface Store {
  readonly directory: Directory;
  /**
   * The key tokens are signed with, unless the stub is given one: kept with the state where the state outlives
   * the process (the data file), so that tokens issued before a restart are still accepted after it.
   */
  readonly tokenSecret: string;
  /**
   * Brings the reads up to every change acknowledged so far, by this instance or another sharing the state
   * (the Redis store); before a request that needs state, the router awaits it. Absent where only this
   * instance changes the state.
   */
  refresh?(): Promise<void>;
  cart(id: string): Cart | undefined;
  page(query: PageQuery): { carts: Cart[]; total: number };
  change<T>(mutation: (carts: CartWriter) => T): Promise<T>;
  /** Resolves once every change made so far is durable: no answer may show state a crash could still lose. */
  settled(): Promise<void>;
  snapshot(): StubData;
  replace(data: StubData): Promise<void>;
  readiness(): StoreReadiness;
  /** Flushes pending changes and releases the store; the stub's `close()` calls it. */
  close(): Promise<void>;
}
