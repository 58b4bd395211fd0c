/**
 * Verify mode: the behaviour table's scenarios, run against the stub (every one agrees, each answered by its
 * own rule), and against targets that differ on purpose (exactly the scenarios that should fail do, saying
 * why). Through the shipped command too.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BEHAVIOUR_RULES } from '../src/domain/rules.js';
import { loadFixtures } from '../src/fixtures.js';
import { startStub, type RunningStub } from '../src/index.js';
import { demoConfig, readVerifyConfig, type VerifyConfig } from '../src/verify/config.js';
import { SCENARIOS } from '../src/verify/scenarios.js';
import { verify, type VerifyReport } from '../src/verify/verify.js';
import { startAlteringProxy, type Alteration } from './support/altering-proxy.js';
import { checkedBlock } from './support/documents.js';
import { readJunit } from './support/junit.js';
import { REPO_DIR, RunningProcess, cleanEnv, run } from './support/processes.js';
import { SHIPPED, startShippedStub } from './support/shipped.js';

const dir = mkdtempSync(join(tmpdir(), 'ep-cart-stub-verify-'));
let config: VerifyConfig;
let fixtureCarts: string[];
const closing: { close(): Promise<void> }[] = [];
beforeAll(async () => {
  const fixtures = await loadFixtures();
  config = demoConfig(fixtures);
  fixtureCarts = fixtures.carts.map((cart) => cart.id).sort();
});
afterEach(async () => {
  await Promise.all(closing.splice(0).map((server) => server.close()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function freshStub(): Promise<RunningStub> {
  const stub = await startStub({ port: 0 });
  closing.push(stub);
  return stub;
}

const cartIds = (stub: RunningStub) =>
  stub.store
    .snapshot()
    .carts.map((cart) => cart.id)
    .sort();
const verdicts = (report: VerifyReport) => Object.fromEntries(report.results.filter((r) => r.verdict !== 'agree').map((r) => [r.name, r.verdict]));

describe('the scenarios and the rule catalogue', () => {
  it('every behaviour rule has a scenario that proves it', () => {
    const proved = new Set(SCENARIOS.map((scenario) => scenario.rule));
    expect(BEHAVIOUR_RULES.map((rule) => rule.id).filter((id) => !proved.has(id))).toEqual([]);
  });

  it('against the stub every scenario agrees, each answered by its own rule; coverage then counts every rule; nothing the run made is left', async () => {
    const stub = await freshStub();
    const report = await verify({ target: stub.url, config });
    expect(verdicts(report)).toEqual({});
    expect(report.results).toHaveLength(SCENARIOS.length);
    expect(report.summary).toBe(`${SCENARIOS.length} agree, 0 differ`);
    const answered = new Set(stub.coverage().covered.map((pair) => pair.split(' ')[1]));
    expect(BEHAVIOUR_RULES.map((rule) => rule.id).filter((id) => !answered.has(id))).toEqual([]);
    expect(cartIds(stub)).toEqual(fixtureCarts);
    expect(report.leftBehind).toEqual([]);
  });

  it('--only runs the scenarios it names, by rule id or with *', async () => {
    const stub = await freshStub();
    const report = await verify({ target: stub.url, config, only: ['associations.14', 'tokens.*'] });
    expect(report.results.map((r) => r.name)).toEqual(['associations.14', ...SCENARIOS.filter((s) => s.rule.startsWith('tokens.')).map((s) => s.rule)]);
  });
});

describe('a target that differs on purpose is caught, scenario by scenario', () => {
  async function differingTarget(alter: Alteration): Promise<{ url: string; stub: RunningStub }> {
    const stub = await freshStub();
    const proxy = await startAlteringProxy(stub.url, alter);
    closing.push(proxy);
    return { url: proxy.url, stub };
  }

  it('a status: a re-association answered 200 instead of 204 fails associations.15 alone', async () => {
    const { url } = await differingTarget((a) => (a.rule === 'associations.15' && a.path.endsWith('/accounts') ? { status: 200, body: { data: [] } } : undefined));
    const report = await verify({ target: url, config });
    expect(verdicts(report)).toEqual({ 'associations.15': 'differ' });
    expect(report.results.find((r) => r.name === 'associations.15')).toMatchObject({ expected: '204', observed: '200', reason: 'status 200, not 204' });
  });

  it('a title: a second account answered with another title fails associations.14 alone', async () => {
    const { url } = await differingTarget((a) => (a.rule === 'associations.14' ? { status: 403, body: { errors: [{ ...a.body.errors[0], title: 'Forbidden' }] } } : undefined));
    const report = await verify({ target: url, config });
    expect(verdicts(report)).toEqual({ 'associations.14': 'differ' });
    expect(report.results.find((r) => r.name === 'associations.14')).toMatchObject({
      observed: '403 Forbidden',
      reason: 'title "Forbidden", not "Cannot associate more than one account"',
    });
  });

  it('a body field: a new association answered without its id fails associations.16 (accounts) alone', async () => {
    const { url } = await differingTarget((a) => (a.rule === 'associations.16' && a.path.endsWith('/accounts') ? { status: 200, body: { data: [{ type: 'account' }] } } : undefined));
    const report = await verify({ target: url, config });
    expect(verdicts(report)).toEqual({ 'associations.16': 'differ' });
    expect(report.results.find((r) => r.name === 'associations.16')?.reason).toMatch(/^body\.data\[0\]\.id is undefined, not "a0000000-/);
  });

  it('the state afterwards: a cart that reads back without its account fails exactly the scenarios that leave one', async () => {
    const { url } = await differingTarget((a) => {
      if (a.method !== 'GET' || a.status !== 200 || !a.body?.data?.relationships?.accounts) return undefined;
      const { accounts: _dropped, ...relationships } = a.body.data.relationships;
      return { status: 200, body: { data: { ...a.body.data, relationships } } };
    });
    const report = await verify({ target: url, config });
    expect(verdicts(report)).toEqual({ 'associations.14': 'differ', 'associations.15': 'differ', 'associations.16': 'differ', 'carts.21': 'differ' });
    expect(report.results.find((r) => r.name === 'associations.15')?.reason).toMatch(/^afterwards the cart's accounts are \[\], not \["a0000000-/);
  });

  it('a 5xx on one rule and a decision the target makes otherwise: both reported, and every cart the run made is deleted', async () => {
    const { url, stub } = await differingTarget((a) => {
      if (a.rule === 'carts.8') return { status: 500, body: { errors: [{ status: 500, title: 'Internal Server Error' }] } };
      if (a.rule === 'associations.18') return { status: 404, body: { errors: [{ status: 404, title: 'Not Found' }] } };
      return undefined;
    });
    const report = await verify({ target: url, config });
    expect(verdicts(report)).toEqual({ 'carts.8': 'differ', 'associations.18': 'differ' });
    expect(report.summary).toBe(`${SCENARIOS.length - 2} agree, 2 differ (1 decision, 1 doc)`);
    expect(cartIds(stub)).toEqual(fixtureCarts);
  });

  it('429 with Retry-After is waited out, not counted as a difference', async () => {
    let limited = 0;
    const { url } = await differingTarget((a) => (a.rule === 'carts.6' && limited++ === 0 ? { status: 429, body: { errors: [{ status: 429, title: 'Too Many Requests' }] } } : undefined));
    const report = await verify({ target: url, config, only: ['carts.6'] });
    expect(verdicts(report)).toEqual({});
    expect(limited).toBe(2);
  });

  it('an abort stops starting scenarios and still deletes what the run made', async () => {
    const stub = await freshStub();
    const stop = new AbortController();
    const report = verify({ target: stub.url, config, concurrency: 1, signal: stop.signal });
    await new Promise((resolve) => setTimeout(resolve, 50));
    stop.abort();
    const { results } = await report;
    expect(results.length).toBeLessThan(SCENARIOS.length);
    expect(cartIds(stub)).toEqual(fixtureCarts);
  });
});

describe('the config file', () => {
  it("docs/verify.md's config, its secrets set in the environment, is read as written: every member kept, each secret its variable's value", async () => {
    const shown = checkedBlock('docs/verify.md', import.meta.url).text;
    const file = join(dir, 'documented-config.json');
    writeFileSync(file, shown);
    const env = Object.fromEntries([...shown.matchAll(/\{ "env": "(\w+)" \}/g)].map(([, name]) => [name!, `the value of ${name}`]));
    expect(Object.keys(env)).toContain('EPCC_CLIENT_SECRET');
    const fromEnvironment = (_key: string, value: unknown) =>
      typeof value === 'object' && value !== null && 'env' in value && typeof value.env === 'string' ? env[value.env] : value;
    expect(await readVerifyConfig(file, env)).toEqual(JSON.parse(shown, fromEnvironment));
  });
});

describe('the shipped command', () => {
  const cli = (args: string[], env: Record<string, string> = {}) => run(SHIPPED.bin, args, { cwd: REPO_DIR, env: cleanEnv(env) });

  it('verify --target a stub of the shipped command, with no config: every scenario agrees, exit 0; JUnit and JSON name each scenario, with no secret in them', async () => {
    const { url, process: child } = await startShippedStub();
    try {
      const junit = join(dir, 'verify.xml');
      const json = join(dir, 'verify.json');
      const { code, stdout, stderr } = await cli(['verify', '--target', url, '--junit', junit, '--json', json]);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout).toMatch(/^scenario\s+basis\s+expected\s+observed\s+verdict$/m);
      expect(stdout).toMatch(/^associations\.14\s+doc\s+403 Cannot associate more than one account\s+403 Cannot associate more than one account\s+agree$/m);
      expect(stdout.trimEnd().split('\n').at(-1)).toBe(`${SCENARIOS.length} agree, 0 differ`);
      const cases = (await readJunit(readFileSync(junit, 'utf8'))).flat();
      expect(cases.map((c) => c.name)).toContain('associations.16 (customers, with the shopper token)');
      expect(cases.filter((c) => c.failure)).toEqual([]);
      const report = JSON.parse(readFileSync(json, 'utf8')) as VerifyReport;
      expect(report.results).toHaveLength(SCENARIOS.length);
      expect(report.results.find((r) => r.name === 'tokens.2')?.answer).toMatch(/"access_token":"\*\*\*\*\*"/);
      for (const file of [junit, json]) {
        const text = readFileSync(file, 'utf8');
        for (const secret of [config.clientSecret, ...config.accounts.map((a) => a.password), ...config.customers.map((c) => c.password)]) expect(text).not.toContain(secret);
      }
    } finally {
      await child.stop();
    }
  });

  it('a config with secrets from the environment works; a variable not set, or credentials the target refuses, exit 2 before any scenario', async () => {
    const stub = await freshStub();
    const file = join(dir, 'verify-config.json');
    writeFileSync(file, JSON.stringify({ ...config, clientSecret: { env: 'VERIFY_SECRET' } }));
    const ok = await cli(['verify', '--target', stub.url, '--config', file, '--only', 'tokens.2'], { VERIFY_SECRET: config.clientSecret });
    expect(ok.code, ok.stderr).toBe(0);
    const unset = await cli(['verify', '--target', stub.url, '--config', file]);
    expect(unset).toMatchObject({ code: 2, stderr: `ep-cart-stub verify: the config ${file} cannot be used: clientSecret names the environment variable VERIFY_SECRET, which is not set\n` });
    const refused = await cli(['verify', '--target', stub.url, '--config', file], { VERIFY_SECRET: 'wrong' });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("the target refused the client's client_credentials credentials (401)");
    expect(refused.stdout).toBe('');
  });

  it('a target that differs: exit 1, the decision it decides otherwise called out', async () => {
    const stub = await freshStub();
    const proxy = await startAlteringProxy(stub.url, (a) => (a.rule === 'associations.18' ? { status: 404, body: { errors: [{ status: 404, title: 'Not Found' }] } } : undefined));
    closing.push(proxy);
    const { code, stdout } = await cli(['verify', '--target', proxy.url, '--only', 'associations.1*']);
    expect(code).toBe(1);
    expect(stdout).toContain('associations.18 is a decision of the stub, and the target answered otherwise (404 Not Found): please tell us.');
  });

  it('Ctrl-C (SIGINT) stops the run, deletes every cart it made and exits 130', async () => {
    const stub = await freshStub();
    // Every Elastic Path answer waits, so that the run is still going when the signal comes.
    stub.faults.add({ latency_ms: 100 });
    const child = new RunningProcess(SHIPPED.bin, ['verify', '--target', stub.url, '--concurrency', '1'], { cwd: REPO_DIR, env: cleanEnv() });
    try {
      await expect.poll(() => stub.requests().some((entry) => entry.operationId === 'createACart'), { timeout: 15_000 }).toBe(true);
      child.signal('SIGINT');
      expect((await child.exited).code).toBe(130);
    } finally {
      await child.stop();
    }
    expect(cartIds(stub)).toEqual(fixtureCarts);
  });

  it('without --target, or with a target that does not answer: exit 2', async () => {
    expect(await cli(['verify'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^ep-cart-stub verify: missing --target <url>\n/) });
    const unreachable = await cli(['verify', '--target', 'http://127.0.0.1:1']);
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toMatch(/^ep-cart-stub verify: cannot reach http:\/\/127\.0\.0\.1:1: /);
  });
});
