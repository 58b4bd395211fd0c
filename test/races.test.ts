/**
 * Storms of concurrent requests on a handful of carts, checked against a sequential model of the rules.
 * Generated schedules of associate / dissociate (as administrator or as the shopper), create-cart and
 * delete-cart requests all start at once. The store records the order in which their changes committed;
 * replaying the schedule in that order through a plain model of BEHAVIOR.md's rules must give every status
 * the stub answered, and the model's final carts must be the store's. With the file store, the state read back
 * after a restart must be the model's too.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { completeState, loadFixtures, type FixtureData } from '../src/fixtures.js';
import { FileStore } from '../src/store/file-store.js';
import { MemoryStore } from '../src/store/memory-store.js';
import type { CartWriter, Store } from '../src/store/store.js';
import { invariantViolations } from './fuzz/oracle.js';
import { auth, ids, startTestStub } from './support/stub.js';

const fixtures = await loadFixtures();
const dir = mkdtempSync(join(tmpdir(), 'ep-cart-stub-races-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CARTS = ['race-0', 'race-1', 'race-2', 'race-3'] as const;
type CartId = (typeof CARTS)[number];
type Kind = 'account' | 'customer';
/** Shopper tokens by the id they act as (pinned in the fixtures); Initech has none. */
const SHOPPER_TOKENS: Record<string, Record<string, string>> = {
  [ids.acme]: auth.aliceAcme,
  [ids.globex]: auth.bobGlobex,
  [ids.carol]: auth.carol,
  [ids.dave]: auth.dave,
};

type Operation =
  | { kind: 'associate' | 'dissociate'; shopper: Kind; cart: CartId; id: string; asShopper: boolean }
  | { kind: 'create'; cart: CartId }
  | { kind: 'delete'; cart: CartId };

const cart = fc.constantFrom(...CARTS);
const association = fc.oneof(
  fc.record({ shopper: fc.constant<Kind>('account'), id: fc.constantFrom(ids.acme, ids.globex, ids.initech) }),
  fc.record({ shopper: fc.constant<Kind>('customer'), id: fc.constantFrom(ids.carol, ids.dave) }),
);
const operation: fc.Arbitrary<Operation> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record({ kind: fc.constantFrom('associate' as const, 'dissociate' as const), cart, association, asShopper: fc.boolean() })
      .map(({ kind, cart: c, association: a, asShopper }) => ({ kind, cart: c, ...a, asShopper: asShopper && a.id in SHOPPER_TOKENS })),
  },
  { weight: 1, arbitrary: fc.oneof(fc.record({ kind: fc.constant('create' as const), cart }), fc.record({ kind: fc.constant('delete' as const), cart })) },
);
/** Which carts exist when the storm starts. */
const initialCarts = fc.subarray([...CARTS]);
const schedule: fc.Arbitrary<Schedule> = fc.record({ initial: initialCarts, operations: fc.array(operation, { minLength: 10, maxLength: 40 }) });

// ---------------------------------------------------------------- the sequential model

interface ModelCart {
  account: string[];
  customer: string[];
}
type Model = Map<CartId, ModelCart>;

/** Carol owns demo-cart-carol in the fixtures, which no schedule touches. */
const fixtureCartsOf = (customer: string) => fixtures.carts.filter((c) => c.customer_ids.includes(customer)).length;

/** What BEHAVIOR.md's rules answer to `op` in `model`, applying its effect. */
function apply(model: Model, op: Operation): number {
  const current = model.get(op.cart);
  switch (op.kind) {
    case 'create':
      if (current) return 409;
      model.set(op.cart, { account: [], customer: [] });
      return 201;
    case 'delete': {
      if (!current) return 404;
      const cartsOf = (customer: string) => [...model.values()].filter((c) => c.customer.includes(customer)).length + fixtureCartsOf(customer);
      if (current.customer.some((customer) => cartsOf(customer) <= 1)) return 400; // Last cart
      model.delete(op.cart);
      return 204;
    }
    case 'associate': {
      if (!current) return 404; // row 11
      const list = current[op.shopper];
      if (op.shopper === 'account' && list.length > 0 && list[0] !== op.id) return 403; // row 14
      const unowned = current.account.length === 0 && current.customer.length === 0;
      if (op.asShopper && !unowned && !list.includes(op.id)) return 403; // row 14b
      if (list.includes(op.id)) return 204; // row 15
      list.push(op.id); // row 16
      return 200;
    }
    case 'dissociate':
      if (!current) return 404;
      current[op.shopper] = current[op.shopper].filter((id) => id !== op.id);
      return 204; // rows 17–18
  }
}

// ---------------------------------------------------------------- the storm

const requestOf = new AsyncLocalStorage<number>();
/** The requests of the running storm, by index, in the order their changes committed. */
let order: number[] = [];

/** A store that notes, as each change commits, which request of the storm made it; `inner` may be swapped. */
class CommitOrder implements Store {
  constructor(public inner: Store) {}
  get directory() {
    return this.inner.directory;
  }
  get tokenSecret() {
    return this.inner.tokenSecret;
  }
  cart(id: string) {
    return this.inner.cart(id);
  }
  page(query: Parameters<Store['page']>[0]) {
    return this.inner.page(query);
  }
  change<T>(mutation: (carts: CartWriter) => T): Promise<T> {
    return this.inner.change((carts) => {
      const request = requestOf.getStore();
      if (request !== undefined) order.push(request);
      return mutation(carts);
    });
  }
  settled() {
    return this.inner.settled();
  }
  snapshot() {
    return this.inner.snapshot();
  }
  readiness() {
    return this.inner.readiness();
  }
  replace(data: Parameters<Store['replace']>[0]) {
    return this.inner.replace(data);
  }
  close() {
    return this.inner.close();
  }
}

const store = new CommitOrder(new MemoryStore(completeState(fixtures, new Date().toISOString())));
const stub = await startTestStub({ store });
afterAll(() => stub.close());

function requestFor(op: Operation) {
  if (op.kind === 'create') return { method: 'POST' as const, url: '/v2/carts', headers: auth.cc, json: { data: { id: op.cart, name: op.cart } } };
  if (op.kind === 'delete') return { method: 'DELETE' as const, url: `/v2/carts/${op.cart}`, headers: auth.cc };
  const headers = op.asShopper ? { ...auth.implicit, ...SHOPPER_TOKENS[op.id] } : auth.cc;
  return {
    method: op.kind === 'associate' ? ('POST' as const) : ('DELETE' as const),
    url: `/v2/carts/${op.cart}/relationships/${op.shopper}s`,
    headers,
    json: { data: [{ type: op.shopper, id: op.id }] },
  };
}

interface Schedule {
  initial: CartId[];
  operations: Operation[];
}

/** Runs one schedule against `inner` and checks it; returns the model's final carts. */
async function storm(inner: Store, { initial, operations }: Schedule): Promise<Model> {
  store.inner = inner;
  order = [];
  const state: FixtureData = { ...fixtures, carts: [...fixtures.carts, ...initial.map((id) => ({ id }))] };
  await store.replace(completeState(state, new Date().toISOString()));
  const statuses = await Promise.all(operations.map((op, i) => requestOf.run(i, () => stub.request(requestFor(op)).then((r) => r.statusCode))));

  // Each request committed exactly once; replaying them in that order gives the same answers.
  expect([...order].sort((a, b) => a - b)).toEqual(operations.map((_, i) => i));
  const model: Model = new Map(initial.map((id) => [id, { account: [], customer: [] }]));
  const replayed = new Map(order.map((i) => [i, apply(model, operations[i]!)]));
  operations.forEach((op, i) => expect(statuses[i], `request ${i} (committed ${order.indexOf(i) + 1}th): ${JSON.stringify(op)}`).toBe(replayed.get(i)));

  expectCarts(inner, model);
  expect(invariantViolations(inner)).toEqual([]);
  return model;
}

/** The store's race carts are the model's: the same carts, with the same owners in the same order. */
function expectCarts(store: Store, model: Model): void {
  for (const id of CARTS) {
    const stored = store.cart(id);
    const modelled = model.get(id);
    expect(stored && { account: stored.account_ids, customer: stored.customer_ids }, id).toEqual(modelled);
  }
}

describe('concurrent associate, dissociate, create and delete storms on four carts', () => {
  it('every answer is what the rules give when the requests are replayed in the order they committed (memory store)', async () => {
    const memory = new MemoryStore(completeState(fixtures, new Date().toISOString()));
    await fc.assert(
      fc.asyncProperty(schedule, async (generated) => {
        await storm(memory, generated);
      }),
      { seed: 20_260_707, numRuns: 60 },
    );
  });

  it('with the file store, the same holds, and a restart reads back exactly the modelled carts', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(schedule, async (generated) => {
        const dataFile = join(dir, `race-${++run}.json`);
        const options = {
          seed: () => completeState(fixtures, new Date().toISOString()),
          readState: (value: unknown) => completeState(value as FixtureData, new Date().toISOString()),
        };
        const file = await FileStore.open(dataFile, options);
        const model = await storm(file, generated);
        await file.close();
        const restarted = await FileStore.open(dataFile, options);
        try {
          expectCarts(restarted, model);
        } finally {
          await restarted.close();
        }
      }),
      { seed: 20_260_707, numRuns: 6 },
    );
  });
});
