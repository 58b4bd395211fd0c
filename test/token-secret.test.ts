/**
 * Tokens outlive a restart and cross instances, through the shipped command: the signing key is kept in the
 * `--data` file, or given with `--token-secret` / `STUB_TOKEN_SECRET`; without either it is per process.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { RunningProcess } from './support/processes.js';
import { startShippedStub } from './support/shipped.js';

const dir = mkdtempSync(join(tmpdir(), 'ep-cart-stub-token-secret-'));
const started: RunningProcess[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((child) => child.stop()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function serve(args: string[], env: Record<string, string> = {}): Promise<string> {
  const { url, process } = await startShippedStub(args, env);
  started.push(process);
  return url;
}

async function stopAll(): Promise<void> {
  await Promise.all(started.splice(0).map((child) => child.stop()));
}

async function issueToken(url: string): Promise<string> {
  const response = await fetch(`${url}/oauth/access_token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'implicit', client_id: 'demo-storefront' }) });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** The status of a cart read with `token`: 200 when the stub accepts it, 401 when not. */
async function statusWith(url: string, token: string): Promise<number> {
  return (await fetch(`${url}/v2/carts/demo-cart-empty`, { headers: { authorization: `Bearer ${token}` } })).status;
}

describe('the signing key of tokens', () => {
  it('with --data, a token issued before a restart is accepted after it; the key is in the data file', async () => {
    const dataFile = join(dir, 'restart.json');
    const token = await issueToken(await serve(['--data', dataFile]));
    await stopAll();
    const secret = (JSON.parse(readFileSync(dataFile, 'utf8')) as { token_secret?: string }).token_secret;
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(await statusWith(await serve(['--data', dataFile]), token)).toBe(200);
    await stopAll();
    expect((JSON.parse(readFileSync(dataFile, 'utf8')) as { token_secret?: string }).token_secret).toBe(secret);
  });

  it('a data file written before the key was kept gets one at the next start, and keeps it from then on', async () => {
    const dataFile = join(dir, 'older.json');
    await serve(['--data', dataFile]);
    await stopAll();
    const { token_secret: _dropped, ...older } = JSON.parse(readFileSync(dataFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(dataFile, JSON.stringify(older));
    const token = await issueToken(await serve(['--data', dataFile]));
    await stopAll();
    expect(await statusWith(await serve(['--data', dataFile]), token)).toBe(200);
  });

  it('--token-secret (or STUB_TOKEN_SECRET) on two instances: a token one issued is accepted by the other', async () => {
    const first = await serve(['--token-secret', 'shared-secret-of-the-deployment']);
    const second = await serve([], { STUB_TOKEN_SECRET: 'shared-secret-of-the-deployment' });
    expect(await statusWith(second, await issueToken(first))).toBe(200);
    expect(await statusWith(first, await issueToken(second))).toBe(200);
  });

  it('without --data or --token-secret the key is per process: another instance answers 401', async () => {
    const first = await serve([]);
    const second = await serve([]);
    expect(await statusWith(second, await issueToken(first))).toBe(401);
  });
});
