import { expect } from 'vitest';
import { test } from 'ep-cart-stub/vitest';
import { addCartToAccount } from './storefront.js';

const ACME = 'a0000000-0000-4000-8000-000000000001';

test('adding a cart that is already Acme\'s answers 204, and the storefront says so', async ({ stub }) => {
  await stub.seed({
    carts: [{ id: 'checkout-cart', name: 'Checkout' }],
    associations: [{ cart_id: 'checkout-cart', type: 'account', id: ACME }],
  });

  const outcome = await addCartToAccount(stub.url, 'checkout-cart', ACME, 'demo-alice-acme-token');

  const association = await stub.waitForRequest({ operationId: 'createAccountCartAssociation', status: 204 });
  expect(association.rule).toBe('associations.15');
  expect(association.body).toEqual({ data: [{ type: 'account', id: ACME }] });
  expect(stub).toHaveReceived('createAccountCartAssociation', { status: 204, times: 1 });
  expect(outcome).toBe('already');
});
