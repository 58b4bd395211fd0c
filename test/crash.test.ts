/**
 * The stub as a child process with a file store, killed mid-stream: every write it answered 2xx must be
 * there after a restart. Runs the shipped command, installed from the packed tarball.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SHIPPED } from './support/shipped.js';
import { ids } from './support/stub.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ep-cart-stub-crash-'));
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface RunningChild {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

async function spawnStub(dataFile: string): Promise<RunningChild> {
  const child = spawn(SHIPPED.bin, ['--port', '0', '--data', dataFile], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => children.delete(child));
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
      const listening = /listening on (http:\/\/[^\s"]+)/.exec(stdout);
      if (listening) resolve(listening[1]!);
    });
    void exited.then((code) => reject(new Error(`the stub exited (${code}) before listening: ${stderr}`)));
  });
  return { child, url, exited };
}

/** What the stub answered 2xx: the cart was created; `associated`, the account was associated too. */
interface Acknowledged {
  cartId: string;
  associated: boolean;
}

const headers = { authorization: 'Bearer demo-client-credentials-token', 'content-type': 'application/json' };

/**
 * Loops that each create a cart and associate an account with it, until the stub is gone (the connection
 * fails, or a closing stub answers 503) or they are stopped.
 */
function writeSteadily(url: string, prefix: string, acknowledged: Acknowledged[], loops = 4) {
  let stopped = false;
  let next = 0;
  const send = async (path: string, body: unknown, expected: number): Promise<boolean> => {
    let response: Response;
    try {
      response = await fetch(`${url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
      await response.arrayBuffer();
    } catch {
      return false;
    }
    if (response.status === expected) return true;
    if (response.status === 503) return false;
    throw new Error(`POST ${path} answered ${response.status}`);
  };
  const loop = async () => {
    while (!stopped) {
      const cartId = `${prefix}-${next++}`;
      if (!(await send('/v2/carts', { data: { id: cartId, name: cartId } }, 201))) return;
      const written: Acknowledged = { cartId, associated: false };
      acknowledged.push(written);
      const body = { data: [{ type: 'account', id: ids.acme }] };
      if (!(await send(`/v2/carts/${cartId}/relationships/accounts`, body, 200))) return;
      written.associated = true;
    }
  };
  const done = Promise.all(Array.from({ length: loops }, loop));
  return {
    done,
    stop: () => {
      stopped = true;
      return done;
    },
  };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

async function expectAllPresent(url: string, acknowledged: Acknowledged[]): Promise<void> {
  const state = (await (await fetch(`${url}/__stub/state`)).json()) as { carts: { id: string; account_ids: string[] }[] };
  const carts = new Map(state.carts.map((cart) => [cart.id, cart]));
  const missing = acknowledged.filter(({ cartId }) => !carts.has(cartId)).map(({ cartId }) => cartId);
  const unassociated = acknowledged
    .filter(({ cartId, associated }) => associated && !carts.get(cartId)?.account_ids.includes(ids.acme))
    .map(({ cartId }) => cartId);
  expect({ missing, unassociated }).toEqual({ missing: [], unassociated: [] });
}

/** Complete log lines must parse; only a last line without its newline may be torn. */
function expectFilesParse(dataFile: string): void {
  expect(JSON.parse(readFileSync(dataFile, 'utf8'))).toMatchObject({ format: 'ep-cart-stub' });
  const lines = readFileSync(`${dataFile}.log`, 'utf8').split('\n').slice(0, -1);
  for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
}

describe('a file-backed stub killed mid-stream loses no acknowledged write', () => {
  it('10 SIGKILLs in a row, each mid-stream: after every restart each write answered 2xx is there and the files parse', async () => {
    const dataFile = join(dir, 'killed.json');
    const acknowledged: Acknowledged[] = [];
    let stub = await spawnStub(dataFile);
    for (let run = 0; run < 10; run++) {
      const before = acknowledged.length;
      const stream = writeSteadily(stub.url, `run${run}`, acknowledged);
      await until(() => acknowledged.length >= before + 20 + Math.floor(Math.random() * 20));
      stub.child.kill('SIGKILL');
      await stub.exited;
      await stream.stop();
      expectFilesParse(dataFile);

      stub = await spawnStub(dataFile);
      await expectAllPresent(stub.url, acknowledged);
    }
    stub.child.kill('SIGTERM');
    expect(await stub.exited).toBe(0);
  }, 120_000);

  it('SIGTERM mid-stream finishes in-flight requests, writes everything and exits 0', async () => {
    const dataFile = join(dir, 'terminated.json');
    const acknowledged: Acknowledged[] = [];
    let stub = await spawnStub(dataFile);
    const stream = writeSteadily(stub.url, 'term', acknowledged);
    await until(() => acknowledged.length >= 30);
    stub.child.kill('SIGTERM');
    expect(await stub.exited).toBe(0);
    await stream.stop();
    expect(readFileSync(`${dataFile}.log`, 'utf8')).toBe('');

    stub = await spawnStub(dataFile);
    await expectAllPresent(stub.url, acknowledged);
    stub.child.kill('SIGTERM');
    expect(await stub.exited).toBe(0);
  }, 60_000);
});
