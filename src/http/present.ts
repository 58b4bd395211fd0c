/** Elastic Path's resource shapes, built from the stub's plain values. */
import { expiresAt } from '../domain/carts.js';
import type { Cart } from '../domain/model.js';

const ZERO = { amount: 0, currency: 'USD', formatted: '$0.00' } as const;
const EMPTY_DISPLAY_PRICE = {
  with_tax: ZERO,
  without_tax: ZERO,
  tax: ZERO,
  discount: ZERO,
  without_discount: ZERO,
  shipping: ZERO,
} as const;

export function cartResource(cart: Cart, baseUrl: string) {
  return {
    id: cart.id,
    type: 'cart',
    name: cart.name,
    description: cart.description,
    ...(cart.contact ? { contact: cart.contact } : {}),
    discount_settings: cart.discount_settings,
    links: { self: `${baseUrl}/v2/carts/${cart.id}` },
    meta: {
      display_price: EMPTY_DISPLAY_PRICE,
      timestamps: { created_at: cart.created_at, updated_at: cart.updated_at, expires_at: expiresAt(cart) },
    },
    relationships: {
      items: { data: null },
      ...(cart.account_ids.length ? { accounts: { data: cart.account_ids.map((id) => ({ type: 'account', id })) } } : {}),
      ...(cart.customer_ids.length ? { customers: { data: cart.customer_ids.map((id) => ({ type: 'customer', id })) } } : {}),
    },
  };
}

export interface PageRequest {
  offset: number;
  limit: number;
}

/** `meta` and `links` of a listing (BEHAVIOR.md, Carts): `last` always names the last page, `prev`/`next` are null at the ends. */
export function pagination(url: string, { offset, limit }: PageRequest, total: number) {
  const pages = Math.ceil(total / limit);
  const lastOffset = Math.max(0, (pages - 1) * limit);
  const link = (at: number) => `${url}?page[offset]=${at}&page[limit]=${limit}`;
  return {
    links: {
      current: link(offset),
      first: link(0),
      last: link(lastOffset),
      prev: offset > 0 ? link(Math.max(0, offset - limit)) : null,
      next: offset + limit < total ? link(offset + limit) : null,
    },
    meta: {
      page: { limit, offset, current: Math.floor(offset / limit) + 1, total: pages },
      results: { total },
    },
  };
}
