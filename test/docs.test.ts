import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContract, type Contract } from '../src/contract/document.js';
import { startStub, type RunningStub } from '../src/index.js';
import { startTestStub, type TestStub } from './support/stub.js';

let contract: Contract;
let stub: TestStub;
beforeAll(async () => {
  contract = await loadContract();
  stub = await startTestStub();
});
afterAll(() => stub.close());

describe('Docs mode: the document is served as written', () => {
  it('GET /openapi.json serves the document the routes are bound from', async () => {
    const response = await stub.request({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(contract.document);
  });

  it('GET /openapi.yaml serves the same document, in YAML', async () => {
    const response = await stub.request({ method: 'GET', url: '/openapi.yaml' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/yaml/);
    const dir = await mkdtemp(join(tmpdir(), 'ep-cart-stub-'));
    try {
      await writeFile(join(dir, 'served.yaml'), response.body);
      expect((await loadContract(join(dir, 'served.yaml'))).document).toEqual(contract.document);
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('the served document sends "try it" to this stub and declares the bearer and shopper-token headers', async () => {
    const served = (await stub.request({ method: 'GET', url: '/openapi.json' })).json();
    expect(served.servers).toEqual([{ url: '/', description: 'This stub' }]);
    expect(served.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(served.components.parameters.AccountToken).toMatchObject({ in: 'header', name: 'EP-Account-Management-Authentication-Token' });
    expect(served.components.parameters.CustomerToken).toMatchObject({ in: 'header', name: 'X-Moltin-Customer-Token' });
  });
});

describe('Docs mode: the console', () => {
  it('GET /docs serves the interactive console, which loads the served document', async () => {
    const page = await stub.request({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('<div id="swagger-ui"></div>');
    const initializer = await stub.request({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
    expect(initializer.body).toContain("resolveUrl('./json')");
    expect((await stub.request({ method: 'GET', url: '/docs/json' })).json()).toEqual(contract.document);
    // Served from the package, not a CDN: the console works where the stub has no internet.
    expect((await stub.request({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' })).statusCode).toBe(200);
  });
});

describe('Docs mode: the landing page', () => {
  it('GET / says what this is, links the console and shows the demo credentials', async () => {
    const page = await stub.request({ method: 'GET', url: '/', headers: { host: 'stub.example:4010' } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('cart-association API');
    expect(page.body).toContain('href="/docs"');
    for (const credential of ['demo-backend', 'demo-backend-secret', 'alice@example.com', 'alice-password', 'demo-client-credentials-token', 'demo-alice-acme-token']) {
      expect(page.body).toContain(credential);
    }
    expect(page.body).toContain('BASE=http://stub.example:4010');
  });

  it('the Host header is shown escaped', async () => {
    const page = await stub.request({ method: 'GET', url: '/', headers: { host: '<script>x</script>' } });
    expect(page.body).not.toContain('<script>');
  });

  it('in sandbox mode the page gives each view a client id of its own and states the limits', async () => {
    const sandboxed = await startTestStub({ sandbox: { idleMs: 10 * 60_000, maxCartsPerSandbox: 20, rateLimitPerMinute: 60 } });
    try {
      const first = (await sandboxed.request({ method: 'GET', url: '/' })).body;
      const second = (await sandboxed.request({ method: 'GET', url: '/' })).body;
      const clientIdOf = (page: string) => /client_id=(visitor-[0-9a-f]+)/.exec(page)?.[1];
      expect(clientIdOf(first)).toBeDefined();
      expect(clientIdOf(first)).not.toBe(clientIdOf(second));
      expect(first).toContain('Sandbox mode');
      expect(first).toContain('10 minutes');
      expect(first).toContain('20 carts');
      expect(first).toContain('60 requests a minute');
    } finally {
      await sandboxed.close();
    }
  });

  describe.each([
    ['one shared state', false],
    ['sandbox mode', true],
  ])('the curl walk-through works as printed (%s)', (_mode, sandbox) => {
    let running: RunningStub;
    beforeAll(async () => {
      running = await startStub({ port: 0, sandbox });
    });
    afterAll(() => running.close());

    it('answers 201, 200, 204 and 403 in turn', async () => {
      const page = await (await fetch(`${running.url}/`)).text();
      const script = unescapeHtml(/<pre>([\s\S]*?)<\/pre>/.exec(page)![1]!);
      const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script]);
      const statuses = [...stdout.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((match) => Number(match[1]));
      expect(statuses).toEqual([201, 200, 204, 403]);
      expect(stdout).toContain('Cannot associate more than one account');
    });
  });
});

function unescapeHtml(html: string): string {
  return html.replace(/&#(\d+);/g, (_entity, code: string) => String.fromCharCode(Number(code)));
}
