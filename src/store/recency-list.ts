export interface RecencyNode<V> {
  key: string;
  value: V;
  newer: RecencyNode<V> | undefined;
  older: RecencyNode<V> | undefined;
  /** The node's links in the one Thread it may also be in (e.g. its account's carts); unused otherwise. */
  threadNewer: RecencyNode<V> | undefined;
  threadOlder: RecencyNode<V> | undefined;
}

/** What a listing walks: a RecencyList, or a Thread through one. */
export interface RecencyOrder<V> {
  readonly size: number;
  fromNewest(): Generator<RecencyNode<V>>;
  fromOldest(): Generator<RecencyNode<V>>;
}

/**
 * Keys, each with a value, ordered by their last touch, newest first. Touch, get and remove are O(1), and
 * reading a page walks only the keys before it, so listing costs what the page asks for, not what the list
 * holds. The value lives in the list's own node, so a list by id needs no second map beside it.
 */
export class RecencyList<V> implements RecencyOrder<V> {
  private readonly nodes = new Map<string, RecencyNode<V>>();
  private newest: RecencyNode<V> | undefined;
  private oldest: RecencyNode<V> | undefined;

  get size(): number {
    return this.nodes.size;
  }

  /** The node touched last: after `touch(key, …)`, the node of `key`, with no second lookup. */
  get newestNode(): RecencyNode<V> | undefined {
    return this.newest;
  }

  get(key: string): V | undefined {
    return this.nodes.get(key)?.value;
  }

  node(key: string): RecencyNode<V> | undefined {
    return this.nodes.get(key);
  }

  /** Makes `key` the newest, with `value`; returns the value it had, if any (one lookup for both). */
  touch(key: string, value: V): V | undefined {
    let node = this.nodes.get(key);
    const previous = node?.value;
    if (node) {
      node.value = value;
      this.unlink(node);
    } else {
      node = { key, value, newer: undefined, older: undefined, threadNewer: undefined, threadOlder: undefined };
      this.nodes.set(key, node);
    }
    node.older = this.newest;
    if (this.newest) this.newest.newer = node;
    this.newest = node;
    this.oldest ??= node;
    return previous;
  }

  remove(key: string): void {
    const node = this.nodes.get(key);
    if (!node) return;
    this.unlink(node);
    this.nodes.delete(key);
  }

  *values(): Generator<V> {
    for (const node of this.nodes.values()) yield node.value;
  }

  *fromNewest(): Generator<RecencyNode<V>> {
    for (let node = this.newest; node; node = node.older) yield node;
  }

  *fromOldest(): Generator<RecencyNode<V>> {
    for (let node = this.oldest; node; node = node.newer) yield node;
  }

  private unlink(node: RecencyNode<V>): void {
    if (node.newer) node.newer.older = node.older;
    else this.newest = node.older;
    if (node.older) node.older.newer = node.newer;
    else this.oldest = node.newer;
    node.newer = undefined;
    node.older = undefined;
  }
}

/**
 * Some of a RecencyList's nodes in an order of their own, newest touch first, threaded through the nodes
 * themselves (`threadNewer`, `threadOlder`): it needs no map and no node of its own, only that a node be in
 * one thread at most. A cart has at most one account (BEHAVIOR.md row 14), so each account's carts are a
 * thread through the list of every cart: about 90 bytes a cart and a map insertion on every first
 * association fewer than a list of its own (`npm run bench`, "Where a first association spends its time").
 */
export class Thread<V> implements RecencyOrder<V> {
  private newest: RecencyNode<V> | undefined;
  private oldest: RecencyNode<V> | undefined;
  size = 0;

  /** Makes `node` the thread's newest, adding it if it is not in the thread. It must be in no other thread. */
  touch(node: RecencyNode<V>): void {
    if (this.has(node)) this.unlink(node);
    else this.size += 1;
    node.threadOlder = this.newest;
    if (this.newest) this.newest.threadNewer = node;
    this.newest = node;
    this.oldest ??= node;
  }

  remove(node: RecencyNode<V>): void {
    if (!this.has(node)) return;
    this.unlink(node);
    this.size -= 1;
  }

  *fromNewest(): Generator<RecencyNode<V>> {
    for (let node = this.newest; node; node = node.threadOlder) yield node;
  }

  *fromOldest(): Generator<RecencyNode<V>> {
    for (let node = this.oldest; node; node = node.threadNewer) yield node;
  }

  /** Linked to a neighbour, or this thread's only node: a node in no other thread is then in this one. */
  private has(node: RecencyNode<V>): boolean {
    return node.threadNewer !== undefined || node.threadOlder !== undefined || this.newest === node;
  }

  private unlink(node: RecencyNode<V>): void {
    if (node.threadNewer) node.threadNewer.threadOlder = node.threadOlder;
    else this.newest = node.threadOlder;
    if (node.threadOlder) node.threadOlder.threadNewer = node.threadNewer;
    else this.oldest = node.threadNewer;
    node.threadNewer = undefined;
    node.threadOlder = undefined;
  }
}
