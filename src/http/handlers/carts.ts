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
import { callerOf, type OperationHandler } from '../operation.js';
import { cartResource, pagination } from '../present.js';

export const getCarts: OperationHandler = (context) => {
  const { store, query, now, baseUrl } = context;
  const owner = listingOwner(callerOf(context));
  const page = { offset: query['page[offset]'] as number, limit: query['page[limit]'] as number };
  const { carts, total } = store.page({ owner, ...page, updatedAfter: expiryCutoff(now) });
  return {
    status: 200,
    body: { data: carts.map((cart) => cartResource(cart, baseUrl)), ...pagination(`${baseUrl}/v2/carts`, page, total) },
    rule: owner ? 'carts.12' : 'carts.15',
  };
};

export const createACart: OperationHandler = async (context) => {
  const { body, store, now, baseUrl } = context;
  const id: string = body.data.id ?? randomUUID();
  const { cart, rule } = await store.change((carts) => {
    const created = createCart(live(carts.cart(id), now), id, body.data, callerOf(context), now);
    carts.put(created.cart);
    return created;
  });
  return { status: 201, body: { data: cartResource(cart, baseUrl) }, rule };
};

/** An unknown id answers a new empty cart, as Elastic Path does. */
export const getACart: OperationHandler = async (context) => {
  const { params, store, now, baseUrl } = context;
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
  return { status: 200, body: { data: cartResource(cart, baseUrl) }, rule };
};

export const updateACart: OperationHandler = async (context) => {
  const { params, body, store, now, baseUrl } = context;
  const cart = await store.change((carts) => {
    const updated = updateCart(live(carts.cart(params.cartId!), now), body.data, callerOf(context), now);
    carts.put(updated);
    return updated;
  });
  return { status: 200, body: { data: cartResource(cart, baseUrl) }, rule: 'carts.8' };
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
