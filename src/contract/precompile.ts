/**
 * Elastic Path's request validators compiled ahead of time, as Ajv's standalone code: scripts/bundle-cli.mjs
 * puts this module's output in the bundle in place of precompiled-validators.ts. The CLI's code cache then
 * holds them, and a first association compiles no schema: that compile was some 10 ms of the cold start
 * (`npm run bench`). The stub's own operations (control, probes) still compile theirs on first use.
 */
import standalone from 'ajv/dist/standalone/index.js';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import type { Contract } from './document.js';
import { newAjv, requestSchemas, validatorKey, type Purpose } from './validation.js';

/** The source of a CommonJS module that exports `PRECOMPILED`, the validators by `validatorKey`. */
export function precompiledValidatorsModule(contract: Contract): string {
  const instances = new Map<Purpose, Ajv2020>();
  const entries = new Map<string, string>();
  for (const operation of contract.operations.filter((candidate) => candidate.elasticPath)) {
    for (const { purpose, schema } of requestSchemas(operation)) {
      const key = validatorKey(purpose, schema);
      if (entries.has(key)) continue;
      const ajv = instances.get(purpose) ?? newAjv(purpose, { source: true });
      instances.set(purpose, ajv);
      // Standalone code assigns its validator to `module.exports`: each gets a module of its own.
      const code = standalone.default(ajv, ajv.compile(schema));
      entries.set(key, `(() => {\nconst module = { exports: {} };\n${code}\nreturn module.exports;\n})()`);
    }
  }
  const pairs = [...entries].map(([key, validator]) => `[${JSON.stringify(key)}, ${validator}]`);
  return `exports.PRECOMPILED = new Map([\n${pairs.join(',\n')}\n]);\n`;
}
