import { randomBytes } from 'node:crypto';
import type { StubData } from '../domain/model.js';
import { CartIndex } from './cart-index.js';
import { Directory } from './directory.js';
import type { CartWriter, PageQuery, Store, StoreReadiness } from './store.js';

/** The default store: everything in memory, every change durable as soon as it is made. */
export class MemoryStore implements Store {
  private index: CartIndex;
  directory: Directory;
  private secret: string | undefined;

  /**
   * `maxCarts` caps how many carts the store holds (sandbox mode); unlimited by default. `tokenSecret` is the
   * key a data file kept; without it the key is made when first asked for (a sandbox's store never is).
   */
  constructor(data: StubData, private readonly options: { maxCarts?: number; tokenSecret?: string } = {}) {
    this.secret = options.tokenSecret;
    this.directory = new Directory(data);
    this.index = new CartIndex(data.carts, options.maxCarts);
  }

  /** Memory ends with the process, and so may the tokens signed with this key. */
  get tokenSecret(): string {
    return (this.secret ??= randomBytes(32).toString('hex'));
  }

  get size(): number {
    return this.index.size;
  }

  cart(id: string) {
    return this.index.cart(id);
  }

  page(query: PageQuery) {
    return this.index.page(query);
  }

  change<T>(mutation: (carts: CartWriter) => T): Promise<T> {
    try {
      return Promise.resolve(mutation(this.index));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  settled(): Promise<void> {
    return Promise.resolve();
  }

  snapshot(): StubData {
    return { ...this.directory.data, carts: [...this.index.carts()] };
  }

  replace(data: StubData): Promise<void> {
    this.directory = new Directory(data);
    this.index = new CartIndex(data.carts, this.options.maxCarts);
    return Promise.resolve();
  }

  /** Loaded by construction, and memory always takes a change. */
  readiness(): StoreReadiness {
    return { ready: true };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
