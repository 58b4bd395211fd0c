/**
 * Record and replay: a storefront's traffic recorded through the proxy against a stub standing in for the real
 * store, then replayed against fresh stubs (and against stubs that answer differently on purpose).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStub, type RunningStub } from '../src/index.js';
import { readRecording, type Recording } from '../src/recording/har.js';
import { startRecorder } from '../src/recording/proxy.js';
import { replay, selectEntries } from '../src/recording/replay.js';
import { inferSeed } from '../src/recording/seed.js';
import { junitXml } from '../src/reports/junit.js';
import { startAlteringProxy, type Alteration } from './support/altering-proxy.js';
import { checkedBlock } from './support/documents.js';
import { readJunit } from './support/junit.js';
import { RunningProcess, cleanEnv, run } from './support/processes.js';
import { SHIPPED } from './support/shipped.js';
import { ids } from './support/fixtures.js';

const workDir = mkdtempSync(join(SHIPPED.workDir, 'record-replay-'));
const started: { close(): Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(started.splice(0).map((server) => server.close()));
});

async function stub(): Promise<RunningStub> {
  const running = await startStub({ port: 0 });
  started.push(running);
  return running;
}

interface Answer {
  status: number;
  data: any;
}

/** A client of `base`: JSON bodies, or form-encoded ones with `form`. */
function client(base: string) {
  return async (method: string, path: string, headers: Record<string, string> = {}, body?: unknown, form = false): Promise<Answer> => {
    const contentType = form ? 'application/x-www-form-urlencoded' : 'application/json';
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': contentType }), ...headers },
      body: body === undefined ? undefined : form ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, data: text ? JSON.parse(text) : undefined };
  };
}

const ALICE = {
  type: 'account_management_authentication_token',
  authentication_mechanism: 'password',
  password_profile_id: ids.passwordProfile,
  username: 'alice@example.com',
  password: 'alice-password',
};

/**
 * A storefront's session: every kind of token, carts, both kinds of association, the 204 of a second identical
 * association, three 403s, and two listings. Answers every secret that crossed the wire.
 */
async function storefrontSession(base: string): Promise<{ secrets: string[]; statuses: number[] }> {
  const call = client(base);
  const statuses: number[] = [];
  const step = async (...args: Parameters<typeof call>) => {
    const answer = await call(...args);
    statuses.push(answer.status);
    return answer;
  };
  const implicit = await step('POST', '/oauth/access_token', {}, { grant_type: 'implicit', client_id: 'demo-storefront' }, true);
  const backend = await step('POST', '/oauth/access_token', {}, { grant_type: 'client_credentials', client_id: 'demo-backend', client_secret: 'demo-backend-secret' }, true);
  const visitor = { authorization: `Bearer ${implicit.data.access_token}` };
  const admin = { authorization: `Bearer ${backend.data.access_token}` };
  const alice = await step('POST', '/v2/account-members/tokens', visitor, { data: ALICE });
  const [acme, globex] = alice.data.data;
  const asAcme = { ...visitor, 'ep-account-management-authentication-token': acme.token };
  const asGlobex = { ...visitor, 'ep-account-management-authentication-token': globex.token };
  const carol = await step('POST', '/v2/customers/tokens', visitor, { data: { type: 'token', email: 'carol@example.com', password: 'carol-password' } });
  const asCarol = { ...visitor, 'x-moltin-customer-token': carol.data.data.token };

  // A browser's preflight, before its first cart: recorded as it went, and left out of a replay.
  await step('OPTIONS', '/v2/carts', { origin: 'http://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' });
  const cart = (await step('POST', '/v2/carts', visitor, { data: { name: 'Office supplies', description: 'For the new hires' } })).data.data;
  const accounts = `/v2/carts/${cart.id}/relationships/accounts`;
  await step('POST', accounts, asAcme, { data: [{ type: 'account', id: acme.account_id }] }); // 200
  await step('POST', accounts, asAcme, { data: [{ type: 'account', id: acme.account_id }] }); // 204
  await step('POST', accounts, asGlobex, { data: [{ type: 'account', id: globex.account_id }] }); // 403, a second account
  await step('POST', accounts, visitor, { data: [{ type: 'account', id: acme.account_id }] }); // 403, no shopper token
  await step('POST', accounts, asAcme, { data: { type: 'account', id: acme.account_id } }); // 403, Invalid json payload
  const carolsCart = (await step('POST', '/v2/carts', visitor, { data: { name: "Carol's wishlist" } })).data.data;
  await step('POST', `/v2/carts/${carolsCart.id}/relationships/customers`, asCarol, { data: [{ type: 'customer', id: carol.data.data.customer_id }] });
  await step('GET', `/v2/carts/${cart.id}`, asAcme);
  await step('GET', '/v2/carts', asAcme);
  await step('GET', '/v2/carts', admin);
  const secrets = ['demo-backend-secret', 'alice-password', 'carol-password', implicit.data.access_token, backend.data.access_token, acme.token, globex.token, carol.data.data.token];
  return { secrets, statuses };
}

/** The recording every replay test reads: the session, through the recorder, against a stub as the real store. */
let recordingPath: string;
let recording: Recording;
let session: Awaited<ReturnType<typeof storefrontSession>>;
beforeAll(async () => {
  const realStore = await stub();
  recordingPath = join(workDir, 'storefront.har');
  const recorder = await startRecorder({ target: realStore.url, out: recordingPath, port: 0 });
  try {
    session = await storefrontSession(recorder.url);
  } finally {
    await recorder.close();
  }
  recording = readRecording(recordingPath);
});

/** The index of the first recorded entry whose request and answer match. */
function entryWhere(method: string, path: RegExp, status: number): number {
  const index = recording.log.entries.findIndex(
    (entry) => entry.request.method === method && path.test(new URL(entry.request.url).pathname) && entry.response.status === status,
  );
  expect(index).toBeGreaterThanOrEqual(0);
  return index;
}

describe('record', () => {
  it('writes one HAR 1.2 entry per exchange, with the status the client got', () => {
    expect(recording.log.version).toBe('1.2');
    expect(recording.log.entries.map((entry) => entry.response.status)).toEqual(session.statuses);
    expect(session.statuses).toEqual([200, 200, 201, 200, 204, 201, 200, 204, 403, 403, 403, 201, 200, 200, 200, 200]);
  });

  it('masks every secret: none of the real values is anywhere in the file', () => {
    const text = readFileSync(recordingPath, 'utf8');
    for (const secret of session.secrets) expect(text).not.toContain(secret);
    // Bodies are JSON inside the file's JSON: their quotes are escaped.
    expect(text).toMatch(/\\"access_token\\":\\"<token:\d+>\\"/);
    expect(text).toMatch(/\\"password\\":\\"<secret:\d+>\\"/);
  });

  it('masks consistently: a token gets one placeholder, in the answer that issued it and in every request that carries it', () => {
    const [implicit, backend] = recording.log.entries;
    const issued = JSON.parse(implicit!.response.content.text!).access_token as string;
    expect(issued).toMatch(/^<token:\d+>$/);
    expect(JSON.parse(backend!.response.content.text!).access_token).not.toBe(issued);
    const bearers = recording.log.entries.flatMap((entry) =>
      entry.request.headers.filter((header) => header.name.toLowerCase() === 'authorization').map((header) => header.value),
    );
    // Every request but the tokens', the preflight and the admin listing (the last) used the implicit token.
    expect(bearers).toHaveLength(recording.log.entries.length - 3);
    expect(bearers.slice(0, -1)).toEqual(bearers.slice(0, -1).map(() => `Bearer ${issued}`));
    const secret = new URLSearchParams(backend!.request.postData!.text).get('client_secret');
    expect(secret).toMatch(/^<secret:\d+>$/);
  });

  it('answers come back unchanged: status, headers, body, and CORS preflights too', async () => {
    const realStore = await stub();
    const recorder = await startRecorder({ target: realStore.url, out: join(workDir, 'unchanged.har'), port: 0 });
    started.push(recorder);
    const direct = await fetch(`${realStore.url}/v2/carts/demo-cart-acme`, { headers: { authorization: 'Bearer demo-client-credentials-token' } });
    const proxied = await fetch(`${recorder.url}/v2/carts/demo-cart-acme`, { headers: { authorization: 'Bearer demo-client-credentials-token' } });
    expect(proxied.status).toBe(direct.status);
    expect(proxied.headers.get('content-type')).toBe(direct.headers.get('content-type'));
    expect(await proxied.text()).toBe(await direct.text());
    const preflight = await fetch(`${recorder.url}/v2/carts`, {
      method: 'OPTIONS',
      headers: { origin: 'http://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
  });
});

describe('replay', () => {
  it('a storefront session replays against a fresh stub with no difference, though its carts and tokens are new', async () => {
    const report = await replay(recording);
    expect(report.differences).toEqual([]);
    expect(report.replayed).toHaveLength(recording.log.entries.length - 1);
    expect(report.skipped).toEqual([{ entry: entryWhere('OPTIONS', /^\/v2\/carts$/, 204), request: 'OPTIONS /v2/carts', reason: 'a CORS preflight' }]);
    expect(report.seed?.inferred).toEqual(
      expect.arrayContaining([
        'client demo-storefront (implicit tokens)',
        'client demo-backend (with its secret)',
        `account ${ids.acme} "Acme Corp"`,
        'account member alice@example.com, in 2 account(s)',
        `customer ${ids.carol} carol@example.com`,
        'cart demo-cart-acme (there before the recording began)',
      ]),
    );
  });

  it('an answer whose body the recording did not keep is compared by its status alone, and marked so', async () => {
    const listing = entryWhere('GET', /^\/v2\/carts$/, 200);
    const withoutBody = structuredClone(recording);
    delete withoutBody.log.entries[listing]!.response.content.text;
    const report = await replay(withoutBody);
    expect(report.differences).toEqual([]);
    expect(report.replayed.find((entry) => entry.entry === listing)).toMatchObject({ bodyCompared: false });
    expect(report.replayed.filter((entry) => !entry.bodyCompared)).toHaveLength(1);
  });

  it('a cart the recording created is the cart the replay associates: its id is mapped in later requests', async () => {
    const target = await stub();
    await target.reset(inferSeed(selectEntries(recording).replayable).state);
    const report = await replay(recording, { target: target.url });
    expect(report.differences).toEqual([]);
    const recordedCart = JSON.parse(recording.log.entries[entryWhere('POST', /^\/v2\/carts$/, 201)]!.response.content.text!).data.id;
    const associations = target.requests().filter((request) => request.path.endsWith('/relationships/accounts'));
    expect(associations).toHaveLength(5);
    const liveCart = associations[0]!.path.split('/')[3];
    expect(liveCart).not.toBe(recordedCart);
    expect(associations.map((request) => request.status)).toEqual([200, 204, 403, 403, 403]);
    expect(target.store.cart(liveCart!)?.account_ids).toEqual([ids.acme]);
  });

  describe('a target that answers one thing differently: reported once, at its place', () => {
    /** A proxy before a seeded stub that changes the one answer `alter` picks. */
    async function alteringTarget(alter: Alteration) {
      const backend = await stub();
      await backend.reset(inferSeed(selectEntries(recording).replayable).state);
      const proxy = await startAlteringProxy(backend.url, alter);
      started.push(proxy);
      return proxy.url;
    }

    const isSecondAccount = (answer: { status: number; body: any }) => answer.status === 403 && answer.body?.errors?.[0]?.title === 'Cannot associate more than one account';
    const associations = /^\/v2\/carts\/[^/]+\/relationships\/accounts$/;

    it('a status', async () => {
      const target = await alteringTarget((answer) => (isSecondAccount(answer) ? { status: 409, body: answer.body } : undefined));
      const { differences } = await replay(recording, { target });
      const entry = recording.log.entries.findIndex((e) => e.response.status === 403);
      expect(differences).toEqual([{ entry, request: expect.stringMatching(/^POST \/v2\/carts\/.+\/relationships\/accounts$/), field: 'status', expected: 403, actual: 409 }]);
      expect(entry).toBe(entryWhere('POST', associations, 403));
    });

    it('an error title', async () => {
      const target = await alteringTarget((answer) =>
        isSecondAccount(answer) ? { status: 403, body: { errors: [{ ...answer.body.errors[0], title: 'Forbidden' }] } } : undefined,
      );
      const { differences } = await replay(recording, { target });
      expect(differences).toEqual([
        expect.objectContaining({ entry: entryWhere('POST', associations, 403), field: 'errors[0].title', expected: 'Cannot associate more than one account', actual: 'Forbidden' }),
      ]);
    });

    it('a missing field', async () => {
      let first = true;
      const target = await alteringTarget((answer) => {
        if (!(answer.method === 'POST' && answer.path === '/v2/carts' && first)) return undefined;
        first = false;
        const { description: _, ...data } = answer.body.data;
        return { status: answer.status, body: { data } };
      });
      const { differences } = await replay(recording, { target });
      expect(differences).toEqual([
        { entry: entryWhere('POST', /^\/v2\/carts$/, 201), request: 'POST /v2/carts', field: 'data.description', expected: 'For the new hires' },
      ]);
    });

    it('an extra array item', async () => {
      const target = await alteringTarget((answer) =>
        answer.method === 'GET' && answer.path === '/v2/carts' && answer.body.data.length > 2
          ? { status: 200, body: { ...answer.body, data: [...answer.body.data, answer.body.data[0]] } }
          : undefined,
      );
      const { differences } = await replay(recording, { target });
      const listing = recording.log.entries.length - 1;
      const listed = JSON.parse(recording.log.entries[listing]!.response.content.text!).data.length;
      expect(differences).toEqual([expect.objectContaining({ entry: listing, request: 'GET /v2/carts', field: `data[${listed}]`, actual: expect.objectContaining({ type: 'cart' }) })]);
      expect(differences[0]).not.toHaveProperty('expected');
    });

    it('--ignore drops the differences of the fields it names (* for one segment)', async () => {
      const target = await alteringTarget((answer) =>
        isSecondAccount(answer) ? { status: 403, body: { errors: [{ ...answer.body.errors[0], title: 'Forbidden' }] } } : undefined,
      );
      const report = await replay(recording, { target, ignore: ['errors.*.title'] });
      expect(report.differences).toEqual([]);
      expect(report.ignored).toBe(1);
    });
  });
});

describe('the shipped command', () => {
  const cli = (args: string[]) => run(SHIPPED.bin, args, { cwd: workDir, env: cleanEnv() });
  const children: RunningProcess[] = [];
  afterAll(async () => {
    await Promise.all(children.map((child) => child.stop()));
  });
  function startRecording(target: string, out: string): RunningProcess {
    const child = new RunningProcess(SHIPPED.bin, ['record', '--target', target, '--out', out, '--port', '0'], { cwd: workDir, env: cleanEnv() });
    children.push(child);
    return child;
  }

  it('a recorder killed with SIGKILL leaves a file that parses, with every exchange it finished; replay exits 0 on it', async () => {
    const realStore = await stub();
    const out = join(workDir, 'killed.har');
    const recorder = startRecording(realStore.url, out);
    const [, url, file] = await recorder.waitFor(/listening on (\S+), forwarding to \S+, writing (\S+)\n/);
    expect(file).toBe(out);
    const call = client(url!);
    const token = await call('POST', '/oauth/access_token', {}, { grant_type: 'implicit', client_id: 'demo-storefront' }, true);
    const cart = await call('POST', '/v2/carts', { authorization: `Bearer ${token.data.access_token}` }, { data: { name: 'Kept' } });
    await call('GET', `/v2/carts/${cart.data.data.id}`, { authorization: `Bearer ${token.data.access_token}` });
    recorder.signal('SIGKILL');
    expect((await recorder.exited).signal).toBe('SIGKILL');

    const kept = JSON.parse(readFileSync(out, 'utf8')) as Recording;
    expect(kept.log.entries.map((entry) => `${entry.request.method} ${entry.response.status}`)).toEqual(['POST 200', 'POST 201', 'GET 200']);
    const replayed = await cli(['replay', out]);
    expect(replayed.stdout).toMatch(/replayed 3 entries against http:\/\/127\.0\.0\.1:\d+: 0 difference\(s\)\n$/);
    expect(replayed.code).toBe(0);
  });

  it('SIGTERM stops the recorder cleanly: exit 0, saying how many exchanges the file holds', async () => {
    const realStore = await stub();
    const recorder = startRecording(realStore.url, join(workDir, 'stopped.har'));
    const [, url] = await recorder.waitFor(/listening on (\S+),/);
    await fetch(`${url}/healthz`);
    recorder.signal('SIGTERM');
    const { code, stdout } = await recorder.exited;
    expect(code).toBe(0);
    expect(stdout).toContain('stopped; 1 exchange(s) in');
  });

  it('replay exits 1 on a difference, and writes it as JUnit XML and JSON', async () => {
    const altered = structuredClone(recording);
    const entry = entryWhere('POST', /relationships\/accounts$/, 204);
    altered.log.entries[entry]!.response.status = 200;
    const har = join(workDir, 'altered.har');
    writeFileSync(har, JSON.stringify(altered));
    const junit = join(workDir, 'replay.xml');
    const json = join(workDir, 'replay.json');
    const { code, stdout } = await cli(['replay', har, '--junit', junit, '--json', json]);
    expect(code).toBe(1);
    expect(stdout).toContain(`#${entry} POST /v2/carts/`);
    expect(stdout).toMatch(/: status: expected 200, got 204\n/);
    expect(stdout).toMatch(/: 1 difference\(s\) in 1 entry; 1 skipped \(1 a CORS preflight\)\n$/);
    const xml = readFileSync(junit, 'utf8');
    expect((await readJunit(xml)).flat()).toHaveLength(recording.log.entries.length - 1); // the preflight is not replayed
    expect(xml).toMatch(new RegExp(`<testcase name="#${entry} POST /v2/carts/[^"]+/relationships/accounts"[^>]*>\\s*<failure message="1 difference\\(s\\)">`));
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.differences).toEqual([expect.objectContaining({ entry, field: 'status', expected: 200, actual: 204 })]);
  });

  it("docs/record-and-replay.md's CI workflow parses, and its replay step, run as written in a project that installed the package, exits 0 on a clean recording and writes the reports it uploads", async () => {
    interface Step {
      uses?: string;
      run?: string;
      with?: Record<string, unknown>;
    }
    const workflow = load(checkedBlock('docs/record-and-replay.md', import.meta.url).text) as { jobs: Record<string, { steps: Step[] }> };
    const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
    const replaying = steps.flatMap((step) => (step.run?.startsWith('npx ep-cart-stub ') ? [step.run] : []));
    expect(replaying).toHaveLength(1);
    const command = replaying[0]!;

    // The user's project after `npm ci`: the package installed, and the committed recording where the step reads it.
    const project = mkdtempSync(join(workDir, 'ci-'));
    symlinkSync(join(SHIPPED.projectDir, 'node_modules'), join(project, 'node_modules'));
    const har = join(project, /^npx ep-cart-stub replay (\S+)/.exec(command)![1]!);
    mkdirSync(dirname(har), { recursive: true });
    copyFileSync(recordingPath, har);
    // Offline, so that npx runs the installed command or fails; it must not fetch one from the registry.
    const { code, stdout, stderr } = await run('bash', ['-euo', 'pipefail', '-c', command], { cwd: project, env: cleanEnv({ npm_config_offline: 'true' }) });
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/: 0 difference\(s\); 1 skipped \(1 a CORS preflight\)\n$/);

    const upload = steps.find((step) => step.uses?.startsWith('actions/upload-artifact@'));
    const glob = new RegExp(`^${String(upload?.with?.path).replaceAll('.', '\\.').replaceAll('*', '[^/]*')}$`);
    const uploaded = readdirSync(project).filter((name) => glob.test(name)).sort();
    expect(uploaded).toEqual(['replay.json', 'replay.xml']);
    expect(JSON.parse(readFileSync(join(project, 'replay.json'), 'utf8')).differences).toEqual([]);
    expect((await readJunit(readFileSync(join(project, 'replay.xml'), 'utf8'))).flat()).toHaveLength(recording.log.entries.length - 1);
  });

  it.each([
    [['replay'], /^ep-cart-stub replay: missing recording <recording.har>\n/],
    [['replay', 'nowhere.har'], /^ep-cart-stub replay: the recording must name an existing file/],
    [['replay', '--colour'], /^ep-cart-stub replay: unknown flag --colour/],
    [['record', '--out', 'x.har'], /^ep-cart-stub record: missing --target <url>\n/],
  ])('%j is a usage error: exit 2', async (args, message) => {
    const { code, stderr } = await cli(args);
    expect(stderr).toMatch(message);
    expect(code).toBe(2);
  });

  it('a file that is not a HAR is a usage error: exit 2', async () => {
    const file = join(workDir, 'not-a.har');
    writeFileSync(file, '{"entries": []}');
    const { code, stderr } = await cli(['replay', file]);
    expect(stderr).toMatch(/is not a HAR file: it has no log.entries list/);
    expect(code).toBe(2);
  });
});

describe('JUnit XML', () => {
  it('escapes markup and drops what XML cannot hold', () => {
    const xml = junitXml([
      { name: 'a & b', testcases: [{ name: '<POST "x">', classname: 'c', time: 0.5, failure: { message: 'm\n2', text: 'a < b \u0001 & c' } }, { name: 'ok', classname: 'c' }] },
    ]);
    expect(xml).toContain('<testsuites tests="2" failures="1">');
    expect(xml).toContain('<testsuite name="a &amp; b" tests="2" failures="1" errors="0" skipped="0" time="0.500">');
    expect(xml).toContain('<testcase name="&lt;POST &quot;x&quot;&gt;" classname="c" time="0.500">');
    expect(xml).toContain('<failure message="m&#10;2">a &lt; b  &amp; c</failure>');
    expect(xml).toContain('<testcase name="ok" classname="c" time="0.000"/>');
  });
});

describe('a HAR from Playwright', () => {
  let server: Server;
  afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it("a browser's recordHar of a page that calls the stub replays clean; the page itself is skipped", async () => {
    const { chromium } = await import('playwright-core');
    const target = await stub();
    const page = `<!doctype html><title>shop</title><p id="state">running</p><script type="module">
      const api = ${JSON.stringify(target.url)};
      const post = (path, headers, body) => fetch(api + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      try {
        const token = await (await fetch(api + '/oauth/access_token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=implicit&client_id=demo-storefront' })).json();
        const visitor = { authorization: 'Bearer ' + token.access_token };
        const alice = await (await post('/v2/account-members/tokens', visitor, { data: ${JSON.stringify(ALICE)} })).json();
        const acme = { ...visitor, 'EP-Account-Management-Authentication-Token': alice.data[0].token };
        const cart = await (await post('/v2/carts', visitor, { data: { name: 'From the browser' } })).json();
        const body = { data: [{ type: 'account', id: alice.data[0].account_id }] };
        await post('/v2/carts/' + cart.data.id + '/relationships/accounts', acme, body);
        await post('/v2/carts/' + cart.data.id + '/relationships/accounts', acme, body);
        // Read, so that the browser records the body (it leaves out one the page never read).
        await (await fetch(api + '/v2/carts', { headers: acme })).json();
        document.getElementById('state').textContent = 'done';
      } catch (error) {
        document.getElementById('state').textContent = 'failed: ' + error;
      }
    </script>`;
    server = http.createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end(page));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const har = join(workDir, 'browser.har');
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const context = await browser.newContext({ recordHar: { path: har } });
      const tab = await context.newPage();
      await tab.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await tab.locator('#state', { hasText: /done|failed/ }).waitFor();
      expect(await tab.locator('#state').textContent()).toBe('done');
      await context.close();
    } finally {
      await browser.close();
    }

    const report = await replay(readRecording(har));
    expect(report.differences).toEqual([]);
    expect(report.replayed.map((entry) => entry.request)).toEqual([
      'POST /oauth/access_token',
      'POST /v2/account-members/tokens',
      'POST /v2/carts',
      expect.stringMatching(/relationships\/accounts$/),
      expect.stringMatching(/relationships\/accounts$/),
      'GET /v2/carts',
    ]);
    expect(report.skipped).toEqual(expect.arrayContaining([expect.objectContaining({ request: 'GET /', reason: 'not an Elastic Path call' })]));
  }, 60_000);
});
