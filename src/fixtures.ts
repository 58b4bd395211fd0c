import { readFile } from 'node:fs/promises';
import type { Cart, StubData } from './domain/model.js';
import { packageFile } from './package-files.js';

export const DEFAULT_FIXTURES_PATH = packageFile('fixtures/default.json');

type FixtureCart = Partial<Cart> & Pick<Cart, 'id'>;
export type FixtureData = Omit<StubData, 'carts'> & { carts: FixtureCart[] };

/** Reads a fixture file. Carts may leave out what has a natural default (timestamps: the moment of loading). */
export async function loadFixtures(path: string = DEFAULT_FIXTURES_PATH, now: string = new Date().toISOString()): Promise<StubData> {
  const raw = JSON.parse(await readFile(path, 'utf8')) as FixtureData;
  return { ...raw, carts: raw.carts.map((cart) => completeCart(cart, now)) };
}

function completeCart(cart: FixtureCart, now: string): Cart {
  return {
    name: 'Cart',
    description: '',
    discount_settings: {},
    account_ids: [],
    customer_ids: [],
    created_at: now,
    updated_at: now,
    ...cart,
  };
}
