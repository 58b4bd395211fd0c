import { appendFileSync, constants, copyFileSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_FIXTURES_PATH, loadFixtures } from '../src/fixtures.js';
import { FileStore } from '../src/store/file-store.js';
import { auth, ids, startTestStub, type TestStub } from './support/stub.js';

const dir = mkdtempSync(join(tmpdir(), 'ep-cart-stub-persistence-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const newDataFile = () => join(dir, `data-${++files}.json`);

const associate = (stub: TestStub, kind: 'account' | 'customer', cartId: string, id: string) =>
  stub.request({
    method: 'POST',
    url: `/v2/carts/${cartId}/relationships/${kind}s`,
    headers: auth.cc,
    json: { data: [{ type: kind, id }] },
  });
const createCart = (stub: TestStub, id: string) =>
  stub.request({ method: 'POST', url: '/v2/carts', headers: auth.cc, json: { data: { id, name: id } } });
const getCart = (stub: TestStub, id: string) => stub.request({ method: 'GET', url: `/v2/carts/${id}`, headers: auth.cc });
const accountsOf = async (stub: TestStub, id: string) => (await getCart(stub, id)).data.data.relationships.accounts?.data;

/** A file store answers one association 200; a copy of its two files as they are then is what a crash would leave. */
async function filesLeftByACrash(): Promise<string> {
  const dataFile = newDataFile();
  const stub = await startTestStub({ dataFile });
  expect((await associate(stub, 'account', 'demo-cart-2', ids.globex)).statusCode).toBe(200);
  const crashed = newDataFile();
  copyFileSync(dataFile, crashed);
  copyFileSync(`${dataFile}.log`, `${crashed}.log`);
  await stub.close();
  return crashed;
}

describe('a file-backed stub keeps its state across restarts', () => {
  it('a restarted stub finds every association made before the restart', async () => {
    const dataFile = newDataFile();
    const before = await startTestStub({ dataFile });
    expect((await associate(before, 'account', 'demo-cart-empty', ids.acme)).statusCode).toBe(200);
    expect((await createCart(before, 'persisted-cart')).statusCode).toBe(201);
    expect((await associate(before, 'customer', 'persisted-cart', ids.carol)).statusCode).toBe(200);
    expect((await associate(before, 'customer', 'persisted-cart', ids.dave)).statusCode).toBe(200);
    const dissociated = await before.request({
      method: 'DELETE',
      url: '/v2/carts/demo-cart-acme/relationships/accounts',
      headers: auth.cc,
      json: { data: [{ type: 'account', id: ids.acme }] },
    });
    expect(dissociated.statusCode).toBe(204);
    await before.close();

    const after = await startTestStub({ dataFile });
    expect(await accountsOf(after, 'demo-cart-empty')).toEqual([{ type: 'account', id: ids.acme }]);
    expect((await getCart(after, 'persisted-cart')).data.data.relationships.customers.data).toEqual([
      { type: 'customer', id: ids.carol },
      { type: 'customer', id: ids.dave },
    ]);
    expect(await accountsOf(after, 'demo-cart-acme')).toBeUndefined();
    expect((await associate(after, 'account', 'demo-cart-empty', ids.acme)).statusCode).toBe(204);
    await after.close();
  });

  it('a change answered 2xx is already written to the log, and a copy of the files taken then replays it', async () => {
    const crashed = await filesLeftByACrash();
    expect(readFileSync(`${crashed}.log`, 'utf8')).toContain(ids.globex);

    const restarted = await startTestStub({ dataFile: crashed });
    expect(await accountsOf(restarted, 'demo-cart-2')).toEqual([{ type: 'account', id: ids.globex }]);
    await restarted.close();
  });

  it('a torn last log line, cut short by a crash before it was acknowledged, is dropped on start', async () => {
    const crashed = await filesLeftByACrash();
    appendFileSync(`${crashed}.log`, '{"put":{"id":"demo-cart-empty","account_ids":["a0000000-0000-4');

    const restarted = await startTestStub({ dataFile: crashed });
    expect(await accountsOf(restarted, 'demo-cart-2')).toEqual([{ type: 'account', id: ids.globex }]);
    expect(await accountsOf(restarted, 'demo-cart-empty')).toBeUndefined();
    await restarted.close();
  });

  it('a clean close leaves the whole state in the data file and an empty log', async () => {
    const dataFile = newDataFile();
    const stub = await startTestStub({ dataFile });
    await associate(stub, 'account', 'demo-cart-empty', ids.initech);
    await stub.close();
    expect(statSync(`${dataFile}.log`).size).toBe(0);
    const content = JSON.parse(readFileSync(dataFile, 'utf8'));
    expect(content).toMatchObject({ format: 'ep-cart-stub', version: 1 });
    expect(content.state.carts.find((cart: { id: string }) => cart.id === 'demo-cart-empty').account_ids).toEqual([ids.initech]);
  });

  it('a state loaded with PUT /__stub/state survives a restart', async () => {
    const dataFile = newDataFile();
    const stub = await startTestStub({ dataFile });
    const fixtures = JSON.parse(readFileSync(DEFAULT_FIXTURES_PATH, 'utf8'));
    const loaded = await stub.request({ method: 'PUT', url: '/__stub/state', json: { ...fixtures, carts: [{ id: 'only-cart' }] } });
    expect(loaded.statusCode).toBe(204);
    await stub.close();

    const restarted = await startTestStub({ dataFile });
    const state = await restarted.request({ method: 'GET', url: '/__stub/state' });
    expect(state.data.carts.map((cart: { id: string }) => cart.id)).toEqual(['only-cart']);
    await restarted.close();
  });
});

describe('a data file that is not the stub\'s stops the start and is left untouched', () => {
  it.each([
    ['not valid JSON', '{"format": "ep-cart-stub", "version": 1, "state": {', /is not valid JSON/],
    ['JSON of another program', '{"users": [{"name": "someone"}]}', /is not an ep-cart-stub data file/],
    ['a later version of the format', '{"format": "ep-cart-stub", "version": 99, "state": {}}', /version 99 of the data file format/],
    ['state that breaks the schema', '{"format": "ep-cart-stub", "version": 1, "state": {"carts": [{}]}}', /does not hold valid stub state/],
  ])('a data file holding %s', async (_, text, message) => {
    const dataFile = newDataFile();
    writeFileSync(dataFile, text);
    const error = await startTestStub({ dataFile }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(message);
    expect(error?.message).toContain(dataFile);
    expect(readFileSync(dataFile, 'utf8')).toBe(text);
  });

  it('a log with a damaged line before its last stops the start and names the line', async () => {
    const dataFile = newDataFile();
    await (await startTestStub({ dataFile })).close();
    const log = '{"remove":"demo-cart-2"}\nnot json\n{"remove":"demo-cart-empty"}\n';
    writeFileSync(`${dataFile}.log`, log);
    await expect(startTestStub({ dataFile })).rejects.toThrow(`${dataFile}.log line 2 is damaged`);
    expect(readFileSync(`${dataFile}.log`, 'utf8')).toBe(log);
  });
});

/** The open flags of this process's descriptor for `path`, as Linux shows them in /proc/self/fdinfo. */
function openFlags(path: string): number {
  const fd = readdirSync('/proc/self/fd').find((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false; // a descriptor closed while the list was read
    }
  });
  if (fd === undefined) throw new Error(`${path} is not open`);
  return parseInt(/^flags:\s*(\d+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))![1]!, 8);
}

// Reads the log's open flags from Linux's /proc, as on every machine this project runs on.
describe('fsync', () => {
  it('with fsync the log takes synchronous writes (O_SYNC), so a change is on the disk before its answer; without, it does not', async () => {
    for (const fsync of [true, false]) {
      const dataFile = newDataFile();
      const stub = await startTestStub({ dataFile, fsync });
      expect((await associate(stub, 'account', 'demo-cart-2', ids.globex)).statusCode).toBe(200);
      expect(openFlags(`${dataFile}.log`) & constants.O_SYNC, `fsync: ${fsync}`).toBe(fsync ? constants.O_SYNC : 0);
      await stub.close();
    }
  });
});

describe('group commit', () => {
  it('200 concurrent association writes cause at most a tenth as many log syncs, and no snapshot', async () => {
    const carts = Array.from({ length: 200 }, (_, i) => ({ id: `burst-${i}` }));
    const fixtures = JSON.parse(readFileSync(DEFAULT_FIXTURES_PATH, 'utf8'));
    const fixturesFile = join(dir, 'burst-fixtures.json');
    writeFileSync(fixturesFile, JSON.stringify({ ...fixtures, carts }));
    const stub = await startTestStub({ dataFile: newDataFile(), fixturesFile });
    const store = stub.store as FileStore;
    const before = { ...store.writes };

    const responses = await Promise.all(carts.map(({ id }) => associate(stub, 'account', id, ids.acme)));

    expect(responses.every((response) => response.statusCode === 200)).toBe(true);
    const logSyncs = store.writes.logSyncs - before.logSyncs;
    console.info(`200 concurrent writes → ${logSyncs} log syncs`);
    expect(logSyncs).toBeGreaterThan(0);
    expect(logSyncs).toBeLessThanOrEqual(20);
    expect(store.writes.snapshots).toBe(before.snapshots);
    await stub.close();
  });

  it('the log is compacted into the data file once it outgrows it, and nothing is lost', async () => {
    const dataFile = newDataFile();
    const seed = await loadFixtures();
    const store = await FileStore.open(dataFile, { seed: () => seed, readState: () => seed, compactAfterBytes: 0 });
    const snapshotsAtStart = store.writes.snapshots;
    for (let i = 0; i < 40; i++) {
      await store.change((carts) => carts.put({ ...seed.carts[0]!, id: `compacted-${i}` }));
    }
    expect(store.writes.snapshots).toBeGreaterThan(snapshotsAtStart);
    const dataFileSize = statSync(dataFile).size;
    expect(statSync(`${dataFile}.log`).size).toBeLessThanOrEqual(dataFileSize + 400);
    await store.close();

    const reopened = await FileStore.open(dataFile, {
      seed: () => seed,
      readState: (value) => value as typeof seed,
    });
    expect(Array.from({ length: 40 }, (_, i) => reopened.cart(`compacted-${i}`)?.id)).toEqual(
      Array.from({ length: 40 }, (_, i) => `compacted-${i}`),
    );
    await reopened.close();
  });
});

describe('fixtures', () => {
  it('a file store starts from the fixtures only when it is empty', async () => {
    const dataFile = newDataFile();
    const fixtures = JSON.parse(readFileSync(DEFAULT_FIXTURES_PATH, 'utf8'));
    const first = join(dir, 'first-fixtures.json');
    const second = join(dir, 'second-fixtures.json');
    writeFileSync(first, JSON.stringify({ ...fixtures, carts: [{ id: 'from-first' }] }));
    writeFileSync(second, JSON.stringify({ ...fixtures, carts: [{ id: 'from-second' }] }));

    await (await startTestStub({ dataFile, fixturesFile: first })).close();
    const restarted = await startTestStub({ dataFile, fixturesFile: second });
    const state = await restarted.request({ method: 'GET', url: '/__stub/state' });
    expect(state.data.carts.map((cart: { id: string }) => cart.id)).toEqual(['from-first']);
    await restarted.close();
  });

  it('fixture carts may leave out everything but their id', async () => {
    const fixtures = JSON.parse(readFileSync(DEFAULT_FIXTURES_PATH, 'utf8'));
    const fixturesFile = join(dir, 'bare-cart-fixtures.json');
    writeFileSync(fixturesFile, JSON.stringify({ ...fixtures, carts: [{ id: 'bare' }] }));
    const stub = await startTestStub({ fixturesFile });
    const cart = (await getCart(stub, 'bare')).data.data;
    expect(cart).toMatchObject({ id: 'bare', name: 'Cart', description: '', discount_settings: {} });
    await stub.close();
  });

  it('a fixture file with problems stops the start, naming the file and listing each problem on its own line', async () => {
    const fixtures = JSON.parse(readFileSync(DEFAULT_FIXTURES_PATH, 'utf8'));
    const fixturesFile = join(dir, 'broken-fixtures.json');
    const broken = {
      ...fixtures,
      customers: undefined,
      carts: [{ name: 'no id' }, { id: 'two-accounts', account_ids: ['a', 'b'] }, { id: 'typo', acount_ids: [] }],
      pinned_tokens: [{ token: 't', kind: 'access' }],
    };
    writeFileSync(fixturesFile, JSON.stringify(broken));
    const error = await startTestStub({ fixturesFile }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message.split('\n')).toEqual([
      `${fixturesFile} does not hold valid stub state:`,
      '  - customers is required',
      '  - carts[0].id is required',
      '  - carts[1].account_ids must NOT have more than 1 items',
      '  - carts[2] has an unknown property acount_ids',
      '  - pinned_tokens[0].grant is required',
      '  - pinned_tokens[0].client_id is required',
    ]);
  });

  it('a fixture file that is not JSON stops the start with a message naming it', async () => {
    const fixturesFile = join(dir, 'not-json-fixtures.json');
    writeFileSync(fixturesFile, '{ carts: [] }');
    await expect(startTestStub({ fixturesFile })).rejects.toThrow(`${fixturesFile} is not valid JSON`);
  });
});
