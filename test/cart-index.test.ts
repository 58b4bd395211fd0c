/**
 * The store's index lists what a plain model lists. It threads each account's carts through the list of
 * every cart and shares frozen values (empty ones, one owner's id) between carts (for the write path's speed and memory, issue 22):
 * these tests guard what that could break, whatever the behaviour suite happens to send.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Cart, Owner } from '../src/domain/model.js';
import { CartIndex } from '../src/store/cart-index.js';

const ACCOUNTS = ['acme', 'globex', 'initech'];
const CUSTOMERS = ['carol', 'dave', 'erin'];
const CART_IDS = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5'];

type Operation =
  | { op: 'put'; id: string; account: string | undefined; customers: string[]; discounts: boolean }
  | { op: 'remove'; id: string };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('put' as const),
      id: fc.constantFrom(...CART_IDS),
      account: fc.option(fc.constantFrom(...ACCOUNTS), { nil: undefined }),
      customers: fc.subarray(CUSTOMERS),
      discounts: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('remove' as const), id: fc.constantFrom(...CART_IDS) }) },
);

/** Every write a millisecond later than the one before, as the stub's clock stamps them. */
const stamp = (n: number) => new Date(Date.UTC(2026, 0, 1) + n).toISOString();

function cartOf(put: Extract<Operation, { op: 'put' }>, at: string): Cart {
  return {
    id: put.id,
    name: 'Cart',
    description: '',
    discount_settings: put.discounts ? { use_rule_promotions: true } : {},
    account_ids: put.account === undefined ? [] : [put.account],
    customer_ids: [...put.customers],
    created_at: at,
    updated_at: at,
  };
}

/** The model: carts in the order they were last written, newest first, filtered by owner. */
function modelPage(carts: Cart[], owner: Owner | undefined, offset: number, limit: number, updatedAfter: string) {
  const owned = carts.filter(
    (cart) =>
      cart.updated_at > updatedAfter &&
      (owner === undefined || (owner.kind === 'account' ? cart.account_ids : cart.customer_ids).includes(owner.id)),
  );
  const newestFirst = [...owned].sort((a, b) => (a.updated_at < b.updated_at ? 1 : -1));
  return { carts: newestFirst.slice(offset, offset + limit), total: owned.length };
}

const owners: (Owner | undefined)[] = [
  undefined,
  ...ACCOUNTS.map((id) => ({ kind: 'account' as const, id })),
  ...CUSTOMERS.map((id) => ({ kind: 'customer' as const, id })),
];

describe('the cart index lists what a plain model lists', () => {
  it('after any puts and removes, every owner\'s page (any offset, limit and expiry) and total match the model', () => {
    fc.assert(
      fc.property(
        fc.array(operation, { maxLength: 40 }),
        fc.nat({ max: 6 }),
        fc.integer({ min: 1, max: 7 }),
        fc.nat({ max: 45 }),
        (operations, offset, limit, expiredUpTo) => {
          const index = new CartIndex();
          const model = new Map<string, Cart>();
          operations.forEach((operation, n) => {
            if (operation.op === 'remove') {
              index.remove(operation.id);
              model.delete(operation.id);
            } else {
              const cart = cartOf(operation, stamp(n));
              index.put(cart);
              model.set(cart.id, cart);
            }
          });
          // Carts written up to `expiredUpTo` have expired.
          const updatedAfter = stamp(expiredUpTo - 1);
          for (const owner of owners) {
            const page = index.page({ owner, offset, limit, updatedAfter });
            const expected = modelPage([...model.values()], owner, offset, limit, updatedAfter);
            expect(page.total).toBe(expected.total);
            expect(page.carts).toEqual(expected.carts);
          }
          expect([...index.carts()].sort((a, b) => a.id.localeCompare(b.id))).toEqual(
            [...model.values()].sort((a, b) => a.id.localeCompare(b.id)),
          );
        },
      ),
      { numRuns: 500, seed: 20261203 },
    );
  });

  it('a cart moved from one account to another is listed by the second only, and newest first', () => {
    const index = new CartIndex();
    const put = (id: string, account: string, at: number) =>
      index.put(cartOf({ op: 'put', id, account, customers: [], discounts: false }, stamp(at)));
    put('a', 'acme', 1);
    put('b', 'acme', 2);
    put('a', 'globex', 3);
    const page = (id: string) => index.page({ owner: { kind: 'account', id }, offset: 0, limit: 10, updatedAfter: '' });
    expect(page('acme').carts.map((cart) => cart.id)).toEqual(['b']);
    expect(page('globex').carts.map((cart) => cart.id)).toEqual(['a']);
    put('b', 'globex', 4);
    expect(page('acme')).toEqual({ carts: [], total: 0 });
    expect(page('globex').carts.map((cart) => cart.id)).toEqual(['b', 'a']);
  });

  it('a cart with two accounts is refused, and the index is left as it was (BEHAVIOR.md row 14)', () => {
    const index = new CartIndex([{ ...cartOf({ op: 'put', id: 'a', account: 'acme', customers: [], discounts: false }, stamp(1)) }]);
    const twoAccounts = { ...cartOf({ op: 'put', id: 'a', account: 'acme', customers: [], discounts: false }, stamp(2)), account_ids: ['acme', 'globex'] };
    expect(() => index.put(twoAccounts)).toThrow(/one at most/);
    expect(index.cart('a')!.updated_at).toBe(stamp(1));
    expect(index.page({ owner: { kind: 'account', id: 'globex' }, offset: 0, limit: 10, updatedAfter: '' }).total).toBe(0);
  });
});

describe('carts with nothing, or one owner, share frozen values', () => {
  it('the stored cart equals the one given, which is left untouched; its empty values are frozen and shared', () => {
    const index = new CartIndex();
    const first = cartOf({ op: 'put', id: 'a', account: undefined, customers: [], discounts: false }, stamp(1));
    const second = cartOf({ op: 'put', id: 'b', account: 'acme', customers: [], discounts: false }, stamp(2));
    const givenArrays = [first.account_ids, first.customer_ids, first.discount_settings];
    index.put(first);
    index.put(second);
    const [a, b] = [index.cart('a')!, index.cart('b')!];
    expect(a).toEqual(first);
    expect([first.account_ids, first.customer_ids, first.discount_settings]).toEqual(givenArrays);
    expect(Object.isFrozen(a.account_ids) && Object.isFrozen(a.customer_ids) && Object.isFrozen(a.discount_settings)).toBe(true);
    expect(a.customer_ids).toBe(b.customer_ids);
    expect(a.discount_settings).toBe(b.discount_settings);
    expect(() => a.customer_ids.push('carol')).toThrow(TypeError);
    // What the rules do with them makes new values, as it always did.
    expect(a.account_ids.concat('acme')).toEqual(['acme']);
  });

  it('carts of the same one owner share one frozen array of its id; two customers keep an array of their own', () => {
    const index = new CartIndex();
    const put = (id: string, account: string | undefined, customers: string[], at: number) =>
      index.put(cartOf({ op: 'put', id, account, customers, discounts: false }, stamp(at)));
    put('a', 'acme', ['carol'], 1);
    put('b', 'acme', ['carol'], 2);
    put('c', 'globex', ['carol', 'dave'], 3);
    const [a, b, c] = [index.cart('a')!, index.cart('b')!, index.cart('c')!];
    expect([a.account_ids, a.customer_ids, c.account_ids, c.customer_ids]).toEqual([['acme'], ['carol'], ['globex'], ['carol', 'dave']]);
    expect(a.account_ids).toBe(b.account_ids);
    expect(a.customer_ids).toBe(b.customer_ids);
    expect(Object.isFrozen(a.account_ids) && Object.isFrozen(a.customer_ids)).toBe(true);
    expect(Object.isFrozen(c.customer_ids)).toBe(false);
    expect(() => a.account_ids.push('globex')).toThrow(TypeError);
    expect(b.account_ids).toEqual(['acme']);
    expect(index.page({ owner: { kind: 'customer', id: 'carol' }, offset: 0, limit: 10, updatedAfter: '' }).carts.map((cart) => cart.id)).toEqual(['c', 'b', 'a']);
  });
});
