import { Ajv2020, type CodeOptions, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { InvalidStubInput, StubError, isErrorName, type Problem } from '../domain/errors.js';
import type { Contract, Operation, Parameter, Schema } from './document.js';
import { PRECOMPILED } from './precompiled-validators.js';

// The document's schemas are checked against the meta-schema by the test suite, not at every start:
// compiling the 2020-12 meta-schema would cost more than the rest of the start-up.
const TRUSTED_SCHEMAS = { meta: false, validateSchema: false, strictTypes: false } as const;

/** The Ajv instances, by what they check. */
const PURPOSES = {
  /** Bodies are validated as sent: no coercion, no defaults, first error only (a crafted body cannot make it slow). */
  bodies: { allErrors: false, coerceTypes: false, useDefaults: false },
  /** Path, query and header values arrive as strings: coerce them to the document's types and fill defaults. */
  parameters: { allErrors: false, coerceTypes: true, useDefaults: true },
  /** Files read at start (fixtures, the data file) are checked for every problem, so one run lists them all. */
  files: { allErrors: true, coerceTypes: false, useDefaults: false },
} as const;
export type Purpose = keyof typeof PURPOSES;

/** A new Ajv instance for `purpose`; with `code`, for compiling ahead of time (precompile.ts). */
export function newAjv(purpose: Purpose, code?: CodeOptions): Ajv2020 {
  const ajv = new Ajv2020({ ...TRUSTED_SCHEMAS, ...PURPOSES[purpose], ...(code ? { code } : {}) });
  addFormats.default(ajv);
  ajv.addKeyword({ keyword: 'x-stub-error', schemaType: 'string' });
  return ajv;
}

/** Made on first use: a start whose first requests have precompiled validators makes none. */
const instances: Partial<Record<Purpose, Ajv2020>> = {};

/** What names a compiled validator: the instance that compiles it and the schema, as JSON. */
export function validatorKey(purpose: Purpose, schema: Schema): string {
  return `${purpose} ${JSON.stringify(schema)}`;
}

export interface RequestParts {
  body: unknown;
  params: unknown;
  query: unknown;
  headers: unknown;
}

type Part = keyof RequestParts;
interface PartValidator {
  part: Part;
  schema: Schema;
  compiled: () => ValidateFunction;
  /** Parameters Ajv may have coerced to a number: all but those declared as plain strings. */
  coercible?: string[];
  /**
   * The control API's bodies (states, faults) are checked for every problem, by the same check as the same
   * input given from code (`reset(state)`, `faults.add`): one check, whichever door. It is local tooling, so
   * the cost of listing every problem is no concern.
   */
  problems?: (value: unknown) => Problem[];
}

/**
 * Compiles a schema on its first use, not at start: a stub started for a few requests compiles only what
 * they need (compiling every operation's schemas was the largest part of the cold start `npm run bench` measured).
 * The bundled CLI holds Elastic Path's request validators compiled ahead of time, and takes those.
 */
function lazily(purpose: Purpose, schema: Schema): () => ValidateFunction {
  let validate: ValidateFunction | undefined;
  return () => (validate ??= PRECOMPILED.get(validatorKey(purpose, schema)) ?? (instances[purpose] ??= newAjv(purpose)).compile(schema));
}

/** The path, query and header checks of an operation: one schema for each place that has parameters. */
function parameterChecks(operation: Operation): { part: Part; schema: Schema; coercible: string[] }[] {
  return (['path', 'query', 'header'] as const).flatMap((location) => {
    const schema = parametersSchema(operation.parameters.filter((p) => p.in === location), location);
    if (!schema) return [];
    const part: Part = location === 'path' ? 'params' : location === 'header' ? 'headers' : 'query';
    const declared = schema.properties as Record<string, Schema>;
    const coercible = Object.keys(declared).filter((name) => declared[name]!.type !== 'string');
    return [{ part, schema, coercible }];
  });
}

/** The schemas a request of an Elastic Path operation is checked against, each with the instance that compiles it. */
export function requestSchemas(operation: Operation): { purpose: Purpose; schema: Schema }[] {
  return [
    ...Object.values(operation.requestBodies).map((schema) => ({ purpose: 'bodies' as const, schema })),
    ...parameterChecks(operation).map(({ schema }) => ({ purpose: 'parameters' as const, schema })),
  ];
}

/**
 * Prepares the checks of one operation's request (each schema compiled once, on first use). They run body first, then path,
 * query and headers: BEHAVIOR.md answers a bad payload (rows 4–7) before a bad cart id (row 8).
 */
export function compileRequestValidator(operation: Operation): (request: RequestParts, mediaType: string | undefined) => void {
  for (const schema of Object.values(operation.requestBodies)) assertKnownErrorNames(schema, operation.operationId);
  for (const parameter of operation.parameters) assertKnownErrorNames(parameter.schema, operation.operationId);
  const bodyValidators = new Map<string, PartValidator>(
    Object.entries(operation.requestBodies).map(([mediaType, schema]) => [
      mediaType,
      { part: 'body' as const, schema, compiled: lazily('bodies', schema), ...(operation.control ? { problems: compileProblemList(schema) } : {}) },
    ]),
  );
  const parameterValidators: PartValidator[] = parameterChecks(operation).map((check) => ({ ...check, compiled: lazily('parameters', check.schema) }));
  // The checks to run, in order, by the request's media type (built here, not per request).
  const checksByMediaType = new Map([...bodyValidators].map(([mediaType, body]) => [mediaType, [body, ...parameterValidators]]));
  const defaultBody = bodyValidators.values().next().value;
  const defaultChecks = defaultBody ? [defaultBody, ...parameterValidators] : parameterValidators;

  return (request, mediaType) => {
    // Only operations that take a body care; clients send Content-Type on GETs too.
    if (mediaType && bodyValidators.size > 0 && !bodyValidators.has(mediaType)) {
      throw new StubError('UnsupportedMediaType', {
        detail: `Send the body as ${[...bodyValidators.keys()].join(' or ')}, not ${mediaType}`,
      });
    }
    const bodySent = request.body !== undefined || operation.bodyRequired;
    const checks = bodySent ? (mediaType && checksByMediaType.get(mediaType)) || defaultChecks : parameterValidators;
    for (const validator of checks) {
      if (validator.problems) {
        const problems = validator.problems(request[validator.part]);
        if (problems.length > 0) throw new InvalidStubInput(problems);
        continue;
      }
      const validate = validator.compiled();
      if (!validate(request[validator.part])) throw toStubError(validator, validate.errors![0]!);
      if (validator.coercible?.length) assertFinite(request[validator.part] as Record<string, unknown>, validator.coercible);
    }
  };
}

/**
 * Ajv coerces `Infinity` (and `1e400`) in a path, query or header value to a number, then skips `minimum` and
 * `maximum`, which it checks on finite numbers only: `page[limit]=Infinity` would pass and reach the handler.
 */
function assertFinite(values: Record<string, unknown>, names: string[]): void {
  for (const name of names) {
    const value = values[name];
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new StubError('FieldInvalid', { detail: `${name} must be a finite number`, source: name, keyword: 'maximum' });
    }
  }
}

/** A misspelt `x-stub-error` would silently answer the generic error; refuse to start instead. */
function assertKnownErrorNames(schema: unknown, operationId: string): void {
  if (typeof schema !== 'object' || schema === null) return;
  const name = (schema as Schema)['x-stub-error'];
  if (name !== undefined && !isErrorName(name)) {
    throw new Error(`${operationId}: x-stub-error "${String(name)}" is not in the error catalogue (src/domain/errors.ts)`);
  }
  for (const value of Object.values(schema)) assertKnownErrorNames(value, operationId);
}

function parametersSchema(list: Parameter[], location: Parameter['in']): Schema | undefined {
  if (list.length === 0) return undefined;
  // Node lower-cases header names.
  const key = (p: Parameter) => (location === 'header' ? p.name.toLowerCase() : p.name);
  return {
    type: 'object',
    properties: Object.fromEntries(list.map((p) => [key(p), p.schema])),
    required: list.filter((p) => p.required).map(key),
  };
}

/**
 * A schema may name, with `x-stub-error`, the catalogue entry its own keywords fail with; for a missing
 * property, the property's schema is asked first. Anything unnamed is `required` or `invalid` (row 6).
 */
function toStubError({ part, schema }: PartValidator, error: ErrorObject): StubError {
  const owner = keywordOwner(schema, error.schemaPath);
  const missing = error.keyword === 'required' ? String(error.params.missingProperty) : undefined;
  const path = [...pointerSegments(error.instancePath), ...(missing === undefined ? [] : [missing])];
  const source = part === 'body' ? bodySource(path) : path.join('.');
  const properties = owner?.properties as Record<string, Schema> | undefined;
  const named = (missing === undefined ? undefined : properties?.[missing]?.['x-stub-error']) ?? owner?.['x-stub-error'];
  const keyword = error.keyword;
  if (isErrorName(named)) return new StubError(named, { keyword, ...(source ? { source } : {}) });
  const field = path.at(-1) ?? part;
  if (missing !== undefined) return new StubError('FieldRequired', { detail: `${field} is required`, source, keyword });
  return new StubError('FieldInvalid', { detail: `${field} ${error.message ?? 'is invalid'}`, source, keyword });
}

/** Every way `value` breaks the document's component schema `name`; for input to the stub itself (states, seeds, faults). */
export function componentProblemList(contract: Contract, name: string): (value: unknown) => Problem[] {
  const schema = contract.schemas[name];
  if (!schema) throw new Error(`the OpenAPI document has no ${name} schema`);
  return compileProblemList(schema);
}

/** Every way `value` breaks `schema`, e.g. `carts[2].id is required`; empty when it fits. */
export function compileProblemList(schema: Schema): (value: unknown) => Problem[] {
  const compiled = lazily('files', schema);
  return (value) => {
    const validate = compiled();
    if (validate(value)) return [];
    // An `if` failure only says which `then` applied; that `then`'s own errors name the problem.
    return validate.errors!.filter((error) => error.keyword !== 'if').map(describeProblem);
  };
}

function describeProblem(error: ErrorObject): Problem {
  const where = bodySource(pointerSegments(error.instancePath));
  if (error.keyword === 'required') {
    const source = `${where ? `${where}.` : ''}${String(error.params.missingProperty)}`;
    return { source, detail: `${source} is required` };
  }
  const subject = where || 'the top level';
  const at = where ? { source: where } : {};
  if (error.keyword === 'additionalProperties') return { ...at, detail: `${subject} has an unknown property ${String(error.params.additionalProperty)}` };
  return { ...at, detail: `${subject} ${error.message ?? 'is invalid'}` };
}

/** `/data/0/id` → `data[0].id`, as the behaviour table writes sources. */
function bodySource(path: string[]): string {
  return path.map((segment, i) => (/^\d+$/.test(segment) ? `[${segment}]` : i === 0 ? segment : `.${segment}`)).join('');
}

/** The schema that holds the failing keyword: the schema path without its last segment. */
function keywordOwner(root: Schema, schemaPath: string): Schema | undefined {
  let node: unknown = root;
  for (const segment of pointerSegments(schemaPath.replace(/^#/, '')).slice(0, -1)) {
    node = (node as Record<string, unknown> | undefined)?.[segment];
  }
  return node as Schema | undefined;
}

function pointerSegments(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}
