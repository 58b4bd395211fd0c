interface Node<V> {
  key: string;
  value: V;
  newer: Node<V> | undefined;
  older: Node<V> | undefined;
}

/**
 * Keys, each with a value, ordered by their last touch, newest first. Touch, get and remove are O(1), and
 * reading a page walks only the keys before it, so listing costs what the page asks for, not what the list
 * holds. The value lives in the list's own node, so a list by id needs no second map beside it.
 */
export class RecencyList<V = undefined> {
  private readonly nodes = new Map<string, Node<V>>();
  private newest: Node<V> | undefined;
  private oldest: Node<V> | undefined;

  get size(): number {
    return this.nodes.size;
  }

  get(key: string): V | undefined {
    return this.nodes.get(key)?.value;
  }

  /** Makes `key` the newest, with `value`; returns the value it had, if any (one lookup for both). */
  touch(key: string, value: V): V | undefined {
    let node = this.nodes.get(key);
    const previous = node?.value;
    if (node) {
      node.value = value;
      this.unlink(node);
    } else {
      this.nodes.set(key, (node = { key, value, newer: undefined, older: undefined }));
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

  *fromNewest(): Generator<string> {
    for (let node = this.newest; node; node = node.older) yield node.key;
  }

  *fromOldest(): Generator<string> {
    for (let node = this.oldest; node; node = node.newer) yield node.key;
  }

  private unlink(node: Node<V>): void {
    if (node.newer) node.newer.older = node.older;
    else this.newest = node.older;
    if (node.older) node.older.newer = node.newer;
    else this.oldest = node.newer;
    node.newer = undefined;
    node.older = undefined;
  }
}
