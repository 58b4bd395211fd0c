import { StubError } from '../domain/errors.js';
import type { Cart, Owner } from '../domain/model.js';
import { RecencyList, Thread, type RecencyNode, type RecencyOrder } from './recency-list.js';
import type { CartWriter, PageQuery } from './store.js';

/**
 * One frozen empty value for every cart that has none, instead of an array or object of its own: about
 * 120 bytes a cart, a quarter of what a cart nobody owns costs (`npm run bench`, "a cart costs"). Frozen,
 * so that code changing one in place would throw rather than change every cart.
 */
const NO_IDS = Object.freeze([]) as readonly string[] as string[];
const NO_DISCOUNT_SETTINGS: Cart['discount_settings'] = Object.freeze({});

/** Carts by id, with every cart and each owner's carts kept newest `updated_at` first. */
export class CartIndex implements CartWriter {
  /** Every cart, by id and by recency at once. */
  private readonly all = new RecencyList<Cart>();
  /** Each account's carts: a thread through `all` (a cart has one account at most, BEHAVIOR.md row 14). */
  private readonly accounts = new Map<string, Thread<Cart>>();
  /** Each customer's carts (a cart may have several), by the customer's id. Their nodes hold the cart too. */
  private readonly customers = new Map<string, RecencyList<Cart>>();
  /**
   * One frozen array for every cart of the same one owner, as NO_IDS is for carts with none: `account_ids`
   * holds one id at most, and `customer_ids` nearly always one. An array of its own cost a cart 56 bytes, a
   * sixth of an associated cart (`npm run bench`, "a cart costs"). One entry for each owner this index ever
   * wrote a cart of; a new index (reset, a new state) starts an empty one.
   */
  private readonly singleIds = new Map<string, string[]>();

  /** `capacity` caps the carts (sandbox mode); the seed's own carts always fit. */
  constructor(carts: readonly Cart[] = [], private readonly capacity = Number.POSITIVE_INFINITY) {
    // RFC 3339 UTC strings sort by time as plain strings; localeCompare would also load ICU's collator at start.
    const byUpdate = (a: Cart, b: Cart) => (a.updated_at < b.updated_at ? -1 : a.updated_at > b.updated_at ? 1 : 0);
    for (const cart of [...carts].sort(byUpdate)) this.write(cart);
  }

  cart(id: string): Cart | undefined {
    return this.all.get(id);
  }

  get size(): number {
    return this.all.size;
  }

  carts(): IterableIterator<Cart> {
    return this.all.values();
  }

  put(cart: Cart): void {
    if (this.all.size >= this.capacity && this.all.get(cart.id) === undefined) throw cartLimitReached(this.capacity);
    this.write(cart);
  }

  /**
   * Every write stamps `updated_at` with the stub's monotonic clock, so the written cart is the newest of
   * every list it is in. This runs on every write: it is the first association's hot path in the benchmark.
   */
  private write(given: Cart): void {
    const cart = this.compact(given);
    const account = cart.account_ids[0];
    if (cart.account_ids.length > 1) throw new Error(`cart ${cart.id} has ${cart.account_ids.length} accounts; a cart has one at most (BEHAVIOR.md row 14)`);
    const previous = this.all.touch(cart.id, cart);
    const node = this.all.newestNode!;
    const before = previous?.account_ids[0];
    if (before !== undefined && before !== account) this.leaveAccount(before, node);
    if (account !== undefined) this.threadOf(account).touch(node);
    if (previous) for (const id of previous.customer_ids) if (!cart.customer_ids.includes(id)) this.leaveCustomer(id, cart.id);
    for (const id of cart.customer_ids) this.listOf(id).touch(cart.id, cart);
  }

  remove(id: string): void {
    const node = this.all.node(id);
    if (!node) return;
    const account = node.value.account_ids[0];
    if (account !== undefined) this.leaveAccount(account, node);
    for (const customer of node.value.customer_ids) this.leaveCustomer(customer, id);
    this.all.remove(id);
  }

  page({ owner, offset, limit, updatedAfter, matches }: PageQuery): { carts: Cart[]; total: number } {
    const list: RecencyOrder<Cart> | undefined =
      owner === undefined ? this.all : owner.kind === 'account' ? this.accounts.get(owner.id) : this.customers.get(owner.id);
    if (!list) return { carts: [], total: 0 };
    if (matches) return filteredPage(list, { offset, limit, updatedAfter, matches });
    const isLive = (node: RecencyNode<Cart>) => node.value.updated_at > updatedAfter;
    let expired = 0;
    for (const node of list.fromOldest()) {
      if (isLive(node)) break;
      expired += 1;
    }
    const carts: Cart[] = [];
    let skipped = 0;
    for (const node of list.fromNewest()) {
      if (carts.length === limit || !isLive(node)) break;
      if (skipped < offset) skipped += 1;
      else carts.push(node.value);
    }
    return { carts, total: list.size - expired };
  }

  /** The cart with the shared values where it has nothing, or one owner: the same object when it already has them. */
  private compact(cart: Cart): Cart {
    const accountIds = this.shared(cart.account_ids);
    const customerIds = this.shared(cart.customer_ids);
    const discountSettings = isEmpty(cart.discount_settings) ? NO_DISCOUNT_SETTINGS : cart.discount_settings;
    if (accountIds === cart.account_ids && customerIds === cart.customer_ids && discountSettings === cart.discount_settings) return cart;
    return { ...cart, account_ids: accountIds, customer_ids: customerIds, discount_settings: discountSettings };
  }

  private shared(ids: string[]): string[] {
    if (ids.length === 0) return NO_IDS;
    if (ids.length > 1) return ids;
    const id = ids[0]!;
    let single = this.singleIds.get(id);
    if (single === undefined) this.singleIds.set(id, (single = Object.freeze([id]) as readonly string[] as string[]));
    return single;
  }

  private threadOf(account: string): Thread<Cart> {
    let thread = this.accounts.get(account);
    if (!thread) this.accounts.set(account, (thread = new Thread()));
    return thread;
  }

  private leaveAccount(account: string, node: RecencyNode<Cart>): void {
    const thread = this.accounts.get(account);
    thread?.remove(node);
    if (thread?.size === 0) this.accounts.delete(account);
  }

  private listOf(customer: Owner['id']): RecencyList<Cart> {
    let list = this.customers.get(customer);
    if (!list) this.customers.set(customer, (list = new RecencyList()));
    return list;
  }

  private leaveCustomer(customer: string, id: string): void {
    const list = this.customers.get(customer);
    list?.remove(id);
    if (list?.size === 0) this.customers.delete(customer);
  }
}

/** What a sandbox at its cap of carts answers a put of one more. */
export function cartLimitReached(capacity: number): StubError {
  return new StubError('CartLimitReached', { detail: `This sandbox holds its maximum of ${capacity} carts; delete one before creating another` });
}

/** A filter must see every live cart of the list to count them: a walk of the whole list, newest first. */
function filteredPage(list: RecencyOrder<Cart>, { offset, limit, updatedAfter, matches }: Required<Omit<PageQuery, 'owner'>>): { carts: Cart[]; total: number } {
  const carts: Cart[] = [];
  let total = 0;
  for (const { value: cart } of list.fromNewest()) {
    if (cart.updated_at <= updatedAfter) break;
    if (!matches(cart)) continue;
    if (total >= offset && carts.length < limit) carts.push(cart);
    total += 1;
  }
  return { carts, total };
}

function isEmpty(value: object): boolean {
  if (value === NO_DISCOUNT_SETTINGS) return true;
  for (const _ in value) return false;
  return true;
}
