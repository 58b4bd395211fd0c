interface Node {
  key: string;
  newer: Node | undefined;
  older: Node | undefined;
}

/**
 * Keys ordered by their last touch, newest first. Touch and remove are O(1), and reading a page walks only
 * the keys before it, so listing costs what the page asks for, not what the store holds.
 */
export class RecencyList {
  private readonly nodes = new Map<string, Node>();
  private newest: Node | undefined;
  private oldest: Node | undefined;

  get size(): number {
    return this.nodes.size;
  }

  touch(key: string): void {
    let node = this.nodes.get(key);
    if (node) this.unlink(node);
    else this.nodes.set(key, (node = { key, newer: undefined, older: undefined }));
    node.older = this.newest;
    if (this.newest) this.newest.newer = node;
    this.newest = node;
    this.oldest ??= node;
  }

  remove(key: string): void {
    const node = this.nodes.get(key);
    if (!node) return;
    this.unlink(node);
    this.nodes.delete(key);
  }

  *fromNewest(): Generator<string> {
    for (let node = this.newest; node; node = node.older) yield node.key;
  }

  *fromOldest(): Generator<string> {
    for (let node = this.oldest; node; node = node.newer) yield node.key;
  }

  private unlink(node: Node): void {
    if (node.newer) node.newer.older = node.older;
    else this.newest = node.older;
    if (node.older) node.older.newer = node.newer;
    else this.oldest = node.newer;
    node.newer = undefined;
    node.older = undefined;
  }
}
