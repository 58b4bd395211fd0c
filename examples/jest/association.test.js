import { expect, test } from '@jest/globals';
import { useStub } from 'ep-cart-stub/jest';

const ACME = 'a0000000-0000-4000-8000-000000000001';
const stub = useStub();

test('adding a cart that is already Acme\'s answers 204', async () => {
  await stub().seed({
    carts: [{ id: 'checkout-cart' }],
    associations: [{ cart_id: 'checkout-cart', type: 'account', id: ACME }],
  });

  const response = await fetch(`${stub().url}/v2/carts/checkout-cart/relationships/accounts`, {
    method: 'POST',
    headers: {
      authorization: 'Bearer demo-implicit-token',
      'ep-account-management-authentication-token': 'demo-alice-acme-token',
      'content-type': 'application/json',
    },
    body: JSON.stringify({ data: [{ type: 'account', id: ACME }] }),
  });

  expect(response.status).toBe(204);
  const association = await stub().waitForRequest({ operationId: 'createAccountCartAssociation', status: 204 });
  expect(association.rule).toBe('associations.15');
  expect(stub()).toHaveReceived('createAccountCartAssociation', { status: 204, times: 1 });
});

test('each test starts from the fixtures: the cart the last test seeded is gone', () => {
  expect(stub().state().carts.map((cart) => cart.id)).not.toContain('checkout-cart');
  expect(stub()).not.toHaveReceived('createAccountCartAssociation');
});
