import { expect, test } from '@jest/globals';

test('the run\'s stub, from the global set-up, answers at EP_CART_STUB_URL', async () => {
  const response = await fetch(`${process.env.EP_CART_STUB_URL}/__stub/requests`);
  expect(await response.json()).toEqual({ data: [] });
});
