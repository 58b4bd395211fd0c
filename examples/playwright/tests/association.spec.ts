import { expect, test } from 'ep-cart-stub/playwright';

const ACME = 'a0000000-0000-4000-8000-000000000001';
const PAGE = new URL('../app/index.html', import.meta.url);

test('adding a cart that is already Acme\'s answers 204, and the page says so', async ({ page, stub }) => {
  await stub.seed({
    carts: [{ id: 'checkout-cart', name: 'Checkout' }],
    associations: [{ cart_id: 'checkout-cart', type: 'account', id: ACME }],
  });
  await page.goto(`${PAGE.href}?api=${encodeURIComponent(stub.url)}&cart=checkout-cart`);

  await page.getByRole('button', { name: "Add to Acme Corp's carts" }).click();

  const association = await stub.waitForRequest({ operationId: 'createAccountCartAssociation', status: 204 });
  expect(association.rule).toBe('associations.15');
  expect(association.body).toEqual({ data: [{ type: 'account', id: ACME }] });
  expect(stub).toHaveReceived('createAccountCartAssociation', { status: 204, times: 1 });
  await expect(page.getByRole('status')).toHaveText('Already one of Acme Corp’s carts');
});
