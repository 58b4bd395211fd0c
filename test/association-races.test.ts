import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixtures } from '../src/fixtures.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { auth, ids, startTestStub, type TestStub } from './support/stub.js';

const raceAccounts = Array.from({ length: 50 }, (_, i) => ({ id: `race-account-${i}`, name: `Race account ${i}` }));

let stub: TestStub;
beforeAll(async () => {
  const fixtures = await loadFixtures();
  stub = await startTestStub({ store: new MemoryStore({ ...fixtures, accounts: [...fixtures.accounts, ...raceAccounts] }) });
});
afterAll(() => stub.close());

describe('concurrent associations on one cart obey the rules', () => {
  it.each(Array.from({ length: 20 }, (_, run) => run))(
    'of 50 concurrent POSTs of 50 different accounts exactly one answers 200 and 49 answer 403 (run %i)',
    async (run) => {
      const cartId = `race-accounts-${run}`;
      await stub.request({ method: 'POST', url: '/v2/carts', headers: auth.cc, json: { data: { id: cartId, name: 'race' } } });
      const responses = await Promise.all(
        raceAccounts.map(({ id }) =>
          stub.request({
            method: 'POST',
            url: `/v2/carts/${cartId}/relationships/accounts`,
            headers: auth.cc,
            json: { data: [{ type: 'account', id }] },
          }),
        ),
      );
      const statuses = responses.map((r) => r.statusCode);
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(statuses.filter((s) => s === 403)).toHaveLength(49);
      const winner = responses.find((r) => r.statusCode === 200)!.data.data[0].id;
      const cart = await stub.request({ method: 'GET', url: `/v2/carts/${cartId}`, headers: auth.cc });
      expect(cart.data.data.relationships.accounts.data).toEqual([{ type: 'account', id: winner }]);
    },
  );

  it.each(Array.from({ length: 20 }, (_, run) => run))(
    'of 50 concurrent POSTs of the same account one answers 200 and 49 answer 204 (run %i)',
    async (run) => {
      const cartId = `race-same-${run}`;
      await stub.request({ method: 'POST', url: '/v2/carts', headers: auth.cc, json: { data: { id: cartId, name: 'race' } } });
      const responses = await Promise.all(
        Array.from({ length: 50 }, () =>
          stub.request({
            method: 'POST',
            url: `/v2/carts/${cartId}/relationships/accounts`,
            headers: auth.cc,
            json: { data: [{ type: 'account', id: ids.acme }] },
          }),
        ),
      );
      const statuses = responses.map((r) => r.statusCode).sort();
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(statuses.filter((s) => s === 204)).toHaveLength(49);
    },
  );
});
