/**
 * The bundled CLI checks Elastic Path's requests with validators Ajv compiled ahead of time
 * (src/contract/precompile.ts); everywhere else each schema compiles on first use. The two must answer alike,
 * and the bundle must hold one for every schema a request of those operations is checked against.
 */
import fc from 'fast-check';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { loadContract } from '../src/contract/document.js';
import { precompiledValidatorsModule } from '../src/contract/precompile.js';
import { newAjv, requestSchemas, validatorKey } from '../src/contract/validation.js';
import { arbitraryFor } from './fuzz/schema-arbitrary.js';
import { REPO_DIR } from './support/processes.js';

const contract = await loadContract();
const checked = contract.operations
  .filter((operation) => operation.elasticPath)
  .flatMap((operation) => requestSchemas(operation).map((entry) => ({ operationId: operation.operationId, ...entry })));

/** The generated module, run as the bundle runs it, its requires resolved from the package. */
function precompiledFrom(source: string): ReadonlyMap<string, ValidateFunction> {
  const exports: { PRECOMPILED?: ReadonlyMap<string, ValidateFunction> } = {};
  new Function('exports', 'require', source)(exports, createRequire(join(REPO_DIR, 'package.json')));
  return exports.PRECOMPILED!;
}
const precompiled = precompiledFrom(precompiledValidatorsModule(contract));

describe('request validators compiled ahead of time for the bundled CLI', () => {
  it('exist for every body and parameter schema of every Elastic Path operation, under the key the stub looks up', () => {
    expect(checked.length).toBeGreaterThan(0);
    for (const { operationId, purpose, schema } of checked) {
      expect(precompiled.has(validatorKey(purpose, schema)), `${operationId}: ${purpose}`).toBe(true);
    }
    expect(precompiled.size).toBe(new Set(checked.map(({ purpose, schema }) => validatorKey(purpose, schema))).size);
  });

  it('give the same verdict, the same errors and the same coerced values as validators compiled on first use', () => {
    for (const { operationId, purpose, schema } of checked) {
      const ahead = precompiled.get(validatorKey(purpose, schema))!;
      const onFirstUse = newAjv(purpose).compile(schema);
      fc.assert(
        fc.property(fc.oneof(arbitraryFor(schema), fc.jsonValue()), (value) => {
          const [forAhead, forFirstUse] = [structuredClone(value), structuredClone(value)];
          expect(ahead(forAhead), operationId).toBe(onFirstUse(forFirstUse));
          expect(ahead.errors ?? null, operationId).toEqual(onFirstUse.errors ?? null);
          expect(forAhead, operationId).toEqual(forFirstUse);
        }),
        { seed: 20_261_207, numRuns: 300 },
      );
    }
  });
});
