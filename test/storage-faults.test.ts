/**
 * A file store whose disk fails during the run (full, broken, read-only, its folder deleted): a write that
 * cannot be made durable is refused in Elastic Path's error shape and changes nothing, reads and liveness
 * go on, readiness says why, and once the disk is back the next write succeeds without a restart.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StubData } from '../src/domain/model.js';
import { loadFixtures } from '../src/fixtures.js';
import { FileStore, type DataFiles } from '../src/store/file-store.js';
import { FaultyDisk } from './support/faulty-disk.js';
import { auth, errorOf, ids, startTestStub, type TestStub } from './support/stub.js';

const dir = mkdtempSync(join(tmpdir(), 'ep-cart-stub-faults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let folders = 0;
/** A data file in a folder of its own, so that a test may delete the folder or list it. */
const newDataFile = () => {
  const folder = join(dir, `run-${++folders}`);
  mkdirSync(folder);
  return join(folder, 'state.json');
};

const seed = await loadFixtures();
const openStore = (dataFile: string, files?: DataFiles) =>
  FileStore.open(dataFile, { seed: () => seed, readState: (value) => value as StubData, files });

async function startOn(dataFile: string, files?: DataFiles): Promise<TestStub & { store: FileStore }> {
  const store = await openStore(dataFile, files);
  const stub = await startTestStub({ store });
  const closeStub = stub.close;
  // The stub leaves a store it was given to its owner.
  return Object.assign(stub, { store, close: () => closeStub().then(() => store.close()) });
}

const createCart = (stub: TestStub, id: string) =>
  stub.request({ method: 'POST', url: '/v2/carts', headers: auth.cc, json: { data: { id, name: id } } });
const associate = (stub: TestStub, cartId: string, accountId: string) =>
  stub.request({
    method: 'POST',
    url: `/v2/carts/${cartId}/relationships/accounts`,
    headers: auth.cc,
    json: { data: [{ type: 'account', id: accountId }] },
  });
const getCart = (stub: TestStub, id: string) => stub.request({ method: 'GET', url: `/v2/carts/${id}`, headers: auth.cc });
/** The ids of every cart, as the control API shows them (GET of an unknown cart would create it, as Elastic Path does). */
const cartIds = async (stub: TestStub): Promise<string[]> =>
  (await stub.request({ method: 'GET', url: '/__stub/state' })).data.carts.map((cart: { id: string }) => cart.id);
const accountsOf = async (stub: TestStub, id: string) => (await getCart(stub, id)).data.data.relationships.accounts?.data;
const probe = (stub: TestStub, url: '/healthz' | '/readyz') => stub.request({ method: 'GET', url });

const refusedDetail = (problem: string) => `${problem}, so nothing was changed; the stub takes changes again once it can write there`;

/** The carts a restart would find in a copy of the two files as they are now: what a kill -9 would leave. */
async function cartsAfterACrash(dataFile: string): Promise<Set<string>> {
  const crashed = join(dirname(dataFile), 'crashed.json');
  copyFileSync(dataFile, crashed);
  copyFileSync(`${dataFile}.log`, `${crashed}.log`);
  const restarted = await openStore(crashed);
  const carts = new Set(restarted.snapshot().carts.map((cart) => cart.id));
  await restarted.close();
  return carts;
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('a write the disk cannot take is refused and changes nothing', () => {
  it('a write on a full disk answers 507 Insufficient Storage and changes nothing, not even the log it tore', async () => {
    const disk = new FaultyDisk();
    const dataFile = newDataFile();
    const stub = await startOn(dataFile, disk);
    expect((await createCart(stub, 'before-the-fault')).statusCode).toBe(201);
    const log = readFileSync(`${dataFile}.log`, 'utf8');

    // The disk fills up 20 bytes into the log line.
    disk.fail('ENOSPC', { room: 20 });
    const refused = await createCart(stub, 'refused');
    expect(refused.statusCode).toBe(507);
    expect(refused.data).toEqual({
      errors: [{ status: 507, title: 'Insufficient Storage', detail: refusedDetail(`The disk holding ${dataFile} is full`) }],
    });
    expect(await cartIds(stub)).not.toContain('refused');
    expect((await getCart(stub, 'before-the-fault')).statusCode).toBe(200);
    expect(readFileSync(`${dataFile}.log`, 'utf8')).toBe(log);
    expect(readdirSync(dirname(dataFile)).sort(), 'no temp file left holding space').toEqual(['state.json', 'state.json.log']);
    expect((await probe(stub, '/healthz')).statusCode).toBe(200);
    const readiness = await probe(stub, '/readyz');
    expect(readiness.statusCode).toBe(503);
    expect(readiness.data.detail).toMatch(new RegExp(`^the disk holding ${dataFile} is full: changes are refused`));
    expect((await createCart(stub, 'refused-too')).statusCode, 'still full').toBe(507);

    disk.heal();
    expect((await createCart(stub, 'after-the-fault')).statusCode).toBe(201);
    expect((await probe(stub, '/readyz')).statusCode).toBe(200);
    const restarted = await cartsAfterACrash(dataFile);
    expect(['before-the-fault', 'after-the-fault', 'refused', 'refused-too'].filter((id) => restarted.has(id))).toEqual([
      'before-the-fault',
      'after-the-fault',
    ]);
    await stub.close();
  });

  it.each([
    ['EIO', `The disk holding %s failed to write (an I/O error)`],
    ['EROFS', `The file system holding %s is read-only`],
  ] as const)('a write that fails with %s answers 503 Service Unavailable, and leaves the cart as it was', async (code, problem) => {
    const disk = new FaultyDisk();
    const dataFile = newDataFile();
    const stub = await startOn(dataFile, disk);
    disk.fail(code);
    const refused = await associate(stub, 'demo-cart-2', ids.globex);
    expect(refused.statusCode).toBe(503);
    expect(errorOf(refused)).toEqual({ status: 503, title: 'Service Unavailable', detail: refusedDetail(problem.replace('%s', dataFile)) });
    expect(await accountsOf(stub, 'demo-cart-2')).toBeUndefined();
    expect((await probe(stub, '/healthz')).statusCode).toBe(200);
    expect((await probe(stub, '/readyz')).statusCode).toBe(503);

    disk.heal();
    expect((await associate(stub, 'demo-cart-2', ids.globex)).statusCode).toBe(200);
    expect((await probe(stub, '/readyz')).statusCode).toBe(200);
    await stub.close();
    const reopened = await openStore(dataFile);
    expect(reopened.cart('demo-cart-2')?.account_ids).toEqual([ids.globex]);
    await reopened.close();
  });

  it('changes made on top of a write that then fails are refused with it and undone', async () => {
    const disk = new FaultyDisk();
    const dataFile = newDataFile();
    const stub = await startOn(dataFile, disk);
    const { waiting, release } = disk.hold();
    const created = createCart(stub, 'in-flight');
    await waiting;
    // The cart exists only in memory while its log line is being written; this change builds on it.
    const associated = associate(stub, 'in-flight', ids.acme);
    const other = associate(stub, 'demo-cart-2', ids.globex);
    await until(() => stub.store.cart('in-flight')?.account_ids.length === 1 && stub.store.cart('demo-cart-2')?.account_ids.length === 1);
    disk.fail('EIO');
    release();

    for (const response of await Promise.all([created, associated, other])) expect(response.statusCode).toBe(503);
    expect(await cartIds(stub)).not.toContain('in-flight');
    expect(await accountsOf(stub, 'demo-cart-2')).toBeUndefined();
    disk.heal();
    expect((await createCart(stub, 'in-flight')).statusCode, 'the id is free again').toBe(201);
    await stub.close();
  });

  it('a state loaded with PUT /__stub/state on a full disk answers 507, and the state stays as it was', async () => {
    const disk = new FaultyDisk();
    const stub = await startOn(newDataFile(), disk);
    const before = (await stub.request({ method: 'GET', url: '/__stub/state' })).data;
    disk.fail('ENOSPC');
    const loaded = await stub.request({ method: 'PUT', url: '/__stub/state', json: { ...before, carts: [{ id: 'only-cart' }] } });
    expect(loaded.statusCode).toBe(507);
    expect((await stub.request({ method: 'GET', url: '/__stub/state' })).data).toEqual(before);
    disk.heal();
    await stub.close();
  });
});

describe('a store whose disk failed comes back without a restart', () => {
  it('readiness comes back by itself once the disk takes writes again, with no write to try it', async () => {
    const disk = new FaultyDisk();
    const stub = await startOn(newDataFile(), disk);
    disk.fail('EIO');
    expect((await createCart(stub, 'refused')).statusCode).toBe(503);
    expect((await probe(stub, '/readyz')).statusCode).toBe(503);
    disk.heal();
    while ((await probe(stub, '/readyz')).statusCode !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await cartIds(stub)).not.toContain('refused');
    await stub.close();
  });

  it('the data folder deleted during the run: writes answer 503 and change nothing; once it is back, the next write succeeds and every acknowledged change is on disk again', async () => {
    const dataFile = newDataFile();
    const folder = dirname(dataFile);
    const stub = await startOn(dataFile);
    expect((await createCart(stub, 'before-the-delete')).statusCode).toBe(201);

    rmSync(folder, { recursive: true });
    const refused = await createCart(stub, 'refused');
    expect(refused.statusCode).toBe(503);
    expect(errorOf(refused).detail).toBe(refusedDetail(`${dataFile}.log was deleted`));
    const refusedAgain = await createCart(stub, 'refused');
    expect(errorOf(refusedAgain)).toEqual({
      status: 503,
      title: 'Service Unavailable',
      detail: refusedDetail(`The folder ${folder} does not exist`),
    });
    expect((await getCart(stub, 'before-the-delete')).statusCode).toBe(200);
    expect(await cartIds(stub)).not.toContain('refused');
    expect((await probe(stub, '/healthz')).statusCode).toBe(200);
    const readiness = await probe(stub, '/readyz');
    expect(readiness.statusCode).toBe(503);
    expect(readiness.data.detail).toMatch(new RegExp(`^the folder ${folder} does not exist`));

    mkdirSync(folder);
    expect((await createCart(stub, 'after-the-delete')).statusCode).toBe(201);
    expect((await probe(stub, '/readyz')).statusCode).toBe(200);
    const restarted = await cartsAfterACrash(dataFile);
    expect(['before-the-delete', 'after-the-delete', 'refused'].filter((id) => restarted.has(id))).toEqual([
      'before-the-delete',
      'after-the-delete',
    ]);
    await stub.close();
  });
});
