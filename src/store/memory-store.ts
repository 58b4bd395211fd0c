import { randomBytes } from 'node:crypto';
import type { StubData } from '../domain/model.js';
import { CartIndex } from './cart-index.js';
import { Directory } from './directory.js';
import type { CartWriter, PageQuery, Store, StoreReadiness } from './store.js';

/** The default store: everything in memory, every change durable as soon as it is made. */
export class MemoryStore implements Store {
  private index: CartIndex;
  directory: Directory;
  /** Memory ends with the process, and so may the tokens it signed. */
  readonly tokenSecret: string;

  /** `maxCarts` caps how many carts the store holds (sandbox mode); unlimited by default. */
  constructor(data: StubData, private readonly limits: { maxCarts?: number; tokenSecret?: string } = {}) {
    this.tokenSecret = limits.tokenSecret ?? randomBytes(32).toString('hex');
    this.directory = new Directory(data);
    this.index = new CartIndex(data.carts, limits.maxCarts);
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
    this.index = new CartIndex(data.carts, this.limits.maxCarts);
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
