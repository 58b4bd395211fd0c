import { readFile } from 'node:fs/promises';
import { loadContract, type Contract } from './contract/document.js';
import { compileProblemList } from './contract/validation.js';
import type { Cart, StubData } from './domain/model.js';
import { packageFile } from './package-files.js';

export const DEFAULT_FIXTURES_PATH = packageFile('fixtures/default.json');

type FixtureCart = Partial<Cart> & Pick<Cart, 'id'>;
/** State as fixtures, `PUT /__stub/state` and `POST /__stub/reset` give it: carts may leave out their defaults. */
export type FixtureData = Omit<StubData, 'carts'> & { carts: FixtureCart[] };

/** Checks a value against the document's `StubState` schema: one line per problem, none when it fits. */
export type StateCheck = (value: unknown) => string[];

export function stateCheck(contract: Contract): StateCheck {
  const schema = contract.schemas.StubState;
  if (!schema) throw new Error('the OpenAPI document has no StubState schema');
  return compileProblemList(schema);
}

/** `value` as state, or an error that names `origin` and lists every problem, one a line. */
export function checkedState(value: unknown, origin: string, check: StateCheck): FixtureData {
  const problems = check(value);
  if (problems.length > 0) {
    throw new Error(`${origin} does not hold valid stub state:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
  return value as FixtureData;
}

/**
 * Reads and checks a fixture file; a start with a broken one stops with every problem listed. The bundled
 * fixtures are checked by the test suite instead: compiling the state schema would double the cold start.
 */
export async function readFixtures(path: string = DEFAULT_FIXTURES_PATH, check: StateCheck): Promise<FixtureData> {
  const value = parseJsonFile(await readFile(path, 'utf8'), path);
  return path === DEFAULT_FIXTURES_PATH ? (value as FixtureData) : checkedState(value, path, check);
}

export function parseJsonFile(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not valid JSON: ${(error as Error).message}`);
  }
}

export async function loadFixtures(path: string = DEFAULT_FIXTURES_PATH, now: string = new Date().toISOString()): Promise<StubData> {
  return completeState(await readFixtures(path, stateCheck(await loadContract())), now);
}

/** Fills in what fixture carts leave out; missing timestamps are `now`, the moment of loading. */
export function completeState(fixtures: FixtureData, now: string): StubData {
  return { ...fixtures, carts: fixtures.carts.map((cart) => completeCart(cart, now)) };
}

function completeCart(cart: FixtureCart, now: string): Cart {
  return {
    name: 'Cart',
    description: '',
    discount_settings: {},
    account_ids: [],
    customer_ids: [],
    ...cart,
    // Written as `toISOString()` writes them, so that timestamps compare as strings (model.ts).
    created_at: new Date(cart.created_at ?? now).toISOString(),
    updated_at: new Date(cart.updated_at ?? now).toISOString(),
  };
}
