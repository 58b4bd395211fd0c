import { describe, expect, it } from 'vitest';
import { loadFixtures } from '../src/fixtures.js';
import { MemoryStore } from '../src/store/memory-store.js';
import type { StoreReadiness } from '../src/store/store.js';
import { startTestStub } from './support/stub.js';

class UnwritableStore extends MemoryStore {
  override readiness(): StoreReadiness {
    return { ready: false, detail: 'The data file /data/state.json cannot be written' };
  }
}

describe('liveness and readiness probes', () => {
  it('GET /healthz answers 200 without a token', async () => {
    const stub = await startTestStub();
    const response = await stub.request({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.data).toEqual({ status: 'ok' });
    await stub.close();
  });

  it('GET /readyz answers 200 once the fixtures are loaded and the store takes changes', async () => {
    const stub = await startTestStub();
    const response = await stub.request({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(200);
    expect(response.data).toEqual({ status: 'ready' });
    await stub.close();
  });

  it('GET /readyz answers 503 with the reason when the store cannot take changes', async () => {
    const stub = await startTestStub({ store: new UnwritableStore(await loadFixtures()) });
    const response = await stub.request({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.data).toEqual({ status: 'unavailable', detail: 'The data file /data/state.json cannot be written' });
    const health = await stub.request({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    await stub.close();
  });
});
