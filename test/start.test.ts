import { describe, expect, it, vi } from 'vitest';
import { startStub } from '../src/index.js';
import { loadFixtures } from '../src/fixtures.js';
import { MemoryStore } from '../src/store/memory-store.js';

describe('startStub, as a test suite or the CLI calls it', () => {
  it('port 0 listens on a free port of 127.0.0.1; close() stops it and closes the store it opened', async () => {
    const stub = await startStub({ port: 0 });
    const closeStore = vi.spyOn(stub.store, 'close');
    expect(stub.url).toBe(`http://127.0.0.1:${stub.port}`);
    expect((await fetch(`${stub.url}/healthz`)).status).toBe(200);
    await stub.close();
    expect(closeStore).toHaveBeenCalledOnce();
    await expect(fetch(`${stub.url}/healthz`)).rejects.toThrow();
  });

  it('a port in use rejects with EADDRINUSE, and a store the caller gave stays the caller’s, open', async () => {
    const first = await startStub({ port: 0 });
    const store = new MemoryStore(await loadFixtures());
    const closeStore = vi.spyOn(store, 'close');
    await expect(startStub({ port: first.port, store })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect(closeStore).not.toHaveBeenCalled();
    const second = await startStub({ port: 0, store });
    expect((await fetch(`${second.url}/healthz`)).status).toBe(200);
    await Promise.all([first.close(), second.close()]);
    expect(closeStore).not.toHaveBeenCalled();
  });
});
