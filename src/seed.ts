/**
 * `stub.seed(…)` and `POST /__stub/seed`: a test adds the carts, owners and associations it needs to the state
 * as it stands, instead of spelling a whole state. One check for both doors, in the seed's own terms.
 */
import type { Contract } from './contract/document.js';
import { componentProblemList } from './contract/validation.js';
import { InvalidStubInput, type Problem } from './domain/errors.js';
import type { StubData } from './domain/model.js';
import { completeState, type FixtureData, type StateCheck } from './fixtures.js';

const LISTS = ['clients', 'password_profiles', 'accounts', 'account_members', 'customers', 'carts', 'pinned_tokens'] as const;

/** The cart `cart_id` gains the account or customer `id` as an owner (a cart has at most one account). */
export interface SeedAssociation {
  cart_id: string;
  type: 'account' | 'customer';
  id: string;
}

/** What to add: items of the state's lists, each list optional (carts may give only an id), and associations. */
export type StubSeed = Partial<FixtureData> & { associations?: SeedAssociation[] };

export type SeedCheck = (value: unknown) => Problem[];

export function seedCheck(contract: Contract): SeedCheck {
  return componentProblemList(contract, 'StubSeed');
}

/**
 * `state` with `seed` added, checked as a state is (`check`), or InvalidStubInput listing every problem by
 * where it is in the seed (`carts[0]`, `associations[1].id`), so that a test's author finds it.
 */
export function seededState(state: StubData, seed: unknown, checks: { seed: SeedCheck; state: StateCheck }, now: string): StubData {
  const shapeProblems = checks.seed(seed);
  if (shapeProblems.length > 0) throw new InvalidStubInput(shapeProblems);
  const { associations = [], ...lists } = seed as StubSeed;
  const merged = completeState(
    Object.fromEntries(LISTS.map((name) => [name, [...state[name], ...(lists[name] ?? [])]])) as FixtureData,
    now,
  );
  const problems = checks.state(merged).map((problem) => inSeedTerms(problem, state));
  associations.forEach((association, i) => {
    const problem = associate(merged, association);
    if (problem) problems.push({ source: `associations[${i}]${problem.at}`, detail: `associations[${i}]${problem.at} ${problem.what}` });
  });
  if (problems.length > 0) throw new InvalidStubInput(problems);
  return merged;
}

/** Adds the owner to the cart; what is wrong instead, if anything. Associating an owner twice changes nothing, as the API's 204 does. */
function associate(state: StubData, { cart_id, type, id }: SeedAssociation): { at: string; what: string } | undefined {
  const cart = state.carts.find((candidate) => candidate.id === cart_id);
  if (!cart) return { at: '.cart_id', what: `names no cart: ${cart_id}` };
  const owners = type === 'account' ? state.accounts : state.customers;
  if (!owners.some((owner) => owner.id === id)) return { at: '.id', what: `names no ${type}: ${id}` };
  const list = type === 'account' ? 'account_ids' : 'customer_ids';
  if (cart[list].includes(id)) return undefined;
  // A cart has at most one account (associations.14).
  if (list === 'account_ids' && cart.account_ids.length > 0) return { at: '', what: `would give cart ${cart_id} a second account; it has ${cart.account_ids[0]}` };
  // A new list: the merged cart shares its lists with the state as it stands, which must not change yet.
  cart[list] = [...cart[list], id];
  return undefined;
}

/**
 * The state check names an item by its place in the merged lists; an item of the seed is named by its place
 * in the seed instead. The state as it stood passed the same check, so every problem is the seed's.
 */
function inSeedTerms(problem: Problem, state: StubData): Problem {
  const rename = (text: string) =>
    text.replace(/^(\w+)\[(\d+)\]/, (whole, name: string, index: string) => {
      const before = (state as unknown as Record<string, unknown[] | undefined>)[name]?.length;
      return before === undefined || Number(index) < before ? whole : `${name}[${Number(index) - before}]`;
    });
  return { ...(problem.source === undefined ? {} : { source: rename(problem.source) }), detail: rename(problem.detail) };
}
