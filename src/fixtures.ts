import { readFile } from 'node:fs/promises';
import { loadContract, type Contract } from './contract/document.js';
import { componentProblemList } from './contract/validation.js';
import { InvalidStubInput, type Problem } from './domain/errors.js';
import type { Cart, StubData } from './domain/model.js';
import { packageFile } from './package-files.js';

export const DEFAULT_FIXTURES_PATH = packageFile('fixtures/default.json');

type FixtureCart = Partial<Cart> & Pick<Cart, 'id'>;
/** State as fixtures, `PUT /__stub/state` and `POST /__stub/reset` give it: carts may leave out their defaults. */
export type FixtureData = Omit<StubData, 'carts'> & { carts: FixtureCart[] };

/** Checks a value as state: the document's `StubState` schema, then what it refers to; none when it fits. */
export type StateCheck = (value: unknown) => Problem[];

export function stateCheck(contract: Contract): StateCheck {
  const schemaProblems = componentProblemList(contract, 'StubState');
  return (value) => {
    const problems = schemaProblems(value);
    return problems.length > 0 ? problems : referenceProblems(value as FixtureData);
  };
}

/**
 * What the schema cannot say: ids are unique, and a cart's owners are accounts and customers the state holds,
 * each listed once. A cart associated with an unknown account would be shown and listed, yet the rules
 * could never have made it; an id twice would make one of the two unreachable.
 * Each problem starts with where it is, e.g. `carts[2].account_ids[0] names no account: …`.
 */
export function referenceProblems(state: FixtureData): Problem[] {
  const problems: Problem[] = [];
  const problem = (source: string, what: string) => problems.push({ source, detail: `${source} ${what}` });
  const idsOf = <T>(name: string, items: readonly T[], id: (item: T) => string): Set<string> => {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      if (seen.has(id(item))) problem(`${name}[${i}]`, `has the id ${id(item)} of an earlier one`);
      seen.add(id(item));
    });
    return seen;
  };
  idsOf('clients', state.clients, (client) => client.client_id);
  idsOf('password_profiles', state.password_profiles, (profile) => profile.id);
  const accounts = idsOf('accounts', state.accounts, (account) => account.id);
  idsOf('account_members', state.account_members, (member) => member.id);
  const customers = idsOf('customers', state.customers, (customer) => customer.id);
  idsOf('carts', state.carts, (cart) => cart.id);
  idsOf('pinned_tokens', state.pinned_tokens, (pinned) => pinned.token);
  const refersTo = (where: string, ids: readonly string[] | undefined, known: Set<string>, what: string) => {
    const listed = new Set<string>();
    ids?.forEach((id, i) => {
      if (!known.has(id)) problem(`${where}[${i}]`, `names no ${what}: ${id}`);
      else if (listed.has(id)) problem(`${where}[${i}]`, `lists ${id} twice`);
      listed.add(id);
    });
  };
  state.carts.forEach((cart, i) => {
    refersTo(`carts[${i}].account_ids`, cart.account_ids, accounts, 'account');
    refersTo(`carts[${i}].customer_ids`, cart.customer_ids, customers, 'customer');
  });
  return problems;
}

/** `value` as state, or InvalidStubInput listing every problem: what `reset(state)` and the control API check. */
export function validState(value: unknown, check: StateCheck): FixtureData {
  const problems = check(value);
  if (problems.length > 0) throw new InvalidStubInput(problems);
  return value as FixtureData;
}

/** `value` as state, or an error that names `origin` and lists every problem, one a line. */
export function checkedState(value: unknown, origin: string, check: StateCheck): FixtureData {
  const problems = check(value);
  if (problems.length > 0) {
    throw new Error(`${origin} does not hold valid stub state:\n${problems.map((problem) => `  - ${problem.detail}`).join('\n')}`);
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
