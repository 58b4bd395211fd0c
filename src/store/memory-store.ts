import type { StubData } from '../domain/model.js';
import { CartIndex } from './cart-index.js';
import { Directory } from './directory.js';
import type { CartWriter, PageQuery, Store, StoreReadiness } from './store.js';

/** The default store: everything in memory, every change durable as soon as it is made. */
export class MemoryStore implements Store {
  private index: CartIndex;
  directory: Directory;

  constructor(data: StubData) {
    this.directory = new Directory(data);
    this.index = new CartIndex(data.carts);
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

  snapshot(): StubData {
    return { ...this.directory.data, carts: [...this.index.carts()] };
  }

  replace(data: StubData): Promise<void> {
    this.directory = new Directory(data);
    this.index = new CartIndex(data.carts);
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
