/**
 * Replaces every `$ref` of a document by the value it points to. The stub's document only refers to itself
 * (`#/components/…`), so a JSON-pointer walk is all it takes; loading a general resolver (files, URLs,
 * YAML) cost the cold start more than the walk itself. Siblings of a `$ref` are kept over the target's
 * keys, and a target used twice is one shared object, as json-schema-ref-parser does. A ref that leaves
 * the document, does not resolve, or is recursive stops the start.
 */
export function dereference<T>(document: T): T {
  const resolved = new Map<string, unknown>();
  const resolving = new Set<string>();

  const target = (ref: string): unknown => {
    if (!ref.startsWith('#')) throw new Error(`$ref ${ref}: only refs inside the document are supported`);
    const known = resolved.get(ref);
    if (known !== undefined) return known;
    if (resolving.has(ref)) throw new Error(`$ref ${ref} is recursive`);
    resolving.add(ref);
    let node: unknown = document;
    for (const segment of pointerSegments(ref.slice(1))) {
      if (typeof node !== 'object' || node === null || !(segment in node)) throw new Error(`$ref ${ref} does not resolve`);
      node = (node as Record<string, unknown>)[segment];
    }
    const value = walk(node);
    resolving.delete(ref);
    resolved.set(ref, value);
    return value;
  };

  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node !== 'object' || node === null) return node;
    const { $ref, ...rest } = node as Record<string, unknown>;
    const walked = Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, walk(value)]));
    if (typeof $ref !== 'string') return walked;
    const value = target($ref);
    return Object.keys(walked).length === 0 ? value : { ...(value as object), ...walked };
  };

  return walk(document) as T;
}

function pointerSegments(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((s) => decodeURIComponent(s).replace(/~1/g, '/').replace(/~0/g, '~'));
}
