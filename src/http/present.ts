/** Elastic Path's resource shapes, built from the stub's plain values. */
import { expiresAt } from '../domain/carts.js';
import { DEFAULT_CURRENCY } from '../domain/currency.js';
import type { Cart } from '../domain/model.js';

/** An empty cart's totals, in the currency the request asked for (`X-MOLTIN-CURRENCY`), formatted as Elastic Path's examples are. */
function emptyDisplayPrice(currency: string) {
  const zero = { amount: 0, currency, formatted: formattedZero(currency) };
  return { with_tax: zero, without_tax: zero, tax: zero, discount: zero, without_discount: zero, shipping: zero, shipping_discount: zero };
}

/** `$0.00`, `€0.00`, `¥0`: Intl's en-US currency format, which is what Elastic Path's examples show; one formatter per currency. */
const formattedZeros = new Map<string, string>([['USD', '$0.00']]);
function formattedZero(currency: string): string {
  let formatted = formattedZeros.get(currency);
  if (formatted === undefined) formattedZeros.set(currency, (formatted = new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(0)));
  return formatted;
}

export function cartResource(cart: Cart, baseUrl: string, currency: string = DEFAULT_CURRENCY) {
  return {
    id: cart.id,
    type: 'cart',
    name: cart.name,
    description: cart.description,
    ...(cart.contact ? { contact: cart.contact } : {}),
    // Elastic Path answers both settings, the store's defaults (off) where the cart set none.
    discount_settings: {
      custom_discounts_enabled: cart.discount_settings.custom_discounts_enabled ?? false,
      use_rule_promotions: cart.discount_settings.use_rule_promotions ?? false,
    },
    inventory_settings: { defer_inventory_check: cart.inventory_settings?.defer_inventory_check ?? false },
    ...(cart.custom_attributes ? { custom_attributes: cart.custom_attributes } : {}),
    ...(cart.snapshot_date ? { snapshot_date: cart.snapshot_date } : {}),
    links: { self: `${baseUrl}/v2/carts/${cart.id}` },
    meta: {
      display_price: emptyDisplayPrice(currency),
      timestamps: { created_at: cart.created_at, updated_at: cart.updated_at, expires_at: expiresAt(cart) },
    },
    relationships: {
      items: { data: null },
      ...(cart.account_ids.length ? { accounts: { data: cart.account_ids.map((id) => ({ type: 'account', id })) } } : {}),
      ...(cart.customer_ids.length ? { customers: { data: cart.customer_ids.map((id) => ({ type: 'customer', id })) } } : {}),
    },
  };
}

/** `include=items,promotions` → `{ items: [], promotions: [] }`: the stub keeps none of them, so each list is empty. */
export function included(include: string | undefined): { included?: Record<string, never[]> } {
  return include ? { included: Object.fromEntries(include.split(',').map((kind) => [kind, []])) } : {};
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
