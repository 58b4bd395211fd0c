import { expect, inject, it } from 'vitest';

it('the run\'s stub, from the global set-up, answers at the address it handed on', async () => {
  const { url } = inject('epCartStub');
  expect(process.env.EP_CART_STUB_URL).toBe(url);
  const response = await fetch(`${url}/__stub/requests`);
  expect(await response.json()).toEqual({ data: [] });
});
