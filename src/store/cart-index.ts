import { StubError } from '../domain/errors.js';
import type { Cart, Owner } from '../domain/model.js';
import { RecencyList } from './recency-list.js';
import type { CartWriter, PageQuery } from './store.js';

/** Carts by id, with every cart and each owner's carts kept newest `updated_at` first. */
export class CartIndex implements CartWriter {
  /** Every cart, by id and by recency at once. */
  private readonly all = new RecencyList<Cart>();
  /** Each owner's carts, by kind, then by the owner's id (the directory's own string, whose hash V8 keeps). */
  private readonly byOwner: Record<Owner['kind'], Map<string, RecencyList>> = { account: new Map(), customer: new Map() };

  /** `capacity` caps the carts (sandbox mode); the seed's own carts always fit. */
  constructor(carts: readonly Cart[] = [], private readonly capacity = Number.POSITIVE_INFINITY) {
    // RFC 3339 UTC strings sort by time as plain strings; localeCompare would also load ICU's collator at start.
    const byUpdate = (a: Cart, b: Cart) => (a.updated_at < b.updated_at ? -1 : a.updated_at > b.updated_at ? 1 : 0);
    for (const cart of [...carts].sort(byUpdate)) this.write(cart);
  }

  cart(id: string): Cart | undefined {
    return this.all.get(id);
  }

  carts(): IterableIterator<Cart> {
    return this.all.values();
  }

  put(cart: Cart): void {
    if (this.all.size >= this.capacity && this.all.get(cart.id) === undefined) {
      throw new StubError('CartLimitReached', {
        detail: `This sandbox holds its maximum of ${this.capacity} carts; delete one before creating another`,
      });
    }
    this.write(cart);
  }

  /** Every write stamps `updated_at` with the stub's monotonic clock, so the written cart is the newest. */
  private write(cart: Cart): void {
    const previous = this.all.touch(cart.id, cart);
    // The owners' lists, walked without building Owner objects: this runs on every write, so it is the association benchmark's hot path.
    if (previous) {
      for (const id of previous.account_ids) if (!cart.account_ids.includes(id)) this.unlist('account', id, cart.id);
      for (const id of previous.customer_ids) if (!cart.customer_ids.includes(id)) this.unlist('customer', id, cart.id);
    }
    for (const id of cart.account_ids) this.listOf('account', id).touch(cart.id, undefined);
    for (const id of cart.customer_ids) this.listOf('customer', id).touch(cart.id, undefined);
  }

  remove(id: string): void {
    const cart = this.all.get(id);
    if (!cart) return;
    this.all.remove(id);
    for (const account of cart.account_ids) this.unlist('account', account, id);
    for (const customer of cart.customer_ids) this.unlist('customer', customer, id);
  }

  page({ owner, offset, limit, updatedAfter, matches }: PageQuery): { carts: Cart[]; total: number } {
    const list = owner ? this.byOwner[owner.kind].get(owner.id) : this.all;
    if (!list) return { carts: [], total: 0 };
    if (matches) return this.filteredPage(list, { offset, limit, updatedAfter, matches });
    const isLive = (id: string) => this.all.get(id)!.updated_at > updatedAfter;
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
      else carts.push(this.all.get(id)!);
    }
    return { carts, total: list.size - expired };
  }

  /** A filter must see every live cart of the list to count them: a walk of the whole list, newest first. */
  private filteredPage(list: RecencyList<unknown>, { offset, limit, updatedAfter, matches }: Required<Omit<PageQuery, 'owner'>>): { carts: Cart[]; total: number } {
    const carts: Cart[] = [];
    let total = 0;
    for (const id of list.fromNewest()) {
      const cart = this.all.get(id)!;
      if (cart.updated_at <= updatedAfter) break;
      if (!matches(cart)) continue;
      if (total >= offset && carts.length < limit) carts.push(cart);
      total += 1;
    }
    return { carts, total };
  }

  private listOf(kind: Owner['kind'], owner: string): RecencyList {
    let list = this.byOwner[kind].get(owner);
    if (!list) this.byOwner[kind].set(owner, (list = new RecencyList()));
    return list;
  }

  private unlist(kind: Owner['kind'], owner: string, id: string): void {
    const list = this.byOwner[kind].get(owner);
    list?.remove(id);
    if (list?.size === 0) this.byOwner[kind].delete(owner);
  }
}
