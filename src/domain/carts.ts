/** Cart rules: the carts.* rows of the rule catalogue (rules.ts). */
import { StubError } from './errors.js';
import { isAdministrator, isOwner, isUnowned, type Cart, type CustomAttribute, type Owner, type Principal } from './model.js';
import { breaks } from './rules.js';

/** Carts are purged seven days after their last update (Elastic Path's cart settings default). */
export const CART_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

export interface CartAttributes {
  name?: string;
  description?: string;
  contact?: { email?: string };
  discount_settings?: Cart['discount_settings'];
  inventory_settings?: NonNullable<Cart['inventory_settings']>;
  custom_attributes?: NonNullable<Cart['custom_attributes']>;
  snapshot_date?: string;
}

export function expiresAt(cart: Cart): string {
  return new Date(Date.parse(cart.updated_at) + CART_LIFETIME_MS).toISOString();
}

/** Carts updated at or before this instant have expired. */
export function expiryCutoff(now: string): string {
  // Every request asks, and those of one millisecond ask with the same `now`: remember the last answer.
  if (now !== lastCutoff.now) lastCutoff = { now, cutoff: new Date(Date.parse(now) - CART_LIFETIME_MS).toISOString() };
  return lastCutoff.cutoff;
}
let lastCutoff = { now: '', cutoff: '' };

/** The cart as a reader sees it: an expired cart is gone. */
export function live(cart: Cart | undefined, now: string): Cart | undefined {
  return cart && cart.updated_at > expiryCutoff(now) ? cart : undefined;
}

export function touched(cart: Cart, now: string): Cart {
  return { ...cart, updated_at: now };
}

export function newCart(id: string, attributes: CartAttributes, now: string): Cart {
  return {
    id,
    name: attributes.name ?? 'Cart',
    description: attributes.description ?? '',
    ...(attributes.contact ? { contact: contactOf(attributes.contact) } : {}),
    discount_settings: discountSettingsOf(attributes.discount_settings ?? {}),
    ...(attributes.inventory_settings ? { inventory_settings: inventorySettingsOf(attributes.inventory_settings) } : {}),
    ...(attributes.custom_attributes ? { custom_attributes: customAttributesOf(attributes.custom_attributes) } : {}),
    ...(attributes.snapshot_date !== undefined ? { snapshot_date: snapshotDateOf(attributes.snapshot_date, now) } : {}),
    account_ids: [],
    customer_ids: [],
    created_at: now,
    updated_at: now,
  };
}

/**
 * Only the fields a cart has. The schemas let other fields through (as Elastic Path ignores them); kept, they
 * would never be shown, yet a visitor could fill a sandbox's carts with megabytes of them.
 */
function contactOf({ email }: NonNullable<CartAttributes['contact']>): NonNullable<Cart['contact']> {
  return email === undefined ? {} : { email };
}

function inventorySettingsOf({ defer_inventory_check }: NonNullable<Cart['inventory_settings']>): NonNullable<Cart['inventory_settings']> {
  return defer_inventory_check === undefined ? {} : { defer_inventory_check };
}

function customAttributesOf(attributes: NonNullable<Cart['custom_attributes']>): NonNullable<Cart['custom_attributes']> {
  return Object.fromEntries(Object.entries(attributes).map(([key, { type, value }]) => [key, { type, value } as CustomAttribute]));
}

/** A preview cart looks ahead: a date at or before now is refused (carts.23); kept as `toISOString()` writes it. */
function snapshotDateOf(date: string, now: string): string {
  const iso = new Date(date).toISOString();
  if (iso <= now) throw breaks('carts.23', 'InvalidSnapshotDate', { detail: `snapshot_date ${date} is not in the future: a preview cart looks ahead`, source: 'data.snapshot_date' });
  return iso;
}

function discountSettingsOf({ custom_discounts_enabled, use_rule_promotions }: Cart['discount_settings']): Cart['discount_settings'] {
  return {
    ...(custom_discounts_enabled === undefined ? {} : { custom_discounts_enabled }),
    ...(use_rule_promotions === undefined ? {} : { use_rule_promotions }),
  };
}

/** POST /v2/carts: a shopper token associates the new cart with that shopper (carts.1, carts.2). */
export function createCart(
  existing: Cart | undefined,
  id: string,
  attributes: CartAttributes,
  principal: Principal,
  now: string,
): { cart: Cart; rule: 'carts.1' | 'carts.2' } {
  if (existing) throw breaks('carts.4', 'CartIdTaken', { source: 'data.id' });
  const cart = newCart(id, attributes, now);
  if (cart.contact?.email && principal.account) throw breaks('carts.17', 'AccountCartHasContactEmail');
  if (cart.contact?.email && principal.customer) throw breaks('carts.17', 'CustomerCartHasContactEmail');
  if (!principal.account && !principal.customer) return { cart, rule: 'carts.1' };
  return {
    cart: {
      ...cart,
      account_ids: principal.account ? [principal.account.accountId] : [],
      customer_ids: principal.customer ? [principal.customer.customerId] : [],
    },
    rule: 'carts.2',
  };
}

/** A cart with owners is for the administrator and its owners only (decision: keeps shoppers apart). */
export function assertReadable(cart: Cart, principal: Principal): void {
  if (!isUnowned(cart) && !isAdministrator(principal) && !isOwner(cart, principal)) {
    throw new StubError('CartBelongsToAnotherShopper');
  }
}

export function updateCart(cart: Cart | undefined, attributes: CartAttributes, principal: Principal, now: string): Cart {
  if (!cart) throw new StubError('CartNotFound');
  assertReadable(cart, principal);
  if (attributes.contact?.email !== undefined) assertMayHaveContactEmail(cart);
  return touched(
    {
      ...cart,
      ...(attributes.name !== undefined ? { name: attributes.name } : {}),
      ...(attributes.description !== undefined ? { description: attributes.description } : {}),
      ...(attributes.contact !== undefined ? { contact: contactOf(attributes.contact) } : {}),
      ...(attributes.discount_settings !== undefined ? { discount_settings: discountSettingsOf(attributes.discount_settings) } : {}),
      ...(attributes.inventory_settings !== undefined ? { inventory_settings: inventorySettingsOf(attributes.inventory_settings) } : {}),
      ...(attributes.custom_attributes !== undefined ? { custom_attributes: customAttributesOf(attributes.custom_attributes) } : {}),
      ...(attributes.snapshot_date !== undefined ? { snapshot_date: snapshotDateOf(attributes.snapshot_date, now) } : {}),
    },
    now,
  );
}

/** A registered shopper's cart has the shopper's email, so it takes no contact email (carts.21: associations.13 the other way). */
function assertMayHaveContactEmail(cart: Cart): void {
  const detail = (owner: string) => `The cart has ${owner}; a registered shopper's cart cannot have a contact email`;
  if (cart.account_ids.length > 0) throw breaks('carts.21', 'AccountCartHasContactEmail', { detail: detail('an account') });
  if (cart.customer_ids.length > 0) throw breaks('carts.21', 'CustomerCartHasContactEmail', { detail: detail('a customer') });
}

/**
 * DELETE /v2/carts/:id. `liveCartsOf` counts a customer's live carts, this one included.
 * A customer's last cart cannot be deleted (Elastic Path's documented `Last cart` error).
 */
export function assertDeletable(
  cart: Cart | undefined,
  principal: Principal,
  liveCartsOf: (owner: Owner) => number,
): Cart {
  if (!cart) throw new StubError('CartNotFound');
  assertReadable(cart, principal);
  if (cart.customer_ids.some((id) => liveCartsOf({ kind: 'customer', id }) <= 1)) throw new StubError('LastCart');
  return cart;
}

/** GET /v2/carts: whose carts the caller lists; undefined means every cart (administrator). */
export function listingOwner(principal: Principal): Owner | undefined {
  if (principal.account && principal.customer) throw new StubError('BothShopperTokens');
  if (principal.account) return { kind: 'account', id: principal.account.accountId };
  if (principal.customer) return { kind: 'customer', id: principal.customer.customerId };
  if (principal.grant === 'client_credentials') return undefined;
  throw new StubError('NoShopperToken');
}
