import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { DOCUMENT_PATH, loadContract, type Contract } from '../src/contract/document.js';
import { DEFAULT_FIXTURES_PATH, stateCheck } from '../src/fixtures.js';
import { catalogue } from '../src/domain/errors.js';
import { buildApp } from '../src/http/app.js';
import { handlers } from '../src/http/handlers/index.js';
import { OPERATION_TYPES_PATH, operationTypes } from '../src/contract/operation-types.js';
import { ownContractViolation } from './support/contract.js';
import { REPO_DIR } from './support/processes.js';
import { auth, errorOf, startTestStub } from './support/stub.js';

const contract = await loadContract();

function withoutOperation(source: Contract, operationId: string): Contract {
  return { ...source, operations: source.operations.filter((op) => op.operationId !== operationId) };
}

describe('the OpenAPI document drives the routes', () => {
  it('src/operations.ts holds the types `npm run operations` generates from the document and the rule catalogue', () => {
    expect(readFileSync(join(REPO_DIR, OPERATION_TYPES_PATH), 'utf8')).toBe(operationTypes(contract));
  });

  it('every Elastic Path operation of the document has a handler and every handler an operation', () => {
    const apiOperations = contract.operations.filter((op) => !op.control).map((op) => op.operationId);
    expect(new Set(apiOperations)).toEqual(new Set(Object.keys(handlers)));
  });

  it('starting with an operation that has no handler fails loudly, naming it', async () => {
    const extra = { ...contract.operations[0]!, operationId: 'notImplementedAnywhere', url: '/v2/not-implemented' };
    await expect(buildApp({ contract: { ...contract, operations: [...contract.operations, extra] } })).rejects.toThrow(
      /notImplementedAnywhere .* has no handler/,
    );
  });

  it('starting with a handler that has no operation fails loudly, naming it', async () => {
    await expect(buildApp({ contract: withoutOperation(contract, 'getCarts') })).rejects.toThrow(
      /handlers with no operation in the document: getCarts/,
    );
  });

  it('a misspelt x-stub-error in the document stops the start', async () => {
    const broken = structuredClone(contract);
    const op = broken.operations.find((o) => o.operationId === 'createAccountCartAssociation')!;
    (op.parameters.find((p) => p.name === 'cartId')!.schema as Record<string, unknown>)['x-stub-error'] = 'NoSuchError';
    await expect(buildApp({ contract: broken })).rejects.toThrow(/NoSuchError" is not in the error catalogue/);
  });

  it('an edited document is read from its YAML, never from a parsed copy the build made of an older text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'contract-'));
    const edited = join(dir, 'openapi.yaml');
    writeFileSync(edited, readFileSync(DOCUMENT_PATH, 'utf8').replace(/^  title: .*$/m, '  title: Edited'));
    expect((await loadContract(edited)).document.info.title).toBe('Edited');
    expect((await loadContract()).document).toEqual(load(readFileSync(DOCUMENT_PATH, 'utf8')));
    rmSync(dir, { recursive: true });
  });

  it('every schema in the document is valid JSON Schema 2020-12 (start-up skips this check for speed)', () => {
    const ajv = new Ajv2020({ strict: false, validateSchema: true });
    addFormats.default(ajv);
    ajv.addKeyword({ keyword: 'x-stub-error', schemaType: 'string' });
    for (const [name, schema] of Object.entries(contract.document.components?.schemas ?? {})) {
      expect(ajv.validateSchema(schema), `${name}: ${ajv.errorsText(ajv.errors)}`).toBe(true);
    }
    for (const op of contract.operations) {
      for (const schema of [...Object.values(op.requestBodies), ...op.parameters.map((p) => p.schema)]) {
        expect(() => ajv.compile(schema), op.operationId).not.toThrow();
      }
    }
  });

  it('the bundled fixtures are valid stub state (start-up trusts them and skips this check for speed)', () => {
    const fixtures = JSON.parse(readFileSync(DEFAULT_FIXTURES_PATH, 'utf8'));
    expect(stateCheck(contract)(fixtures)).toEqual([]);
  });

  it('every documented response example is valid against its own schema', () => {
    for (const op of contract.operations) {
      for (const [status, response] of Object.entries(op.responses)) {
        for (const [name, example] of Object.entries(response.examples)) {
          const body = typeof example === 'string' ? JSON.parse(example) : example;
          expect(ownContractViolation(op.operationId, Number(status), body), `${op.operationId} ${status} ${name}`).toBeUndefined();
        }
      }
    }
  });

  it('every error example uses a title and status from the error catalogue', () => {
    const known = new Set(Object.values(catalogue).map((entry) => `${entry.status} ${entry.title}`));
    for (const op of contract.operations) {
      for (const response of Object.values(op.responses)) {
        for (const example of Object.values(response.examples) as { errors?: { status: number | string; title: string }[] }[]) {
          for (const error of example.errors ?? []) {
            const title = error.title;
            const isSchemaTitle = title === 'required' || title === 'invalid';
            expect(isSchemaTitle || known.has(`${Number(error.status)} ${title}`), `${op.operationId}: ${title}`).toBe(true);
          }
        }
      }
    }
  });
});

describe('bad input always gets a clear error in the shared shape, never a 500', () => {
  const url = '/v2/carts/demo-cart-empty/relationships/accounts';

  it('a body sent as text/plain answers 415 Unsupported Media Type', async () => {
    const stub = await startTestStub();
    const response = await stub.request({ method: 'POST', url, headers: { ...auth.cc, 'content-type': 'text/plain' }, payload: 'hi' });
    expect(response.statusCode).toBe(415);
    expect(errorOf(response).title).toBe('Unsupported Media Type');
    await stub.close();
  });

  it('a body over the limit answers 413 and stores nothing', async () => {
    const stub = await startTestStub({ bodyLimit: 1024 });
    const response = await stub.request({
      method: 'POST',
      url,
      headers: auth.cc,
      json: { data: [{ type: 'account', id: 'x'.repeat(2000) }] },
    });
    expect(response.statusCode).toBe(413);
    expect(errorOf(response).title).toBe('Payload Too Large');
    expect(stub.store.cart('demo-cart-empty')!.account_ids).toEqual([]);
    await stub.close();
  });

  it('an empty body with a JSON content type counts as no body, as the official SDK sends it', async () => {
    const stub = await startTestStub();
    const headers = { ...auth.cc, 'content-type': 'application/json' };
    const association = await stub.request({ method: 'POST', url, headers, payload: '' });
    expect(association.statusCode).toBe(403);
    expect(errorOf(association).title).toBe('Invalid json payload');
    const deletion = await stub.request({ method: 'DELETE', url: '/v2/carts/demo-cart-2', headers, payload: '' });
    expect(deletion.statusCode).toBe(204);
    await stub.close();
  });

  it('truncated JSON answers 400 Bad Request saying the JSON is malformed', async () => {
    const stub = await startTestStub();
    const headers = { ...auth.cc, 'content-type': 'application/json' };
    const response = await stub.request({ method: 'POST', url, headers, payload: '{"data":[{"type":' });
    expect(response.statusCode).toBe(400);
    expect(errorOf(response)).toMatchObject({ title: 'Bad Request', detail: expect.stringMatching(/not valid JSON/) });
    await stub.close();
  });

  it('a __proto__ key in a JSON body answers 400 and pollutes nothing', async () => {
    const stub = await startTestStub();
    const response = await stub.request({
      method: 'POST',
      url,
      headers: { ...auth.cc, 'content-type': 'application/json' },
      payload: '{"data":[{"type":"account","id":"a0000000-0000-4000-8000-000000000001","__proto__":{"polluted":true}}]}',
    });
    expect(response.statusCode).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await stub.close();
  });

  it('an unknown route answers 404 Not Found in the error shape', async () => {
    const stub = await startTestStub();
    const response = await stub.request({ method: 'GET', url: '/v2/nothing-here' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ errors: [{ status: 404, title: 'Not Found', detail: 'No route GET /v2/nothing-here' }] });
    await stub.close();
  });
});
