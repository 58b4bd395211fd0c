/**
 * A real browser (Debian's chromium, driven by playwright-core) against a listening stub: the docs
 * console's "try it", and a page on another origin calling the stub through CORS.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coverageHtml } from '../src/coverage/files.js';
import { startStub, type RunningStub } from '../src/index.js';
import type { RunningProcess } from './support/processes.js';
import { startShippedStub } from './support/shipped.js';
import { ids } from './support/stub.js';

const CHROMIUM = '/usr/bin/chromium';
const BROWSER_TIMEOUT_MS = 60_000;

let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, BROWSER_TIMEOUT_MS);
afterAll(() => browser?.close());

describe('Docs mode: the console at /docs of the shipped command drives the stub from the browser', () => {
  let stub: { url: string; process: RunningProcess };
  let page: Page;
  const consoleErrors: string[] = [];
  beforeAll(async () => {
    stub = await startShippedStub(['--sandbox']);
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.setDefaultTimeout(15_000);
    // The console's own errors; the browser also logs every 4xx the console was asked to send, which is no error of the page.
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !/the server responded with a status of 4\d\d/.test(message.text())) consoleErrors.push(message.text());
    });
  });
  afterAll(async () => {
    await page?.close();
    await stub?.process.stop();
  });

  /** One operation of the console, by its tag and operationId, expanded ("try it out" is on by default). */
  async function operation(tag: string, operationId: string): Promise<Locator> {
    const block = page.locator(`#operations-${tag.replaceAll(' ', '_')}-${operationId}`);
    if ((await block.getAttribute('class'))?.includes('is-open') !== true) await block.locator('.opblock-summary-control').click();
    await block.locator('button.execute').waitFor();
    return block;
  }

  /** Presses Execute and answers the status and body the console then shows. */
  async function execute(block: Locator): Promise<{ status: number; body: string }> {
    const clear = block.locator('button.btn-clear');
    if (await clear.isVisible()) await clear.click();
    await block.locator('button.execute').click();
    const response = block.locator('.live-responses-table tbody .response');
    await response.waitFor();
    const status = Number(await response.locator('.response-col_status').innerText());
    const body = (await response.locator('.response-col_description').innerText()).trim();
    return { status, body };
  }

  /** The accounts of a cart in a client's sandbox, as an administrator of that sandbox reads them. */
  async function accountsOfCart(clientId: string, cartId: string): Promise<unknown> {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: ids.backendSecret });
    const token = (await (await fetch(`${stub.url}/oauth/access_token`, { method: 'POST', body: form })).json()) as { access_token: string };
    const cart = await fetch(`${stub.url}/v2/carts/${cartId}`, { headers: { authorization: `Bearer ${token.access_token}` } });
    return ((await cart.json()) as { data: { relationships: { accounts?: { data: unknown } } } }).data.relationships.accounts?.data;
  }

  const param = (block: Locator, name: string) => block.locator(`tr[data-param-name="${name}"] input[type="text"]`);
  const requestBody = (block: Locator) => block.locator('textarea.body-param__text');

  it(
    'a visitor obtains a token, creates a cart, and associates an account: 200, then 204, then 403 for a second account',
    async () => {
      await page.goto(`${stub.url}/docs`);
      await page.locator('.opblock').first().waitFor();

      const tokens = await operation('Authentication', 'createAccessToken');
      await tokens.locator('tr[data-property-name="grant_type"] select').selectOption('implicit');
      await tokens.locator('tr[data-property-name="client_id"] input[type="text"]').fill('visitor-in-the-browser');
      await tokens.locator('tr[data-property-name="client_secret"] input[type="text"]').fill('');
      const token = await execute(tokens);
      expect(token.status).toBe(200);
      const accessToken = /"access_token":\s*"([^"]+)"/.exec(token.body)?.[1];
      expect(accessToken).toBeDefined();

      await page.locator('.auth-wrapper button.authorize').click();
      const dialog = page.locator('.dialog-ux');
      const bearerAuth = dialog.locator('form', { hasText: 'bearerAuth' });
      await bearerAuth.locator('input[type="text"]').fill(accessToken!);
      await bearerAuth.locator('button.authorize').click();
      await dialog.locator('button.btn-done').first().click();

      const carts = await operation('Carts', 'createACart');
      await requestBody(carts).fill(JSON.stringify({ data: { id: 'browser-cart', name: 'Made in the console' } }));
      const created = await execute(carts);
      expect(created.status).toBe(201);
      expect(created.body).toContain('Made in the console');

      const associate = await operation('Account Cart Associations', 'createAccountCartAssociation');
      await param(associate, 'cartId').fill('browser-cart');
      await param(associate, 'EP-Account-Management-Authentication-Token').fill('demo-alice-acme-token');
      await requestBody(associate).fill(JSON.stringify({ data: [{ type: 'account', id: ids.acme }] }));
      const first = await execute(associate);
      expect(first.status).toBe(200);
      expect(first.body).toContain(ids.acme);
      expect((await execute(associate)).status).toBe(204);

      await param(associate, 'EP-Account-Management-Authentication-Token').fill('demo-alice-globex-token');
      await requestBody(associate).fill(JSON.stringify({ data: [{ type: 'account', id: ids.globex }] }));
      const second = await execute(associate);
      expect(second.status).toBe(403);
      expect(second.body).toContain('Cannot associate more than one account');

      // The console's calls landed in the visitor's own sandbox, not the shared demo one.
      expect(await accountsOfCart('visitor-in-the-browser', 'browser-cart')).toEqual([{ type: 'account', id: ids.acme }]);
      expect(await accountsOfCart('demo-backend', 'browser-cart')).toBeUndefined();
      expect(consoleErrors).toEqual([]);

      // And the command stops cleanly after serving the console.
      stub.process.signal('SIGTERM');
      expect((await stub.process.exited).code).toBe(0);
    },
    BROWSER_TIMEOUT_MS,
  );
});

describe('CORS: a storefront page on another origin calls the stub with the shopper headers', () => {
  let allowed: PageServer;
  let refused: PageServer;
  let stub: RunningStub;
  beforeAll(async () => {
    allowed = await servePage(() => stub.url);
    refused = await servePage(() => stub.url);
    stub = await startStub({ port: 0, corsOrigins: [allowed.origin] });
  });
  afterAll(async () => {
    await stub?.close();
    await allowed?.close();
    await refused?.close();
  });

  async function runStorefront(origin: string): Promise<string> {
    const page = await browser.newPage();
    try {
      await page.goto(`${origin}/storefront.html`);
      const result = page.locator('#result');
      await result.filter({ hasText: /\S/ }).waitFor({ timeout: 15_000 });
      return await result.innerText();
    } finally {
      await page.close();
    }
  }

  it(
    'from an allowed origin: customer and account carts are created, and a DELETE with a body succeeds',
    async () => {
      expect(await runStorefront(allowed.origin)).toBe('201 204 201 204');
    },
    BROWSER_TIMEOUT_MS,
  );

  it(
    'from an origin not allowed: the browser refuses, and nothing reaches the stub',
    async () => {
      expect(await runStorefront(refused.origin)).toMatch(/^refused: /);
      const names = stub.store.page({ owner: undefined, offset: 0, limit: 100, updatedAfter: '' }).carts.map((cart) => cart.name);
      expect(names).not.toContain(`Storefront ${refused.origin}`);
    },
    BROWSER_TIMEOUT_MS,
  );
});

interface PageServer {
  origin: string;
  close(): Promise<void>;
}

/**
 * A storefront page on an origin of its own. Its script sends what a storefront using the JS SDK sends:
 * the bearer, a shopper token and X-MOLTIN-* headers, so every call needs a CORS preflight.
 */
async function servePage(stubUrl: () => string): Promise<PageServer> {
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(storefrontHtml(stubUrl()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

function storefrontHtml(stubUrl: string): string {
  const script = `
    const stub = ${JSON.stringify(stubUrl)};
    const headers = (shopper) => ({
      Authorization: 'Bearer demo-implicit-token',
      'Content-Type': 'application/json',
      'X-MOLTIN-SDK-LANGUAGE': 'JS',
      'X-MOLTIN-SDK-VERSION': '35.0.0',
      'X-MOLTIN-CURRENCY': 'USD',
      ...shopper,
    });
    const carol = { 'X-MOLTIN-CUSTOMER-TOKEN': 'demo-carol-token' };
    const alice = { 'EP-Account-Management-Authentication-Token': 'demo-alice-acme-token' };
    const call = (method, path, shopper, body) =>
      fetch(stub + path, { method, headers: headers(shopper), body: JSON.stringify(body) });
    (async () => {
      const name = 'Storefront ' + location.origin;
      const customerCart = await call('POST', '/v2/carts', carol, { data: { name } });
      const { data: { id: customerCartId } } = await customerCart.json();
      const dissociated = await call('DELETE', '/v2/carts/' + customerCartId + '/relationships/customers', carol,
        { data: [{ type: 'customer', id: ${JSON.stringify(ids.carol)} }] });
      const accountCart = await call('POST', '/v2/carts', alice, { data: { name } });
      const { data: { id: accountCartId } } = await accountCart.json();
      const again = await call('POST', '/v2/carts/' + accountCartId + '/relationships/accounts', alice,
        { data: [{ type: 'account', id: ${JSON.stringify(ids.acme)} }] });
      return [customerCart.status, dissociated.status, accountCart.status, again.status].join(' ');
    })().then(
      (statuses) => { document.getElementById('result').textContent = statuses; },
      (error) => { document.getElementById('result').textContent = 'refused: ' + error.message; },
    );`;
  return `<!doctype html><html><head><title>Storefront</title></head><body><p id="result"></p><script>${script}</script></body></html>`;
}

describe('the HTML coverage report, as a person opens it', () => {
  it(
    'opens with no console errors; never-answered rules stand out and decision rows are marked',
    async () => {
      const stub = await startStub({ port: 0 });
      await fetch(`${stub.url}/v2/carts/demo-cart-empty/relationships/accounts`, {
        method: 'POST',
        headers: { authorization: 'Bearer demo-client-credentials-token', 'content-type': 'application/json' },
        body: JSON.stringify({ data: [{ type: 'account', id: ids.acme }] }),
      });
      const html = coverageHtml(stub.coverage());
      await stub.close();
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      try {
        await page.setContent(html);
        const answered = page.locator('tr.hit', { hasText: 'associations.16' }).first();
        const never = page.locator('tr.never', { hasText: 'associations.14' }).first();
        await answered.waitFor();
        // Runs in the page, where getComputedStyle exists (this file is compiled without the DOM's types).
        type Window = { getComputedStyle(element: unknown): { backgroundColor: string } };
        const background = (row: Locator) => row.evaluate((element) => (globalThis as unknown as Window).getComputedStyle(element).backgroundColor);
        expect(await background(never)).not.toBe(await background(answered));
        expect(await never.locator('.hits').innerText()).toBe('never');
        expect(await page.locator('tr', { hasText: 'associations.18' }).first().locator('.decision').count()).toBe(1);
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    },
    BROWSER_TIMEOUT_MS,
  );
});
