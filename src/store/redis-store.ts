import { randomBytes, randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import type { ClockState, StubClock } from '../clock.js';
import { StubError } from '../domain/errors.js';
import type { Cart, StubData } from '../domain/model.js';
import { MemoryStore } from './memory-store.js';
import { sandboxLimitReached } from '../sandbox/sandboxes.js';
import { cartLimitReached } from './cart-index.js';
import { DEFAULT_REDIS_PREFIX, redacted, redisKeys, sandboxKeys, type RedisKeys } from './redis-keys.js';
import type { CartWriter, PageQuery, Store, StoreReadiness } from './store.js';

/** How many of the latest changes Redis keeps for instances to catch up from; one further behind reloads it all. */
const CHANGES_KEPT = 10_000;

export interface RedisStoreOptions {
  /** `redis://[user:password@]host:port/db`, or `rediss://` for TLS: Redis or Valkey. */
  url: string;
  /** Put before every key, so that several stubs can share one server. Default `ep-cart-stub:`. */
  prefix?: string;
  /** The state an empty server is seeded with. */
  seed: () => StubData;
  /** Checks a state read from the server, naming `origin` in its errors, and completes it. */
  readState: (value: unknown, origin: string) => StubData;
  /** The stub's clock: every instance on the server shares where it stands. */
  clock: StubClock;
  /** A command unanswered this long fails its request with a 503. Default 2000 ms. */
  commandTimeoutMs?: number;
  /** How long the start waits for the server. Default 5000 ms. */
  connectTimeoutMs?: number;
}

interface QueuedChange {
  mutation: (carts: CartWriter) => unknown;
  resolve(result: unknown): void;
  reject(error: unknown): void;
}

/** Thrown out of a change that reads a page while the batch before it wrote: it goes to the next batch. */
const READS_BEYOND_THE_BATCH = Symbol('reads beyond the batch');

/** One change as the server keeps it for other instances: the carts written whole, and the ids removed. */
interface Change {
  seq: number;
  put: Cart[];
  remove: string[];
}

/**
 * Seeds the server (mode `seed`, only where it holds no state) or replaces its state (mode `replace`).
 * KEYS: stateId seq carts directory changes. ARGV: mode, new state id, the directory's JSON, the lowest
 * sequence number the state may take, how long its keys live unused in ms (0: for ever), then each cart's id
 * and JSON. Answers the state's sequence number, 0 when a seed found state already there.
 */
const LOAD_SCRIPT = `
if ARGV[1] == 'seed' and redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('DEL', KEYS[3], KEYS[5])
for i = 6, #ARGV, 2 do redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1]) end
redis.call('SET', KEYS[4], ARGV[3])
redis.call('SET', KEYS[1], ARGV[2])
local floor = tonumber(ARGV[4])
if tonumber(redis.call('GET', KEYS[2]) or '0') < floor then redis.call('SET', KEYS[2], floor) end
local seq = redis.call('INCR', KEYS[2])
if tonumber(ARGV[5]) > 0 then for i = 1, 5 do redis.call('PEXPIRE', KEYS[i], ARGV[5]) end end
return seq`;

/**
 * Applies one change if the state is still the one it was decided on (the compare of compare-and-set).
 * KEYS: stateId seq carts changes. ARGV: state id, sequence number decided on, the change's JSON, how long
 * the keys live unused in ms (0: for ever), how many carts are put, their ids and JSON, then the ids removed.
 * Answers the new sequence number, 0 on a conflict.
 */
const COMMIT_SCRIPT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] or tonumber(redis.call('GET', KEYS[2]) or '0') ~= tonumber(ARGV[2]) then return 0 end
local puts = tonumber(ARGV[5])
for i = 6, 5 + 2 * puts, 2 do redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1]) end
for i = 6 + 2 * puts, #ARGV do redis.call('HDEL', KEYS[3], ARGV[i]) end
redis.call('RPUSH', KEYS[4], ARGV[3])
redis.call('LTRIM', KEYS[4], -${CHANGES_KEPT}, -1)
local seq = redis.call('INCR', KEYS[2])
-- A hash emptied by HDEL is deleted, and made anew without an expiry by the next HSET.
if tonumber(ARGV[4]) > 0 then for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], ARGV[4]) end end
return seq`;

/**
 * What changed since an instance's sequence number. KEYS: stateId seq changes clock carts directory
 * sandboxes. ARGV: the instance's state id and sequence number; for a sandbox, how long its keys live unused
 * in ms, its client id and the time now in ms (a use: its keys live on, and the list of sandboxes says when),
 * else 0. Answers the state id ('' when the server holds none), the sequence number, the clock's JSON (''
 * when it never moved), then either the changes since, in order, or 'reload' when they are no longer kept or
 * the state was replaced.
 */
const CATCH_UP_SCRIPT = `
local id = redis.call('GET', KEYS[1]) or ''
local seq = tonumber(redis.call('GET', KEYS[2]) or '0')
local reply = { id, seq, redis.call('GET', KEYS[4]) or '' }
if id == '' then return reply end
if tonumber(ARGV[3]) > 0 then
  for _, i in ipairs({ 1, 2, 3, 5, 6 }) do redis.call('PEXPIRE', KEYS[i], ARGV[3]) end
  redis.call('ZADD', KEYS[7], ARGV[5], ARGV[4])
end
if id ~= ARGV[1] then reply[4] = 'reload' return reply end
local behind = seq - tonumber(ARGV[2])
if behind <= 0 then return reply end
if behind > redis.call('LLEN', KEYS[3]) then reply[4] = 'reload' return reply end
for _, change in ipairs(redis.call('LRANGE', KEYS[3], -behind, -1)) do reply[#reply + 1] = change end
return reply`;

/**
 * Admits a new sandbox if fewer than the cap are alive: sandboxes unused for their idle time are no longer
 * counted (their keys have expired). KEYS: sandboxes. ARGV: the client id, now in ms, the idle time in ms, the
 * cap. Answers 1 when admitted, 0 at the cap.
 */
const ADMIT_SANDBOX_SCRIPT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[2]) - tonumber(ARGV[3]))
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return 1`;

/** The key tokens are signed with: the first instance's, kept. KEYS: tokenSecret. ARGV: a new key. */
const TOKEN_SECRET_SCRIPT = `
redis.call('SET', KEYS[1], ARGV[1], 'NX')
return redis.call('GET', KEYS[1])`;

/** An argument list, flattened by the client: a change of 100 000 carts would overflow the call stack as spread arguments. */
type Arguments = (string | number | (string | number)[])[];

interface Scripts {
  loadState(...args: Arguments): Promise<number>;
  commitChange(...args: Arguments): Promise<number>;
  catchUp(...args: Arguments): Promise<(string | number)[]>;
  keepTokenSecret(...args: Arguments): Promise<string>;
  admitSandbox(...args: Arguments): Promise<number>;
}

/** A visitor's sandbox (sandbox mode): its own state on the shared store's connection, gone once idle. */
export interface SandboxOfStore {
  clientId: string;
  /** Its keys expire after this long unused; the sandbox is then gone, its tokens with it. */
  idleMs: number;
  maxSandboxes: number;
  maxCarts: number;
  /** The state a new sandbox starts from: a fresh copy of the seed. */
  fresh: () => StubData;
}

/**
 * State on a Redis or Valkey server that several instances share, with a mirror of it in memory (a
 * MemoryStore) that reads are answered from.
 *
 * Every request that needs state first catches up (`refresh`): one script answers the changes other
 * instances made since the mirror's sequence number. So an instance answers what any instance acknowledged
 * before the request arrived. Concurrent requests share one catch-up that started after they arrived.
 *
 * A change runs its mutation on the mirror as caught up, into an overlay, and sends what it wrote with the
 * sequence number it decided on; the server applies it only if no other change came first (compare-and-set),
 * else the store catches up and runs the mutation again. So each behaviour-table decision is atomic across
 * instances: it was made on the state it is applied to. Changes are group-committed: one batch is sent at a
 * time, and the changes asked for meanwhile are decided one after the other into one overlay and sent as one
 * change, so that concurrent requests share a round trip (`npm run bench`, the Redis store's row). A change
 * is acknowledged once the server has applied it; how durable that is, is the server's configuration.
 *
 * Without the server, nothing is read or changed: requests are answered 503 (StateStoreUnavailable), the
 * store is not ready, and the client reconnects by itself.
 */
export class RedisStore implements Store {
  /** The state the mirror holds, and how far it is: only ever moves forward. */
  private stateId = '';
  private seq = 0;
  /** Batches and replaces run one after the other, each after the one before has settled. */
  private changes: Promise<unknown> = Promise.resolve();
  /** Changes waiting for the next batch, in the order they were asked for. */
  private queued: QueuedChange[] = [];
  /** The batch being decided, while it is. */
  private deciding: Overlay | undefined;
  /** Clock moves sent and not yet acknowledged: until then, the server's clock is older than this one's. */
  private clockWrites = new Set<Promise<unknown>>();
  private readonly catchUp: Coalesced;
  /** Why the last command failed, until one succeeds or the client reconnects; undefined while all is well. */
  private failure: string | undefined;
  private probe: NodeJS.Timeout | undefined;
  private tokenKey = '';

  private constructor(
    private readonly client: Redis & Scripts,
    private readonly keys: RedisKeys,
    private readonly where: string,
    private readonly mirror: MemoryStore,
    private readonly options: RedisStoreOptions,
    /** Set for a sandbox's store; the shared store's is undefined. */
    private readonly sandboxed?: SandboxOfStore,
  ) {
    this.catchUp = new Coalesced(() => this.catchUpNow(true));
    // The shared store answers for the connection's health (readiness); a sandbox's store only uses it.
    if (!sandboxed) client.on('ready', () => this.recovered());
  }

  /** Connects, seeds a server that holds no state, and loads the state. Fails naming the server when it cannot be reached. */
  static async open(options: RedisStoreOptions): Promise<RedisStore> {
    const where = redacted(options.url);
    const client = new Redis(options.url, clientOptions(options)) as Redis & Scripts;
    const lastError: { message?: string } = {};
    client.on('error', (error: Error) => (lastError.message = error.message));
    try {
      await connected(client, options.connectTimeoutMs ?? 5000, lastError);
    } catch (error) {
      client.disconnect();
      throw new Error(`cannot reach the state store at ${where}: ${(error as Error).message}`);
    }
    client.defineCommand('loadState', { numberOfKeys: 5, lua: LOAD_SCRIPT });
    client.defineCommand('commitChange', { numberOfKeys: 4, lua: COMMIT_SCRIPT });
    client.defineCommand('catchUp', { numberOfKeys: 7, lua: CATCH_UP_SCRIPT });
    client.defineCommand('keepTokenSecret', { numberOfKeys: 1, lua: TOKEN_SECRET_SCRIPT });
    client.defineCommand('admitSandbox', { numberOfKeys: 1, lua: ADMIT_SANDBOX_SCRIPT });
    const seed = options.seed();
    const store = new RedisStore(client, redisKeys(options.prefix ?? DEFAULT_REDIS_PREFIX), where, new MemoryStore(seed), options);
    try {
      await store.load('seed', seed, 0);
      await store.reload();
      store.tokenKey = await client.keepTokenSecret(store.keys.tokenSecret, randomBytes(32).toString('hex'));
    } catch (error) {
      client.disconnect();
      throw error;
    }
    options.clock.onMove = (state) => store.publishClock(state);
    return store;
  }

  /** The connection, for what else keeps its state with this store's (the rate limit in sandbox mode). */
  get connection(): Redis {
    return this.client;
  }

  /**
   * A visitor's sandbox: a store of its own keys on this store's connection, starting as `fresh()` the first
   * time it is caught up, if fewer than `maxSandboxes` are alive.
   */
  sandbox(sandbox: SandboxOfStore): RedisStore {
    const keys = sandboxKeys(this.options.prefix ?? DEFAULT_REDIS_PREFIX, sandbox.clientId);
    return new RedisStore(this.client, keys, this.where, new MemoryStore(sandbox.fresh()), this.options, sandbox);
  }

  /**
   * When the state on the server was made (stub clock, epoch ms): a sandbox's tokens issued before it belong
   * to one evicted since. Undefined while the server holds none (known from the latest catch-up).
   */
  get createdAt(): number | undefined {
    return this.stateId === '' ? undefined : Number(this.stateId.slice(0, this.stateId.indexOf('.')));
  }

  get directory() {
    return this.mirror.directory;
  }

  /** Kept on the server: every instance signs and accepts the same tokens, across restarts. */
  get tokenSecret(): string {
    return this.tokenKey;
  }

  cart(id: string) {
    return this.mirror.cart(id);
  }

  page(query: PageQuery) {
    // Pages are the mirror's, which the changes decided before in the same batch are not in yet: a change
    // that reads one (deleting a cart counts its owner's) waits for the next batch, where it is first.
    if (this.deciding && this.deciding.written.size > 0) throw READS_BEYOND_THE_BATCH;
    return this.mirror.page(query);
  }

  snapshot(): StubData {
    return this.mirror.snapshot();
  }

  /** Brings the mirror up to every change acknowledged before the call, by any instance. */
  refresh(): Promise<void> {
    return this.catchUp.run();
  }

  /** As `refresh`, but a state the server does not hold (a sandbox evicted, or never made) is not made. */
  refreshIfPresent(): Promise<void> {
    return this.catchUpNow(false);
  }

  change<T>(mutation: (carts: CartWriter) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queued.push({ mutation, resolve: resolve as (result: unknown) => void, reject });
      // The first change queued asks for a batch; every change queued until that batch starts joins it.
      if (this.queued.length === 1) void this.serially(() => this.commitQueued());
    });
  }

  /** Answers wait for the clock moves they made to be shared. */
  settled(): Promise<void> {
    if (this.clockWrites.size === 0) return Promise.resolve();
    return Promise.all(this.clockWrites).then(() => undefined);
  }

  replace(data: StubData): Promise<void> {
    return this.serially(() => this.load('replace', data, this.seq));
  }

  readiness(): StoreReadiness {
    if (this.client.status === 'ready' && this.failure === undefined) return { ready: true };
    return {
      ready: false,
      detail: `the state store at ${this.where} cannot be reached (${this.failure ?? this.client.status}): requests that need state are answered 503 until it can (the stub keeps trying)`,
    };
  }

  async close(): Promise<void> {
    clearTimeout(this.probe);
    await this.changes;
    // A sandbox's store shares the connection and the clock of the shared store, which closes them.
    if (this.sandboxed) return;
    this.options.clock.onMove = undefined;
    await this.settled().catch(() => undefined);
    await this.client.quit().catch(() => this.client.disconnect());
  }

  private serially<T>(task: () => Promise<T>): Promise<T> {
    const done = this.changes.then(task);
    this.changes = done.catch(() => undefined);
    return done;
  }

  /** Takes every change queued so far as one batch: the next batch is asked for by the next change queued. */
  private async commitQueued(): Promise<void> {
    const batch = this.queued;
    this.queued = [];
    await this.commitBatch(batch);
  }

  /**
   * Decides each change of the batch in order, each on the state the ones before it left, and sends what
   * they wrote as one change: one round trip for all of them. A change that fails its rule writes nothing.
   * No answer, a refusal neither, is given before the batch is applied: on a conflict every change of it is
   * decided again on the state as it is now, since a refusal too may rest on what the changes before it wrote.
   */
  private async commitBatch(batch: QueuedChange[]): Promise<void> {
    for (;;) {
      const overlay = new Overlay(this.mirror, this.sandboxed?.maxCarts);
      const outcomes: { queued: QueuedChange; settle: () => void }[] = [];
      this.deciding = overlay;
      try {
        for (const [i, queued] of batch.entries()) {
          const attempt = new Overlay(overlay, this.sandboxed?.maxCarts);
          try {
            const result = queued.mutation(attempt);
            outcomes.push({ queued, settle: () => queued.resolve(result) });
            overlay.absorb(attempt);
          } catch (error) {
            if (error === READS_BEYOND_THE_BATCH) {
              this.requeue(batch.slice(i));
              break;
            }
            outcomes.push({ queued, settle: () => queued.reject(error) });
          }
        }
      } finally {
        this.deciding = undefined;
      }
      const settleAll = () => outcomes.forEach(({ settle }) => settle());
      if (overlay.written.size === 0) return settleAll();
      const decidedOn = { stateId: this.stateId, seq: this.seq };
      const change: Change = { seq: decidedOn.seq + 1, put: [], remove: [] };
      const args: (string | number)[] = [];
      const putJson: string[] = [];
      for (const [id, cart] of overlay.written) {
        if (!cart) continue;
        const json = JSON.stringify(cart);
        change.put.push(cart), putJson.push(json), args.push(id, json);
      }
      for (const [id, cart] of overlay.written) if (!cart) change.remove.push(id), args.push(id);
      // The change's JSON holds each cart's JSON as written for the hash: each cart is serialized once.
      const changeJson = `{"seq":${change.seq},"put":[${putJson.join(',')}],"remove":${JSON.stringify(change.remove)}}`;
      const { carts, changes, seq, stateId } = this.keys;
      batch = outcomes.map(({ queued }) => queued);
      try {
        const applied = await this.command(() =>
          this.client.commitChange(stateId, seq, carts, changes, decidedOn.stateId, decidedOn.seq, changeJson, this.idleMs, change.put.length, args),
        );
        if (applied !== 0) {
          // A catch-up that ran meanwhile may have brought this change already, and more after it.
          if (this.stateId === decidedOn.stateId && this.seq === decidedOn.seq) this.apply(change);
          return settleAll();
        }
        // Another instance changed the state first: decide again on the state as it is now.
        await this.catchUpNow(true);
      } catch (error) {
        for (const queued of batch) queued.reject(error);
        return;
      }
    }
  }

  /** Changes put back at the head of the queue, to be decided in the next batch. */
  private requeue(changes: QueuedChange[]): void {
    const wasEmpty = this.queued.length === 0;
    this.queued.unshift(...changes);
    if (wasEmpty) void this.serially(() => this.commitQueued());
  }

  /** How long a sandbox's keys live unused; 0, for ever, for the shared store's. */
  private get idleMs(): number {
    return this.sandboxed?.idleMs ?? 0;
  }

  private async catchUpNow(create: boolean): Promise<void> {
    const { stateId, seq, changes, clock, carts, directory, sandboxes } = this.keys;
    const use = this.sandboxed ? [this.idleMs, this.sandboxed.clientId, Date.now()] : [0, '', 0];
    const [id, latest, clockJson, ...rest] = await this.command(() =>
      this.client.catchUp(stateId, seq, changes, clock, carts, directory, sandboxes, this.stateId, this.seq, use),
    );
    // The clock is the shared store's; a sandbox's keys hold none.
    if (!this.sandboxed && clockJson !== '' && this.clockWrites.size === 0) this.options.clock.adopt(JSON.parse(String(clockJson)) as ClockState);
    if (id === '') {
      if (create) return this.reseed();
      this.stateId = '';
      return;
    }
    if (rest[0] === 'reload' || id !== this.stateId) return this.reload();
    // The changes are the latest ones, in order: those the mirror already has (its own, applied as their
    // commit was answered) are known by their place, without parsing a cart.
    const first = Number(latest) - rest.length + 1;
    for (const [i, text] of rest.entries()) {
      if (first + i <= this.seq) continue;
      const change = JSON.parse(String(text)) as Change;
      if (change.seq !== this.seq + 1) return this.reload();
      this.apply(change);
    }
  }

  /**
   * The server lost its state (restarted without persistence, or flushed): it gets this instance's, the
   * newest this instance knew, with its token key and clock, unless another instance was quicker.
   */
  private async reseed(): Promise<void> {
    if (this.sandboxed) return this.makeSandbox(this.sandboxed);
    await this.load('seed', this.mirror.snapshot(), this.seq);
    await this.command(() => this.client.keepTokenSecret(this.keys.tokenSecret, this.tokenKey));
    await this.command(() => this.client.set(this.keys.clock, JSON.stringify(this.options.clock.state()), 'NX'));
    await this.reload();
  }

  /** A sandbox never made, or evicted: a fresh one, if the cap admits it. */
  private async makeSandbox({ clientId, idleMs, maxSandboxes, fresh }: SandboxOfStore): Promise<void> {
    const admitted = await this.command(() => this.client.admitSandbox(this.keys.sandboxes, clientId, Date.now(), idleMs, maxSandboxes));
    if (admitted === 0) throw sandboxLimitReached(maxSandboxes, idleMs);
    await this.load('seed', fresh(), this.seq);
    await this.reload();
  }

  private apply(change: Change): void {
    void this.mirror.change((carts) => {
      for (const cart of change.put) carts.put(cart);
      for (const id of change.remove) carts.remove(id);
    });
    this.seq = change.seq;
  }

  /** Reads the whole state in one transaction, and takes it if it is newer than the mirror's. */
  private async reload(): Promise<void> {
    const { stateId, seq, directory, carts } = this.keys;
    const replies = await this.command(() => this.client.multi().get(stateId).get(seq).get(directory).hgetall(carts).exec());
    const [id, latest, directoryJson, cartsById] = (replies ?? []).map(([error, value]) => {
      if (error) throw error;
      return value;
    }) as [string | null, string | null, string | null, Record<string, string>];
    const at = Number(latest ?? 0);
    if (id === null || directoryJson === null) return;
    if (id === this.stateId && at <= this.seq) return;
    const state = { ...(JSON.parse(directoryJson) as object), carts: Object.values(cartsById).map((text) => JSON.parse(text) as unknown) };
    await this.mirror.replace(this.options.readState(state, `the state at ${this.where}`));
    this.stateId = id;
    this.seq = at;
  }

  /** Writes a whole state: a seed only where there is none, a replace over whatever is there. */
  private async load(mode: 'seed' | 'replace', data: StubData, floor: number): Promise<void> {
    // Begins with when it was made: see createdAt.
    const id = `${this.options.clock.now()}.${randomUUID()}`;
    const { carts: _carts, ...directory } = data;
    const args: string[] = [];
    for (const cart of data.carts) args.push(cart.id, JSON.stringify(cart));
    const { stateId, seq, carts, changes } = this.keys;
    const at = await this.command(() =>
      this.client.loadState(stateId, seq, carts, this.keys.directory, changes, mode, id, JSON.stringify(directory), floor, this.idleMs, args),
    );
    if (at === 0) return;
    await this.mirror.replace(data);
    this.stateId = id;
    this.seq = at;
  }

  private publishClock(state: ClockState): void {
    const write = this.command(() => this.client.set(this.keys.clock, JSON.stringify(state)));
    this.clockWrites.add(write);
    const forget = () => this.clockWrites.delete(write);
    write.then(forget, forget);
  }

  /** Runs a command; a failure of the server answers the request 503 and makes the store unready until one succeeds. */
  private async command<T>(send: () => Promise<T>): Promise<T> {
    try {
      const reply = await send();
      if (this.failure !== undefined) this.recovered();
      return reply;
    } catch (error) {
      const reason = (error as Error).message;
      if (!this.sandboxed) {
        this.failure = reason;
        this.probeLater();
      }
      throw new StubError('StateStoreUnavailable', {
        detail: `The state store at ${this.where} did not answer (${reason}), so nothing was read or changed; the stub reconnects by itself`,
      });
    }
  }

  private recovered(): void {
    this.failure = undefined;
    clearTimeout(this.probe);
    this.probe = undefined;
  }

  /** While the server fails, readiness comes back by itself: a probe that takes the stub out of service would not send the request that shows it. */
  private probeLater(): void {
    if (this.probe) return;
    this.probe = setTimeout(() => {
      this.probe = undefined;
      this.command(() => this.client.ping()).catch(() => undefined);
    }, 1000).unref();
  }
}

/**
 * The mutation's view of the carts: the mirror's, under what it wrote so far, which the mirror does not see
 * until the server took it. `capacity` caps the carts (a sandbox's), as the in-memory store's index does.
 */
class Overlay implements CartWriter {
  /** Each cart written, by id: the cart, or null when removed. */
  readonly written = new Map<string, Cart | null>();
  size: number;

  constructor(
    private readonly under: Pick<MemoryStore, 'cart' | 'size'>,
    private readonly capacity = Number.POSITIVE_INFINITY,
  ) {
    this.size = under.size;
  }

  /** Takes what an overlay over this one wrote. */
  absorb(over: Overlay): void {
    for (const [id, cart] of over.written) this.written.set(id, cart);
    this.size = over.size;
  }

  cart(id: string): Cart | undefined {
    const written = this.written.get(id);
    return written === undefined ? this.under.cart(id) : (written ?? undefined);
  }

  put(cart: Cart): void {
    if (this.cart(cart.id) === undefined) {
      if (this.size >= this.capacity) throw cartLimitReached(this.capacity);
      this.size += 1;
    }
    this.written.set(cart.id, cart);
  }

  remove(id: string): void {
    if (this.cart(id) === undefined) return;
    this.written.set(id, null);
    this.size -= 1;
  }
}

/** One run of `task` at a time; everyone who asks while one runs shares the next, which starts after they asked. */
class Coalesced {
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  constructor(private readonly task: () => Promise<void>) {}

  run(): Promise<void> {
    if (this.next) return this.next;
    if (!this.running) return this.start();
    const next = this.running.then(
      () => this.startNext(),
      () => this.startNext(),
    );
    this.next = next;
    return next;
  }

  private startNext(): Promise<void> {
    this.next = undefined;
    return this.start();
  }

  private start(): Promise<void> {
    const running = this.task();
    this.running = running;
    const finished = () => {
      if (this.running === running) this.running = undefined;
    };
    running.then(finished, finished);
    return running;
  }
}

/**
 * Fail fast rather than queue: a request waits for the server at most `commandTimeoutMs`, and nothing sent
 * while it is away is sent later behind the answer's back. Reconnects for ever, backing off to 2 s.
 */
function clientOptions({ commandTimeoutMs = 2000 }: RedisStoreOptions): RedisOptions {
  return {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: commandTimeoutMs,
    connectTimeout: commandTimeoutMs,
    retryStrategy: (times) => Math.min(times * 100, 2000),
    lazyConnect: false,
  };
}

/** Resolves once the client is ready; rejects with the last connection error after `timeoutMs`. */
function connected(client: Redis, timeoutMs: number, lastError: { message?: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new Error(lastError.message ?? `no answer in ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', onReady);
  });
}
