/**
 * `GET /v2/carts?filter=…` as the newest carts spec documents it (carts.18, carts.19): `contains(account_ids,"…")`
 * and `ilike(name,"…")`, joined by `:` (and) and `|` (or). Anything else is refused by name, never ignored:
 * a filter silently dropped would answer every cart.
 */
import type { Cart } from './model.js';
import { breaks } from './rules.js';

export type CartPredicate = (cart: Cart) => boolean;

/** The filters the stub knows, as `operator(field)`: what a refusal lists. */
const FILTERS: Record<string, (value: string) => CartPredicate> = {
  'contains(account_ids)': (id) => (cart) => cart.account_ids.includes(id),
  'ilike(name)': (pattern) => {
    const regex = likePattern(pattern);
    return (cart) => regex.test(cart.name);
  },
};
const KNOWN = 'contains(account_ids,"…") and ilike(name,"…"), joined by : (and) or | (or)';

/**
 * Reads a filter expression. `:` binds tighter than `|` (and before or, as in most query languages; the spec does
 * not say: a decision), so `a:b|c` is `(a and b) or c`.
 */
export function parseCartFilter(text: string): CartPredicate {
  const alternatives = splitOutsideQuotes(text, '|').map((conjunction) => splitOutsideQuotes(conjunction, ':').map(parseTerm));
  return (cart) => alternatives.some((terms) => terms.every((term) => term(cart)));
}

function parseTerm(term: string): CartPredicate {
  const match = /^\s*([a-z_]+)\(\s*([a-z_]+)\s*,\s*(?:"([^"]*)"|([^"(),]*?))\s*\)\s*$/i.exec(term);
  if (!match) refuse(`filter cannot read ${JSON.stringify(term)}: write operator(field,"value"); the stub knows ${KNOWN}`);
  const [, operator, field, quoted, bare] = match;
  const filter = FILTERS[`${operator}(${field})`];
  if (!filter) refuse(`filter ${operator}(${field},…) is not supported: the stub knows ${KNOWN}`);
  return filter(quoted ?? bare!);
}

/** `*` matches any run of characters; the rest matches itself, whatever its case. */
function likePattern(pattern: string): RegExp {
  const literal = pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${literal.join('.*')}$`, 'is');
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] === '"') quoted = !quoted;
    else if (!quoted && text[i] === separator) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function refuse(detail: string): never {
  throw breaks('carts.19', 'UnsupportedFilter', { detail, source: 'filter' });
}
