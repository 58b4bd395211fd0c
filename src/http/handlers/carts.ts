import { randomUUID } from 'node:crypto';
import {
  assertDeletable,
  assertReadable,
  createCart,
  expiryCutoff,
  listingOwner,
  live,
  newCart,
  updateCart,
} from '../../domain/carts.js';
import { parseCartFilter } from '../../domain/cart-filter.js';
import { displayCurrency } from '../../domain/currency.js';
import type { Cart } from '../../domain/model.js';
import { callerOf, type OperationContext, type OperationHandler } from '../operation.js';
import { cartResource, included, pagination } from '../present.js';

/** A cart answer as the request asked for it: in its currency, with what it included. */
function presenter({ headers, query, baseUrl }: OperationContext): { one: (cart: Cart) => unknown; included: ReturnType<typeof included> } {
  const currency = displayCurrency(headers['x-moltin-currency'] as string | undefined);
  return { one: (cart) => cartResource(cart, baseUrl, currency), included: included(query.include as string | undefined) };
}

export const getCarts: OperationHandler = (context) => {
  const { store, query, now, baseUrl } = context;
  const owner = listingOwner(callerOf(context));
  const matches = query.filter === undefined ? undefined : parseCartFilter(query.filter as string);
  const page = { offset: query['page[offset]'] as number, limit: query['page[limit]'] as number };
  const present = presenter(context);
  const { carts, total } = store.page({ owner, ...page, updatedAfter: expiryCutoff(now), ...(matches ? { matches } : {}) });
  return {
    status: 200,
    body: { data: carts.map(present.one), ...present.included, ...pagination(`${baseUrl}/v2/carts`, page, total) },
    rule: matches ? 'carts.18' : owner ? 'carts.12' : 'carts.15',
  };
};

export const createACart: OperationHandler = async (context) => {
  const { body, store, now } = context;
  const present = presenter(context);
  const id: string = body.data.id ?? randomUUID();
  const { cart, rule } = await store.change((carts) => {
    const created = createCart(live(carts.cart(id), now), id, body.data, callerOf(context), now);
    carts.put(created.cart);
    return created;
  });
  return { status: 201, body: { data: present.one(cart) }, rule };
};

/** An unknown id answers a new empty cart, as Elastic Path does. */
export const getACart: OperationHandler = async (context) => {
  const { params, store, now } = context;
  const present = presenter(context);
  const { cart, rule } = await store.change((carts) => {
    const existing = live(carts.cart(params.cartId!), now);
    if (existing) {
      assertReadable(existing, callerOf(context));
      return { cart: existing, rule: 'carts.6' as const };
    }
    const created = newCart(params.cartId!, {}, now);
    carts.put(created);
    return { cart: created, rule: 'carts.5' as const };
  });
  return { status: 200, body: { data: present.one(cart), ...present.included }, rule };
};

export const updateACart: OperationHandler = async (context) => {
  const { params, body, store, now } = context;
  const present = presenter(context);
  const cart = await store.change((carts) => {
    const updated = updateCart(live(carts.cart(params.cartId!), now), body.data, callerOf(context), now);
    carts.put(updated);
    return updated;
  });
  return { status: 200, body: { data: present.one(cart) }, rule: 'carts.8' };
};

export const deleteACart: OperationHandler = async (context) => {
  const { params, store, now } = context;
  const updatedAfter = expiryCutoff(now);
  await store.change((carts) => {
    const liveCartsOf = (owner: Parameters<typeof store.page>[0]['owner']) =>
      store.page({ owner, offset: 0, limit: 0, updatedAfter }).total;
    const cart = assertDeletable(live(carts.cart(params.cartId!), now), callerOf(context), liveCartsOf);
    carts.remove(cart.id);
  });
  return { status: 204, rule: 'carts.10' };
};
