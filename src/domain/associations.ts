/**
 * Account–cart and customer–cart associations: rules associations.9 to 19 (rules.ts), in order.
 * Rules 1–8 (tokens, JSON, payload shape, cart id) are settled before these run.
 */
import type { ErrorName } from './errors.js';
import { isAdministrator, isOwner, isUnowned, type Cart, type Principal, type ShopperKind } from './model.js';
import { breaks } from './rules.js';

export type AssociationOutcome =
  | { kind: 'associated'; cart: Cart; rule: 'associations.16' }
  | { kind: 'alreadyAssociated'; rule: 'associations.15' }
  | { kind: 'dissociated'; cart: Cart; rule: 'associations.17' }
  | { kind: 'notAssociated'; rule: 'associations.18' };

export interface AssociationRequest {
  kind: ShopperKind;
  /** The live cart, or undefined when there is none. */
  cart: Cart | undefined;
  principal: Principal;
  ids: string[];
  /** Whether the stub knows an account (customer) with this id. */
  exists: (id: string) => boolean;
  now: string;
}

const errorsFor: Record<
  ShopperKind,
  { permissions: ErrorName; notFound: ErrorName; contactEmail: ErrorName }
> = {
  account: { permissions: 'AccountPermissions', notFound: 'AccountNotFound', contactEmail: 'AccountCartHasContactEmail' },
  customer: { permissions: 'CustomerPermissions', notFound: 'CustomerNotFound', contactEmail: 'CustomerCartHasContactEmail' },
};

/** POST …/relationships/accounts|customers with one item (associations.7 is the contract's `maxItems`). */
export function associate(request: AssociationRequest): AssociationOutcome {
  const cart = checkCommonRows(request);
  const { kind, principal } = request;
  const errors = errorsFor[kind];
  const id = request.ids[0]!;
  const associated = idsOf(cart, kind);

  if (cart.contact?.email) throw breaks('associations.13', errors.contactEmail);
  if (kind === 'account' && associated.length > 0 && associated[0] !== id) {
    throw breaks('associations.14', 'MoreThanOneAccount', { detail: 'The cart is already associated with another account' });
  }
  // A shopper may only join carts nobody owns or that they already own.
  if (scopedShopperId(principal, kind) !== undefined && !isUnowned(cart) && !isOwner(cart, principal)) {
    throw breaks('associations.19', errors.permissions, { detail: 'The cart belongs to another shopper' });
  }
  if (associated.includes(id)) return { kind: 'alreadyAssociated', rule: 'associations.15' };
  // concat sizes the array exactly; a spread leaves room for 16 more ids (~130 B on every associated cart).
  return { kind: 'associated', cart: withIds(cart, kind, associated.concat(id), request.now), rule: 'associations.16' };
}

/** DELETE …/relationships/accounts|customers: removes each item; 204 whether or not it existed (associations.17–18). */
export function dissociate(request: AssociationRequest): AssociationOutcome {
  const cart = checkCommonRows(request);
  const associated = idsOf(cart, request.kind);
  const remaining = associated.filter((id) => !request.ids.includes(id));
  if (remaining.length === associated.length) return { kind: 'notAssociated', rule: 'associations.18' };
  return { kind: 'dissociated', cart: withIds(cart, request.kind, remaining, request.now), rule: 'associations.17' };
}

/** associations.9–12, shared by POST and DELETE. */
function checkCommonRows({ kind, cart, principal, ids, exists }: AssociationRequest): Cart {
  const errors = errorsFor[kind];
  const shopperId = scopedShopperId(principal, kind);
  // Any shopper token scopes the request, whatever the bearer: a customer token on the accounts endpoint (or
  // an account token on the customers one) leaves the caller with no right to act as admin.
  const actsAsAdministrator = isAdministrator(principal);
  if (shopperId === undefined && !actsAsAdministrator) throw breaks('associations.9', errors.permissions);
  if (shopperId !== undefined && ids.some((id) => id !== shopperId)) throw breaks('associations.10', errors.permissions);
  if (!cart) throw breaks('associations.11', 'CartNotFound');
  if (!ids.every(exists)) throw breaks('associations.12', errors.notFound);
  return cart;
}

/** The shopper the request is scoped to for this kind of association: AT for accounts, CT for customers. */
function scopedShopperId(principal: Principal, kind: ShopperKind): string | undefined {
  return kind === 'account' ? principal.account?.accountId : principal.customer?.customerId;
}

function idsOf(cart: Cart, kind: ShopperKind): string[] {
  return kind === 'account' ? cart.account_ids : cart.customer_ids;
}

/** The cart with these ids, written `now`: one copy, made on every association (the association benchmark's hot path). */
function withIds(cart: Cart, kind: ShopperKind, ids: string[], now: string): Cart {
  return kind === 'account' ? { ...cart, account_ids: ids, updated_at: now } : { ...cart, customer_ids: ids, updated_at: now };
}
