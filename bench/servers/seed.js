/**
 * Bench data, added to the bundled fixtures through the Store interface (`change`), so the same code seeds
 * the in-memory store, the file store and the Redis store. Acme (a fixture account) is the account every bench cart is
 * associated with; `demo-alice-acme-token` (a pinned fixture token) lists its carts.
 */
export const BENCH_ACCOUNT = 'a0000000-0000-4000-8000-000000000001';

/** Carts per change: see seedCarts. */
const SEED_CHUNK = 10_000;

/**
 * `empty` carts `bench-0 … bench-(empty-1)` nobody owns, for new associations; then `owned` carts
 * `owned-0 …` associated with the bench account, for listings. Each cart gets its own timestamp string,
 * as carts written one by one would.
 * @param {import('../../dist/index.js').Store} store
 * @param {{ empty: number, owned: number }} counts
 */
export async function seedCarts(store, { empty, owned }) {
  const start = Date.now() - (empty + owned);
  let at = 0;
  const cart = (id, accountIds) => {
    const stamp = new Date(start + at++).toISOString();
    return {
      id,
      name: 'Cart',
      description: '',
      discount_settings: {},
      account_ids: accountIds,
      customer_ids: [],
      created_at: stamp,
      updated_at: stamp,
    };
  };
  const all = [];
  for (let i = 0; i < empty; i++) all.push(cart(`bench-${i}`, []));
  for (let i = 0; i < owned; i++) all.push(cart(`owned-${i}`, [BENCH_ACCOUNT]));
  // In changes of SEED_CHUNK carts: one change of 100 000 carts is one Redis script that outlasts the Redis
  // store's 2 s command timeout on a core shared with the stub.
  for (let from = 0; from < all.length; from += SEED_CHUNK) {
    await store.change((carts) => {
      for (const one of all.slice(from, from + SEED_CHUNK)) carts.put(one);
    });
  }
}

/** `--name value` pairs of the command line. */
export function options(argv = process.argv.slice(2)) {
  const parsed = {};
  for (let i = 0; i < argv.length; i += 2) parsed[argv[i].replace(/^--/, '')] = argv[i + 1];
  return parsed;
}
