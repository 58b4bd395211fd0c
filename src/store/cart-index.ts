import { StubError } from '../domain/errors.js';
import type { Cart, Owner } from '../domain/model.js';
import { ownersOf } from '../domain/model.js';
import { RecencyList } from './recency-list.js';
import type { CartWriter, PageQuery } from './store.js';

const ownerKey = (owner: Owner): string => `${owner.kind}:${owner.id}`;

/** Carts by id, with every cart and each owner's carts kept newest `updated_at` first. */
export class CartIndex implements CartWriter {
  private readonly byId = new Map<string, Cart>();
  private readonly all = new RecencyList();
  private readonly byOwner = new Map<string, RecencyList>();

  /** `capacity` caps the carts (sandbox mode); the seed's own carts always fit. */
  constructor(carts: readonly Cart[] = [], private readonly capacity = Number.POSITIVE_INFINITY) {
    for (const cart of [...carts].sort((a, b) => a.updated_at.localeCompare(b.updated_at))) this.write(cart);
  }

  cart(id: string): Cart | undefined {
    return this.byId.get(id);
  }

  carts(): IterableIterator<Cart> {
    return this.byId.values();
  }

  put(cart: Cart): void {
    if (!this.byId.has(cart.id) && this.byId.size >= this.capacity) {
      throw new StubError('CartLimitReached', {
        detail: `This sandbox holds its maximum of ${this.capacity} carts; delete one before creating another`,
      });
    }
    this.write(cart);
  }

  /** Every write stamps `updated_at` with the stub's monotonic clock, so the written cart is the newest. */
  private write(cart: Cart): void {
    const previous = this.byId.get(cart.id);
    this.byId.set(cart.id, cart);
    this.all.touch(cart.id);
    const owners = ownersOf(cart).map(ownerKey);
    if (previous) {
      for (const key of ownersOf(previous).map(ownerKey)) if (!owners.includes(key)) this.unlist(key, cart.id);
    }
    for (const key of owners) this.listOf(key).touch(cart.id);
  }

  remove(id: string): void {
    const cart = this.byId.get(id);
    if (!cart) return;
    this.byId.delete(id);
    this.all.remove(id);
    for (const owner of ownersOf(cart)) this.unlist(ownerKey(owner), id);
  }

  page({ owner, offset, limit, updatedAfter }: PageQuery): { carts: Cart[]; total: number } {
    const list = owner ? this.byOwner.get(ownerKey(owner)) : this.all;
    if (!list) return { carts: [], total: 0 };
    const isLive = (id: string) => this.byId.get(id)!.updated_at > updatedAfter;
    let expired = 0;
    for (const id of list.fromOldest()) {
      if (isLive(id)) break;
      expired += 1;
    }
    const carts: Cart[] = [];
    let skipped = 0;
    for (const id of list.fromNewest()) {
      if (carts.length === limit || !isLive(id)) break;
      if (skipped < offset) skipped += 1;
      else carts.push(this.byId.get(id)!);
    }
    return { carts, total: list.size - expired };
  }

  private listOf(key: string): RecencyList {
    let list = this.byOwner.get(key);
    if (!list) this.byOwner.set(key, (list = new RecencyList()));
    return list;
  }

  private unlist(key: string, id: string): void {
    const list = this.byOwner.get(key);
    list?.remove(id);
    if (list?.size === 0) this.byOwner.delete(key);
  }
}
