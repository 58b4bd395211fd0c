/**
 * Rule trace and coverage: every answer names the rule that produced it (the EP-Stub-Rule header, the
 * journal), the stub counts them per operation, and writes the counts as JSON, JUnit XML or HTML.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BEHAVIOUR_RULES } from '../src/domain/rules.js';
import { DOCUMENTS_WITH_RULES, withRulesTables } from '../src/domain/rules-table.js';
import { startStub } from '../src/index.js';
import { CATALOGUE_VERSION, coverageReport, type CoverageReport } from '../src/coverage/coverage.js';
import { REPO_DIR, cleanEnv, run } from './support/processes.js';
import { SHIPPED, startShippedStub } from './support/shipped.js';
import { readJunit } from './support/junit.js';
import { auth, ids, startTestStub, type TestStub } from './support/stub.js';

const dir = mkdtempSync(join(tmpdir(), 'ep-cart-stub-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let stub: TestStub;
beforeAll(async () => {
  stub = await startTestStub();
});
afterEach(() => stub.reset());
afterAll(() => stub.close());

const associate = (accountId: string, headers: Record<string, string> = auth.cc) =>
  stub.request({ method: 'POST', url: '/v2/carts/demo-cart-empty/relationships/accounts', headers, json: { data: [{ type: 'account', id: accountId }] } });

describe('EP-Stub-Rule names the rule behind every answer', () => {
  it('a first association is associations.16, the same again associations.15, a second account associations.14', async () => {
    expect((await associate(ids.acme)).headers['ep-stub-rule']).toBe('associations.16');
    expect((await associate(ids.acme)).headers['ep-stub-rule']).toBe('associations.15');
    const second = await associate(ids.globex);
    expect(second.statusCode).toBe(403);
    expect(second.headers['ep-stub-rule']).toBe('associations.14');
  });

  it('data as an object is associations.4; a bearer missing is associations.1 on an association, auth.access-token on a cart', async () => {
    const object = await stub.request({ method: 'POST', url: '/v2/carts/demo-cart-empty/relationships/accounts', headers: auth.cc, json: { data: { type: 'account', id: ids.acme } } });
    expect(object.headers['ep-stub-rule']).toBe('associations.4');
    const noBearer = await stub.request({ method: 'POST', url: '/v2/carts/demo-cart-empty/relationships/accounts', json: { data: [{ type: 'account', id: ids.acme }] } });
    expect(noBearer.headers['ep-stub-rule']).toBe('associations.1');
    expect((await stub.request({ method: 'GET', url: '/v2/carts' })).headers['ep-stub-rule']).toBe('auth.access-token');
  });

  it('validation no row decides is contract.<keyword>; an unknown route route.unknown; a fault fault; Prefer prefer', async () => {
    const longName = await stub.request({ method: 'POST', url: '/v2/carts', headers: auth.cc, json: { data: { name: 'x', description: 5 } } });
    expect(longName.statusCode).toBe(400);
    expect(longName.headers['ep-stub-rule']).toBe('contract.type');
    expect((await stub.request({ method: 'GET', url: '/v2/nothing' })).headers['ep-stub-rule']).toBe('route.unknown');
    await stub.request({ method: 'POST', url: '/__stub/faults', json: { operationId: 'getCarts', count: 1, status: 503 } });
    expect((await stub.request({ method: 'GET', url: '/v2/carts', headers: auth.cc })).headers['ep-stub-rule']).toBe('fault');
    const preferred = await stub.request({ method: 'GET', url: '/v2/carts', headers: { ...auth.cc, prefer: 'code=200' } });
    expect(preferred.headers['ep-stub-rule']).toBe('prefer');
    expect((await stub.request({ method: 'GET', url: '/healthz' })).headers['ep-stub-rule']).toBe('probe');
    expect((await stub.request({ method: 'GET', url: '/__stub/state' })).headers['ep-stub-rule']).toBe('control');
  });

  it('a URL that does not decode, answered before any route, is contract.http', async () => {
    const response = await stub.request({ method: 'GET', url: '/v2/carts/%zz', headers: auth.cc });
    expect(response.statusCode).toBe(400);
    expect(response.headers['ep-stub-rule']).toBe('contract.http');
  });

  it('the journal names the rule of each request', async () => {
    await associate(ids.acme);
    await associate(ids.acme);
    const journal = (await stub.request({ method: 'GET', url: '/__stub/requests' })).data.data as { rule: string }[];
    expect(journal.map((entry) => entry.rule)).toEqual(['associations.16', 'associations.15']);
  });

  it('browsers may read the header (CORS exposes it); a preflight is cors.preflight', async () => {
    const preflight = await stub.request({
      method: 'OPTIONS',
      url: '/v2/carts',
      headers: { origin: 'http://shop.test', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers['ep-stub-rule']).toBe('cors.preflight');
    const answer = await stub.request({ method: 'GET', url: '/v2/carts', headers: { ...auth.cc, origin: 'http://shop.test' } });
    expect(String(answer.headers['access-control-expose-headers'])).toContain('EP-Stub-Rule');
  });

  it('ruleHeader: false (--no-rule-header) leaves the header out', async () => {
    const quiet = await startTestStub({ ruleHeader: false });
    const response = await quiet.request({ method: 'GET', url: '/v2/carts', headers: auth.cc });
    expect(response.statusCode).toBe(200);
    expect(response.headers).not.toHaveProperty('ep-stub-rule');
    await quiet.close();
  });
});

describe('coverage', () => {
  it('counts per operation, status and rule; GET /__stub/coverage and stub.coverage() agree; DELETE and reset() clear it', async () => {
    await associate(ids.acme);
    await associate(ids.acme);
    await associate(ids.globex);
    const report = (await stub.request({ method: 'GET', url: '/__stub/coverage' })).data as CoverageReport;
    expect(report).toEqual(stub.coverage());
    expect(report.answers).toEqual([
      { operationId: 'createAccountCartAssociation', status: 200, rule: 'associations.16', hits: 1 },
      { operationId: 'createAccountCartAssociation', status: 204, rule: 'associations.15', hits: 1 },
      { operationId: 'createAccountCartAssociation', status: 403, rule: 'associations.14', hits: 1 },
    ]);
    const accounts = report.operations.find((operation) => operation.operationId === 'createAccountCartAssociation')!;
    expect(accounts.rules.find((rule) => rule.rule === 'associations.14')).toMatchObject({ hits: 1, basis: 'doc', status: 403 });
    expect(accounts.covered).toBe(3);
    expect(report.covered).toContain('createAccountCartAssociation associations.15');
    expect(report.uncovered).toContain('createAccountCartAssociation associations.13');
    expect(report.total.covered).toBe(3);
    expect(report.catalogue).toBe(CATALOGUE_VERSION);

    expect((await stub.request({ method: 'DELETE', url: '/__stub/coverage' })).statusCode).toBe(204);
    expect(stub.coverage().answers).toEqual([]);
    await associate(ids.acme);
    await stub.reset();
    expect(stub.coverage().answers).toEqual([]);
  });

  it('every behaviour rule belongs to operations of the document, and the report lists each of them per operation', () => {
    const report = stub.coverage();
    const listed = new Set(report.uncovered.map((pair) => pair.split(' ')[1]));
    for (const rule of BEHAVIOUR_RULES) expect(listed, rule.id).toContain(rule.id);
  });

  it('is per process and in memory: a stub restarted on the same data file starts with no counts', async () => {
    const dataFile = join(dir, 'state.json');
    const first = await startStub({ port: 0, dataFile });
    await fetch(`${first.url}/v2/carts/demo-cart-empty/relationships/accounts`, {
      method: 'POST',
      headers: { ...auth.cc, 'content-type': 'application/json' },
      body: JSON.stringify({ data: [{ type: 'account', id: ids.acme }] }),
    });
    expect(first.coverage().covered).toEqual(['createAccountCartAssociation associations.16']);
    await first.close();
    const second = await startStub({ port: 0, dataFile });
    expect(second.coverage().answers).toEqual([]);
    expect(second.store.cart('demo-cart-empty')?.account_ids).toEqual([ids.acme]);
    await second.close();
  });

  it.each(['json', 'xml', 'html'])('coverageReport FILE.%s is written when the stub closes', async (extension) => {
    const file = join(dir, `coverage.${extension}`);
    const running = await startStub({ port: 0, coverageReport: file });
    await fetch(`${running.url}/v2/carts/demo-cart-empty/relationships/accounts`, {
      method: 'POST',
      headers: { ...auth.cc, 'content-type': 'application/json' },
      body: JSON.stringify({ data: [{ type: 'account', id: ids.acme }] }),
    });
    await running.close();
    const text = readFileSync(file, 'utf8');
    if (extension === 'json') expect((JSON.parse(text) as CoverageReport).covered).toEqual(['createAccountCartAssociation associations.16']);
    if (extension === 'xml') {
      const cases = (await readJunit(text)).flat();
      expect(cases.filter((c) => c.skipped === undefined).map((c) => c.name)).toEqual(['associations.16 (200, doc): POST: a new association']);
      expect(cases).toHaveLength(BEHAVIOUR_RULES.reduce((sum, rule) => sum + rule.operations.length, 0));
      expect(text).toContain('<testcase name="associations.16 (200, doc): POST: a new association" classname="createAccountCartAssociation"');
      expect(text).toMatch(/<testcase name="associations.14[^>]*>\n\s*<skipped>never answered by this rule<\/skipped>/);
    }
    if (extension === 'html') expect(text).toContain('<tr class="never"><td><code>associations.14</code>');
  });
});

describe('the shipped command: --coverage-report on SIGTERM, coverage check and merge', () => {
  const cli = (args: string[]) => run(SHIPPED.bin, args, { cwd: REPO_DIR, env: cleanEnv() });

  it('writes the report when stopped with SIGTERM; check passes at a threshold it meets and fails naming what is missing', async () => {
    const file = join(dir, 'shipped.json');
    const { url, process: child } = await startShippedStub(['--coverage-report', file]);
    try {
      const response = await fetch(`${url}/v2/carts/demo-cart-empty/relationships/accounts`, {
        method: 'POST',
        headers: { ...auth.cc, 'content-type': 'application/json' },
        body: JSON.stringify({ data: [{ type: 'account', id: ids.acme }] }),
      });
      expect(response.headers.get('ep-stub-rule')).toBe('associations.16');
      child.signal('SIGTERM');
      expect((await child.exited).code).toBe(0);
    } finally {
      await child.stop();
    }
    const report = JSON.parse(readFileSync(file, 'utf8')) as CoverageReport;
    expect(report.covered).toEqual(['createAccountCartAssociation associations.16']);

    expect(await cli(['coverage', 'check', file, '--min-rules', '0'])).toMatchObject({ code: 0 });
    const below = await cli(['coverage', 'check', file, '--min-rules', '80']);
    expect(below.code).toBe(1);
    expect(below.stdout).toContain('below 80%');
    const required = await cli(['coverage', 'check', file, '--require', 'associations.14']);
    expect(required.code).toBe(1);
    expect(required.stdout).toContain('required rules never answered: createAccountCartAssociation associations.14');
    expect((await cli(['coverage', 'check', join(dir, 'missing.json')])).code).toBe(2);
  });

  it('merge adds up the counts of reports of one catalogue, and refuses reports of another', async () => {
    const answers = (hits: number) => [{ operationId: 'createAccountCartAssociation', status: 200, rule: 'associations.16', hits }];
    const operations = [{ operationId: 'createAccountCartAssociation', method: 'POST', path: '/v2/carts/{cartId}/relationships/accounts' }];
    writeFileSync(join(dir, 'a.json'), JSON.stringify(coverageReport(answers(2), operations)));
    writeFileSync(join(dir, 'b.json'), JSON.stringify(coverageReport([{ ...answers(1)[0]!, status: 204, rule: 'associations.15' }], operations)));
    writeFileSync(join(dir, 'old.json'), JSON.stringify({ ...coverageReport(answers(1), operations), catalogue: 'sha256:0000000000000000' }));
    const merged = await cli(['coverage', 'merge', join(dir, 'a.json'), join(dir, 'b.json'), '-o', join(dir, 'all.json')]);
    expect(merged.code, merged.stderr).toBe(0);
    const all = JSON.parse(readFileSync(join(dir, 'all.json'), 'utf8')) as CoverageReport;
    expect(all.answers).toEqual([answers(2)[0], { ...answers(1)[0], status: 204, rule: 'associations.15' }]);
    expect(all.covered).toEqual(['createAccountCartAssociation associations.15', 'createAccountCartAssociation associations.16']);
    const refused = await cli(['coverage', 'merge', join(dir, 'a.json'), join(dir, 'old.json'), '-o', join(dir, 'x.json')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('different versions of the stub');
  });
});

describe('the behaviour documents', () => {
  it.each(DOCUMENTS_WITH_RULES)('%s holds the tables generated from the rule catalogue (npm run docs writes them)', (path) => {
    const text = readFileSync(join(REPO_DIR, path), 'utf8');
    expect(withRulesTables(text, path)).toBe(text);
  });

  it('every rule id of the catalogue is unique, and each section numbers its rows 1, 2, 3… without a gap', () => {
    const bySection = new Map<string, number[]>();
    for (const { id } of BEHAVIOUR_RULES) {
      const [section, number] = id.split('.');
      bySection.set(section!, [...(bySection.get(section!) ?? []), Number(number)]);
    }
    for (const [section, numbers] of bySection) expect(numbers, section).toEqual(numbers.map((_, i) => i + 1));
  });
});
