/**
 * compose.yaml, as far as this machine can run it: it has no container engine and no registry to pull
 * valkey and nginx from. So the test starts what the file describes from processes: a redis-server with the
 * Valkey service's own flags, and two shipped stubs with the stub services' own environment; and it checks
 * that nginx's upstreams are those two services.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ids } from './support/fixtures.js';
import { REPO_DIR, type RunningProcess } from './support/processes.js';
import { RedisServer } from './support/redis-server.js';
import { startShippedStub } from './support/shipped.js';

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
}
const compose = load(readFileSync(join(REPO_DIR, 'compose.yaml'), 'utf8')) as { services: Record<string, Service> };
const { valkey, proxy, ...stubs } = compose.services;
const nginx = readFileSync(join(REPO_DIR, 'deploy/nginx.conf'), 'utf8');

describe('compose.yaml: two stub instances on one Valkey, nginx in front', () => {
  it('the stub services build this Dockerfile and share one state on the Valkey service; nginx sends requests to both', () => {
    expect(Object.keys(stubs)).toEqual(['stub-1', 'stub-2']);
    for (const stub of Object.values(stubs)) {
      expect(stub.build).toBe('.');
      expect(stub.environment?.STUB_REDIS_URL).toBe('redis://valkey:6379/0');
      expect(stub.environment?.STUB_SANDBOX).toBe('1');
    }
    expect(valkey?.command).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
    expect(nginx).toMatch(/server stub-1:4010\b/);
    expect(nginx).toMatch(/server stub-2:4010\b/);
    expect(proxy?.image).toMatch(/^nginx:/);
  });

  describe('what it describes, started from processes', () => {
    let server: RedisServer;
    const instances: { url: string; process: RunningProcess }[] = [];
    const startInstance = async (service: Service) => {
      const env = { ...service.environment!, STUB_REDIS_URL: server.url };
      const instance = await startShippedStub([], env);
      instances.push(instance);
      return instance;
    };
    beforeAll(async () => {
      // Valkey's flags after its program name; the port and folder are the test's.
      server = await RedisServer.start({ persistence: valkey!.command!.slice(1) });
      for (const service of Object.values(stubs)) await startInstance(service);
    });
    afterAll(async () => {
      await Promise.all(instances.map((instance) => instance.process.stop()));
      await server.stop();
    });

    it('a visitor\'s token and a cart of their sandbox from one instance work on the other, and on a restarted first instance (a rolling restart)', async () => {
      const [first, second] = instances;
      const issued = await fetch(`${first!.url}/oauth/access_token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `grant_type=client_credentials&client_id=visitor-compose&client_secret=${ids.backendSecret}`,
      });
      const { access_token: token } = (await issued.json()) as { access_token: string };
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const created = await fetch(`${second!.url}/v2/carts`, { method: 'POST', headers, body: JSON.stringify({ data: { name: 'Rolling' } }) });
      const cart = ((await created.json()) as { data: { id: string } }).data.id;

      await first!.process.stop();
      const associated = await fetch(`${second!.url}/v2/carts/${cart}/relationships/accounts`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ data: [{ type: 'account', id: ids.acme }] }),
      });
      expect(associated.status).toBe(200);

      const restarted = await startInstance(stubs['stub-1']!);
      const read = await fetch(`${restarted.url}/v2/carts/${cart}`, { headers });
      expect(read.status).toBe(200);
      const body = (await read.json()) as { data: { name: string; relationships: { accounts: { data: unknown[] } } } };
      expect(body.data.name).toBe('Rolling');
      expect(body.data.relationships.accounts.data).toEqual([{ type: 'account', id: ids.acme }]);
    });
  });
});
