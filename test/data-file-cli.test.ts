/**
 * The data file (`--data`) through the shipped command: a path it cannot use stops the start with one line
 * that names it and says what to do, changing nothing on disk; and a disk that fills up during the run (a
 * real one, a small tmpfs) refuses writes with 507 until there is space again, losing nothing it answered.
 */
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { StubData } from '../src/domain/model.js';
import { loadFixtures } from '../src/fixtures.js';
import { FileStore } from '../src/store/file-store.js';
import { REPO_DIR, RunningProcess, cleanEnv, run } from './support/processes.js';
import { SHIPPED } from './support/shipped.js';
import { auth } from './support/stub.js';
import { mountTmpfs } from './support/tmpfs.js';

const dir = mkdtempSync(join(tmpdir(), 'ep-cart-stub-data-cli-'));
const fullDisk = mountTmpfs('256k');
const readOnlyDisk = mountTmpfs('256k');

const started: RunningProcess[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((child) => child.stop()));
});
afterAll(() => {
  for (const disk of [fullDisk, readOnlyDisk]) disk.unmount();
  rmSync(dir, { recursive: true, force: true });
});

let folders = 0;
const newFolder = () => {
  const folder = join(dir, `run-${++folders}`);
  mkdirSync(folder);
  return folder;
};

const seed = await loadFixtures();
/** A data file as a stub that ran and stopped leaves it: the snapshot and an empty log. */
async function writeDataFile(dataFile: string): Promise<void> {
  await (await FileStore.open(dataFile, { seed: () => seed, readState: (value) => value as StubData })).close();
}

/** Every entry under `folder`, with its content and modification time: what "nothing changed" compares. */
function contentOf(folder: string): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const name of readdirSync(folder, { recursive: true }) as string[]) {
    const path = join(folder, name);
    const stat = statSync(path);
    entries[name] = stat.isDirectory() ? 'a folder' : `${stat.mtimeMs}: ${readFileSync(path, 'utf8')}`;
  }
  return entries;
}

const serve = (dataFile: string) => run(SHIPPED.bin, ['--port', '0', '--data', dataFile], { cwd: REPO_DIR, env: cleanEnv() });

async function expectRefusedStart(dataFile: string, folder: string, line: string): Promise<void> {
  const before = contentOf(folder);
  const { code, stdout, stderr } = await serve(dataFile);
  expect({ code, stdout, stderr }).toEqual({ code: 1, stdout: '', stderr: `${line}\n` });
  expect(contentOf(folder)).toEqual(before);
}

describe.concurrent('a --data path the stub cannot use stops the start with one line naming it, and changes nothing on disk', () => {
  it('a folder that does not exist', async () => {
    const folder = newFolder();
    await expectRefusedStart(
      join(folder, 'nope', 'x.json'),
      folder,
      `ep-cart-stub: cannot keep state in ${folder}/nope/x.json: the folder ${folder}/nope does not exist (create it, or choose another --data path)`,
    );
  });

  it('a path that is a folder', async () => {
    const folder = newFolder();
    mkdirSync(join(folder, 'a-folder'));
    await expectRefusedStart(
      join(folder, 'a-folder'),
      folder,
      `ep-cart-stub: cannot keep state in ${folder}/a-folder: ${folder}/a-folder is a folder, not a file ` +
        `(name a file in it, such as ${folder}/a-folder/state.json, or choose another --data path)`,
    );
  });

  it.each([
    ['JSON that is not a state change (a cart without its fields)', '{"put":{"id":"demo-cart-empty"}}'],
    ['JSON that is not a state change (a remove of no id)', '{"remove":42}'],
    ['a line that is not JSON', 'not json'],
  ])('a log line before the last that is %s: damaged, named with its file and line', async (_, damaged) => {
    const folder = newFolder();
    const dataFile = join(folder, 'state.json');
    await writeDataFile(dataFile);
    writeFileSync(`${dataFile}.log`, `{"remove":"demo-cart-2"}\n${damaged}\n{"remove":"demo-cart-acme"}\n`);
    await expectRefusedStart(
      dataFile,
      folder,
      `ep-cart-stub: cannot keep state in ${dataFile}: ${dataFile}.log line 2 is damaged: it is neither {"put": <a cart>} nor ` +
        `{"remove": "<a cart id>"} (the stub leaves the file as it is: repair or delete that line, or choose another --data path)`,
    );
  });

  it('a data file on a read-only file system', async () => {
    const disk = readOnlyDisk;
    const dataFile = join(disk.dir, 'state.json');
    await writeDataFile(dataFile);
    disk.remountReadOnly();
    await expectRefusedStart(
      dataFile,
      disk.dir,
      `ep-cart-stub: cannot keep state in ${dataFile}: the file system holding ${dataFile} is read-only (make it writable, or choose another --data path)`,
    );
  });
});

async function startServing(dataFile: string): Promise<{ child: RunningProcess; url: string }> {
  const child = new RunningProcess(SHIPPED.bin, ['--port', '0', '--data', dataFile], { cwd: REPO_DIR, env: cleanEnv() });
  started.push(child);
  const [, url] = await child.waitFor(/listening on (http:\/\/[^\s"]+)/);
  return { child, url: url! };
}

async function killed(child: RunningProcess): Promise<void> {
  child.signal('SIGKILL');
  await child.exited;
}

const headers = { ...auth.cc, 'content-type': 'application/json' };
const createCart = (url: string, id: string) =>
  fetch(`${url}/v2/carts`, { method: 'POST', headers, body: JSON.stringify({ data: { id, name: id } }) });
const get = (url: string, path: string) => fetch(`${url}${path}`, { headers: auth.cc });
const cartIds = async (url: string): Promise<string[]> =>
  ((await (await get(url, '/__stub/state')).json()) as StubData).carts.map((cart) => cart.id);

/** Fills the disk holding `folder` to the last byte; returns the file that holds the space. */
function fillUp(folder: string): string {
  const filler = join(folder, 'filler');
  const fd = openSync(filler, 'w');
  const chunk = Buffer.alloc(4096, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  return filler;
}

describe('a disk that fills up during the run', () => {
  it(
    'through the shipped command on a full tmpfs: a write answers 507 and changes nothing, reads and /healthz answer 200 and /readyz 503; once there is space the next write succeeds; after kill -9 every acknowledged write is there',
    async () => {
      const disk = fullDisk;
      const dataFile = join(disk.dir, 'state.json');
      let stub = await startServing(dataFile);
      expect((await createCart(stub.url, 'acknowledged-1')).status).toBe(201);
      // A restart snapshots everything and empties the log, so the full disk leaves no room in a page of it either.
      await killed(stub.child);
      stub = await startServing(dataFile);
      const filler = fillUp(disk.dir);

      const refused = await createCart(stub.url, 'refused');
      expect(refused.status).toBe(507);
      expect(await refused.json()).toEqual({
        errors: [
          {
            status: 507,
            title: 'Insufficient Storage',
            detail: `The disk holding ${dataFile} is full, so nothing was changed; the stub takes changes again once it can write there`,
          },
        ],
      });
      expect((await get(stub.url, '/v2/carts/acknowledged-1')).status).toBe(200);
      expect(await cartIds(stub.url)).not.toContain('refused');
      expect((await get(stub.url, '/healthz')).status).toBe(200);
      const readiness = await get(stub.url, '/readyz');
      expect(readiness.status).toBe(503);
      expect(((await readiness.json()) as { detail: string }).detail).toMatch(new RegExp(`^the disk holding ${dataFile} is full: `));

      rmSync(filler);
      expect((await createCart(stub.url, 'acknowledged-2')).status).toBe(201);
      expect((await get(stub.url, '/readyz')).status).toBe(200);

      await killed(stub.child);
      stub = await startServing(dataFile);
      expect((await cartIds(stub.url)).filter((id) => ['acknowledged-1', 'acknowledged-2', 'refused'].includes(id)).sort()).toEqual([
        'acknowledged-1',
        'acknowledged-2',
      ]);
    },
  );
});
