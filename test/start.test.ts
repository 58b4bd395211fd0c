import { describe, expect, it, vi } from 'vitest';
import { startStub } from '../src/index.js';
import { loadFixtures } from '../src/fixtures.js';
import { MemoryStore } from '../src/store/memory-store.js';

describe('startStub, as a test suite or the CLI calls it', () => {
  it('port 0 listens on a free port of 127.0.0.1; close() stops it and closes the store', async () => {
    const store = new MemoryStore(await loadFixtures());
    const closeStore = vi.spyOn(store, 'close');
    const stub = await startStub({ port: 0, store });
    expect(stub.url).toBe(`http://127.0.0.1:${stub.port}`);
    expect((await fetch(`${stub.url}/healthz`)).status).toBe(200);
    await stub.close();
    expect(closeStore).toHaveBeenCalledOnce();
    await expect(fetch(`${stub.url}/healthz`)).rejects.toThrow();
  });

  it('a port in use rejects with EADDRINUSE and leaves nothing running', async () => {
    const first = await startStub({ port: 0 });
    const store = new MemoryStore(await loadFixtures());
    const closeStore = vi.spyOn(store, 'close');
    await expect(startStub({ port: first.port, store })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect(closeStore).toHaveBeenCalledOnce();
    await first.close();
  });
});
