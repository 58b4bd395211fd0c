import { associate, dissociate, type AssociationRequest, type AssociationOutcome } from '../../domain/associations.js';
import { live } from '../../domain/carts.js';
import type { ShopperKind } from '../../domain/model.js';
import { callerOf, type OperationHandler } from '../operation.js';

/** The four association operations differ only in the kind of shopper and the rule. */
function associationHandler(kind: ShopperKind, rule: (request: AssociationRequest) => AssociationOutcome): OperationHandler {
  return async (context) => {
    const { params, body, store, now } = context;
    const known = kind === 'account' ? store.directory.accounts : store.directory.customers;
    // Ids as the directory spells them: every cart of an account then holds that one string, not its own copy.
    const ids: string[] = body.data.map((item: { id: string }) => known.get(item.id)?.id ?? item.id);
    const outcome = await store.change((carts) => {
      const result = rule({
        kind,
        cart: live(carts.cart(params.cartId!), now),
        principal: callerOf(context),
        ids,
        exists: (id) => known.has(id),
        now,
      });
      if (result.kind === 'associated' || result.kind === 'dissociated') carts.put(result.cart);
      return result;
    });
    if (outcome.kind === 'associated') return { status: 200, body: { data: [{ type: kind, id: ids[0] }] }, rule: outcome.rule };
    return { status: 204, rule: outcome.rule };
  };
}

export const createAccountCartAssociation = associationHandler('account', associate);
export const deleteAccountCartAssociation = associationHandler('account', dissociate);
export const createCustomerCartAssociation = associationHandler('customer', associate);
export const deleteCustomerCartAssociation = associationHandler('customer', dissociate);
