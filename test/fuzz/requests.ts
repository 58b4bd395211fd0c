/**
 * Requests generated from the OpenAPI document, for every operation: valid ones (bodies, path, query and
 * headers from the operation's schemas, with real ids and tokens mixed in) and broken ones (wrong types,
 * missing and extra fields, huge strings, deep nesting, `__proto__`/`constructor` keys, unicode and control
 * characters in ids, wrong content types, malformed and truncated JSON, forged tokens). A request is plain
 * data until it is sent, so fast-check can print and shrink it.
 */
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { readFileSync } from 'node:fs';
import type { Contract, Operation, Schema } from '../../src/contract/document.js';
import { DEFAULT_FIXTURES_PATH } from '../../src/fixtures.js';
import { ids } from '../support/fixtures.js';
import { arbitraryFor, type Hint } from './schema-arbitrary.js';
import { ACCOUNTS, CUSTOMERS, accountTokenSpec, bearerSpec, customerTokenSpec, type TokenMint, type TokenSpec } from './tokens.js';

export const FIXTURE_CARTS = ['demo-cart-empty', 'demo-cart-2', 'demo-cart-contact', 'demo-cart-acme', 'demo-cart-carol'] as const;
/** Cart ids the fixtures do not have, few enough that generated requests create and then reuse them. */
export const NEW_CARTS = ['fuzz-cart-1', 'fuzz-cart-2', 'fuzz-cart-3'] as const;
const fixtures = JSON.parse(readFileSync(DEFAULT_FIXTURES_PATH, 'utf8'));

/** A generated request, before its tokens are minted. */
export interface RequestSpec {
  operationId: string;
  method: string;
  /** The URL path, encoded as it goes on the wire. */
  path: string;
  /** The query string, with its `?`, or empty. */
  query: string;
  /** How the bearer is written (`Bearer %s`, `bearer %s`, …); undefined sends no Authorization header. */
  authorization?: { format: string; token: TokenSpec };
  accountToken?: TokenSpec | TokenSpec[];
  customerToken?: TokenSpec | TokenSpec[];
  headers: Record<string, string>;
  body?: { text: string } | { bytes: number[] };
  /** What kind of case this is, for the statistics: `valid`, or the broken part. */
  kind: string;
}

const REMOVE = Symbol('remove');

export function requestArbitrary(contract: Contract): fc.Arbitrary<RequestSpec> {
  const operationIds = contract.operations.filter((op) => !op.control).map((op) => op.operationId);
  const hint = hintsFor(operationIds);
  return fc.oneof(
    ...contract.operations.map((operation) => ({
      // Elastic Path's operations are what strangers call; the control API resets and replaces state, so less of it.
      weight: operation.control ? 1 : operation.tags.some((tag) => tag.includes('Association')) ? 6 : 4,
      arbitrary: operationRequest(operation, hint),
    })),
  );
}

export function operationRequest(operation: Operation, hint: Hint): fc.Arbitrary<RequestSpec> {
  const headerNames = new Set(operation.parameters.filter((p) => p.in === 'header').map((p) => p.name.toLowerCase()));
  return fc
    .record({
      path: pathFor(operation),
      query: queryFor(operation),
      authorization: fc.option(authorizationFor(), { freq: 12, nil: undefined }),
      accountToken: headerNames.has('ep-account-management-authentication-token') ? shopperHeader(accountTokenSpec) : fc.constant(undefined),
      customerToken: headerNames.has('x-moltin-customer-token') ? shopperHeader(customerTokenSpec) : fc.constant(undefined),
      body: bodyFor(operation, hint),
      extra: extraHeaders(operation),
    })
    .map(({ path, query, authorization, accountToken, customerToken, body, extra }) => {
      const kinds = [path.kind, query.kind, body.kind].filter((kind) => kind !== 'valid');
      return {
        operationId: operation.operationId,
        method: operation.method,
        path: path.value,
        query: query.value,
        ...(authorization ? { authorization } : {}),
        ...(accountToken ? { accountToken } : {}),
        ...(customerToken ? { customerToken } : {}),
        headers: { ...body.headers, ...extra },
        ...(body.body ? { body: body.body } : {}),
        kind: kinds.length > 0 ? kinds.join('+') : 'valid',
      };
    });
}

interface Part<T> {
  kind: string;
  value: T;
}

// ---------------------------------------------------------------- path

const brokenId = fc.oneof(
  fc.string({ minLength: 1, maxLength: 12, unit: 'binary' }).map((id) => ({ kind: 'path:unicode', value: safeEncode(id) })),
  fc.string({ minLength: 1, maxLength: 6, unit: fc.integer({ min: 0, max: 31 }).map((c) => String.fromCharCode(c)) }).map((id) => ({
    kind: 'path:control-characters',
    value: encodeURIComponent(id),
  })),
  fc.constantFrom('%', '%zz', '%E0%A4%A', '%C0%AF', '%FF', 'a%2Fb', '%2E%2E', '..', '.', '%00', '__proto__', 'constructor', 'prototype', 'a;b', 'a b').map(
    (value) => ({ kind: 'path:odd', value }),
  ),
  fc.integer({ min: 65, max: 70 }).map((n) => ({ kind: 'path:long', value: 'c'.repeat(n) })),
  fc.integer({ min: 8000, max: 20_000 }).map((n) => ({ kind: 'path:huge', value: 'c'.repeat(n) })),
);

function safeEncode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return encodeURIComponent(text.replace(/[\uD800-\uDFFF]/g, 'x'));
  }
}

function pathFor(operation: Operation): fc.Arbitrary<Part<string>> {
  if (!operation.path.includes('{cartId}')) return fc.constant({ kind: 'valid', value: operation.path });
  const cartId = fc.oneof(
    { weight: 10, arbitrary: fc.constantFrom(...FIXTURE_CARTS, ...NEW_CARTS).map((value) => ({ kind: 'valid', value })) },
    { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/).map((value) => ({ kind: 'valid', value })) },
    { weight: 3, arbitrary: brokenId },
  );
  return cartId.map(({ kind, value }) => ({ kind, value: operation.path.replace('{cartId}', value) }));
}

// ---------------------------------------------------------------- query

function queryFor(operation: Operation): fc.Arbitrary<Part<string>> {
  const parameters = operation.parameters.filter((p) => p.in === 'query');
  const junk = fc.constantFrom(
    '__proto__=1',
    '__proto__[polluted]=1',
    'constructor[prototype][polluted]=1',
    'a[b][c][d]=1',
    'page=%zz',
    '%E0%A4%A=1',
    '&&&',
    '=',
  );
  const valid = fc
    .tuple(...parameters.map((p) => fc.option(fc.tuple(fc.constant(p.name), arbitraryFor(p.schema), fc.boolean()), { nil: undefined })))
    .map((pairs) =>
      pairs.filter((pair) => pair !== undefined).map(([name, value, encoded]) => `${bracketed(name, encoded)}=${encodeURIComponent(String(value))}`),
    );
  const brokenValue = fc.oneof(
    fc.constantFrom('-1', '0', '101', '10001', '1.5', 'abc', '', '1e3', '0x10', '99999999999999999999', 'NaN', 'Infinity', '%zz'),
    fc.string({ maxLength: 8 }).map(encodeURIComponent),
  );
  const broken =
    parameters.length === 0
      ? junk.map((text) => [text])
      : fc.oneof(
          fc.tuple(fc.constantFrom(...parameters.map((p) => p.name)), brokenValue, fc.boolean()).map(([name, value, encoded]) => [
            `${bracketed(name, encoded)}=${value}`,
          ]),
          fc.constantFrom(...parameters.map((p) => p.name)).map((name) => [`${name}=1`, `${bracketed(name, true)}=2`]),
          junk.map((text) => [text]),
        );
  return fc.oneof(
    { weight: 4, arbitrary: valid.map((pairs) => ({ kind: 'valid', value: pairs.length ? `?${pairs.join('&')}` : '' })) },
    { weight: 1, arbitrary: broken.map((pairs) => ({ kind: 'query', value: `?${pairs.join('&')}` })) },
  );
}

/** `page[limit]` goes raw or percent-encoded, as clients send it both ways. */
function bracketed(name: string, encoded: boolean): string {
  return encoded ? name.replace('[', '%5B').replace(']', '%5D') : name;
}

// ---------------------------------------------------------------- headers

const ODD_AUTH_FORMATS = ['bearer %s', 'BEARER  %s ', 'Basic %s', '%s', 'Bearer %s extra', 'Bearer', 'Bearer %s, Bearer %s'];

function authorizationFor() {
  const format = fc.oneof({ weight: 10, arbitrary: fc.constant('Bearer %s') }, { weight: 1, arbitrary: fc.constantFrom(...ODD_AUTH_FORMATS) });
  return fc.record({ format, token: bearerSpec });
}

/** Absent, one token, or (rarely) the header sent twice. */
function shopperHeader(spec: fc.Arbitrary<TokenSpec>): fc.Arbitrary<TokenSpec | TokenSpec[] | undefined> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(undefined) },
    { weight: 6, arbitrary: spec },
    { weight: 1, arbitrary: fc.array(spec, { minLength: 2, maxLength: 2 }) },
  );
}

function extraHeaders(operation: Operation): fc.Arbitrary<Record<string, string>> {
  const codes = Object.keys(operation.responses).filter((status) => /^\d{3}$/.test(status));
  const examples = Object.values(operation.responses).flatMap((response) => Object.keys(response.examples));
  const prefer = fc.oneof(
    fc.constantFrom(...codes).map((code) => `code=${code}`),
    fc.constantFrom(...(examples.length ? examples : ['none'])).map((name) => `example=${name}`),
    fc.constantFrom('code=500', 'code=__proto__', 'example=constructor', 'code=', ';;,,', 'code=200, example=toString', 'respond-async'),
  );
  const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
  const value = fc.string({ maxLength: 40, unit: 'grapheme-ascii' }).map((text) => text.trim());
  return fc.oneof(
    { weight: 12, arbitrary: fc.constant<Record<string, string>>({}) },
    { weight: 1, arbitrary: prefer.map((text) => ({ prefer: text })) },
    { weight: 1, arbitrary: fc.dictionary(name, value, { maxKeys: 3 }) },
    { weight: 1, arbitrary: fc.constantFrom<Record<string, string>>({ host: 'evil.example:1' }, { 'x-forwarded-for': '1.2.3.4' }, { 'x-forwarded-proto': 'gopher' }, { accept: 'text/html' }) },
  );
}

// ---------------------------------------------------------------- body

interface BodyPart {
  kind: string;
  headers: Record<string, string>;
  body: RequestSpec['body'];
}

const WRONG_CONTENT_TYPES = [
  'text/plain',
  'application/xml',
  'multipart/form-data; boundary=x',
  'application/vnd.api+json',
  'application/json, text/plain',
  'application/*',
  'json',
  ';',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'application/x-www-form-urlencoded',
];

function bodyFor(operation: Operation, hint: Hint): fc.Arbitrary<BodyPart> {
  const mediaTypes = Object.entries(operation.requestBodies);
  const none: BodyPart = { kind: 'valid', headers: {}, body: undefined };
  const junkBody = fc
    .tuple(fc.constantFrom('application/json', ...WRONG_CONTENT_TYPES), rawText(fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? 'null')))
    .map(([type, text]) => ({ kind: 'body:unexpected', headers: { 'content-type': type }, body: { text } }));
  if (mediaTypes.length === 0) {
    return fc.oneof({ weight: 8, arbitrary: fc.constant(none) }, { weight: 1, arbitrary: junkBody });
  }
  const perType = mediaTypes.map(([mediaType, schema]) => {
    const value = bodyValue(operation, schema, hint);
    const encode = mediaType === 'application/x-www-form-urlencoded' ? formText : jsonText;
    const valid = value.map((v) => ({ kind: 'valid', headers: { 'content-type': mediaType }, body: { text: encode(v) } }));
    const mutated = mutation(value).map(({ kind, value: v }) => ({ kind, headers: { 'content-type': mediaType }, body: { text: encode(v) } }));
    const raw = fc
      .tuple(rawText(value.map(encode)), fc.option(fc.constantFrom(...WRONG_CONTENT_TYPES), { freq: 3, nil: mediaType }))
      .map(([text, type]) => ({ kind: type === mediaType ? 'body:malformed' : 'body:content-type', headers: { 'content-type': type }, body: { text } }));
    const bytes = fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => ({
      kind: 'body:binary',
      headers: { 'content-type': mediaType },
      body: { bytes: [...b] },
    }));
    return fc.oneof({ weight: 6, arbitrary: valid }, { weight: 4, arbitrary: mutated }, { weight: 3, arbitrary: raw }, { weight: 1, arbitrary: bytes });
  });
  return fc.oneof(
    { weight: 20, arbitrary: fc.oneof(...perType) },
    { weight: 1, arbitrary: fc.constant({ kind: 'body:missing', headers: {}, body: undefined }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'body:empty', headers: { 'content-type': 'application/json' }, body: { text: '' } }) },
  );
}

/** A body that fits the operation's schema; state bodies are mostly the fixtures, varied, so they load. */
function bodyValue(operation: Operation, schema: Schema, hint: Hint): fc.Arbitrary<unknown> {
  const generated = arbitraryFor(schema, hint);
  if (operation.operationId !== 'putStubState' && operation.operationId !== 'resetStub') return generated;
  return fc.oneof({ weight: 3, arbitrary: fixtureVariant() }, { weight: 1, arbitrary: generated });
}

function fixtureVariant(): fc.Arbitrary<unknown> {
  const cart = fc.record(
    {
      id: fc.constantFrom(...FIXTURE_CARTS, ...NEW_CARTS),
      name: fc.string({ maxLength: 10 }),
      account_ids: fc.array(fc.constantFrom(...ACCOUNTS), { maxLength: 1 }),
      customer_ids: fc.uniqueArray(fc.constantFrom(...CUSTOMERS), { maxLength: 2 }),
    },
    { requiredKeys: ['id'] },
  );
  return fc
    .record({ carts: fc.uniqueArray(cart, { maxLength: 6, selector: (c) => c.id }), tokens: fc.subarray(fixtures.pinned_tokens as unknown[]) })
    .map(({ carts, tokens }) => ({ ...fixtures, carts, pinned_tokens: tokens }));
}

function jsonText(value: unknown): string {
  return JSON.stringify(value) ?? '';
}

function formText(value: unknown): string {
  if (value === null || typeof value !== 'object') return String(value);
  return Object.entries(value as Record<string, unknown>)
    .map(([key, item]) => `${encodeURIComponent(key)}=${encodeURIComponent(typeof item === 'string' ? item : JSON.stringify(item) ?? '')}`)
    .join('&');
}

/** Structural changes to a valid value: a node replaced, removed, or given an extra (possibly poisonous) key. */
function mutation(value: fc.Arbitrary<unknown>): fc.Arbitrary<Part<unknown>> {
  const replace = fc.tuple(value, fc.nat(), replacement).map(([v, at, [kind, by]]) => {
    const paths = pathsOf(v);
    return { kind: `body:${kind}`, value: setAt(v, paths[at % paths.length]!, by) };
  });
  const extraKey = fc
    .tuple(value, fc.nat(), fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'polluted', 'toString', 'hasOwnProperty'), fc.string({ maxLength: 8 })), fc.jsonValue({ maxDepth: 2 }))
    .map(([v, at, key, extra]) => {
      const objects = pathsOf(v).filter((path) => isObject(getAt(v, path)));
      if (objects.length === 0) return { kind: 'body:extra-field', value: v };
      return { kind: 'body:extra-field', value: addKey(v, objects[at % objects.length]!, key, key === 'constructor' ? { prototype: { polluted: true } } : extra) };
    });
  return fc.oneof({ weight: 3, arbitrary: replace }, { weight: 1, arbitrary: extraKey });
}

const replacement: fc.Arbitrary<[string, unknown]> = fc.oneof(
  fc.constant(['missing-field', REMOVE] as [string, unknown]),
  fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.double(), fc.string({ maxLength: 10 }), fc.array(fc.integer(), { maxLength: 3 }), fc.object({ maxDepth: 1 })).map(
    (v) => ['wrong-type', v] as [string, unknown],
  ),
  fc.integer({ min: 1_000, max: 1_200_000 }).map((n) => ['huge-string', 'x'.repeat(n)] as [string, unknown]),
  fc.integer({ min: 2, max: 3_000 }).map((depth) => ['deep-nesting', nested(depth)] as [string, unknown]),
  fc.string({ minLength: 1, maxLength: 12, unit: 'binary' }).map((v) => ['unicode', v] as [string, unknown]),
  fc.string({ minLength: 1, maxLength: 6, unit: fc.integer({ min: 0, max: 31 }).map((c) => String.fromCharCode(c)) }).map(
    (v) => ['control-characters', v] as [string, unknown],
  ),
  fc.constantFrom(-1, 0, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 31, -(2 ** 31) - 1, 0.5).map((v) => ['edge-number', v] as [string, unknown]),
);

function nested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i += 1) value = i % 2 ? [value] : { a: value };
  return value;
}

/** Text-level damage to a serialized body: what no valid value serializes to. */
function rawText(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    fc.tuple(valid, fc.nat()).map(([text, at]) => text.slice(0, at % Math.max(text.length, 1))),
    fc.tuple(valid, fc.nat(), fc.constantFrom('{', '}', '[', ']', '"', ',', ':', '\\', '\u0000', '\uFEFF', 'NaN', '1e999999')).map(
      ([text, at, insert]) => text.slice(0, at % (text.length + 1)) + insert + text.slice(at % (text.length + 1)),
    ),
    valid.map((text) => `{"__proto__":{"polluted":true},${text.startsWith('{') && text.length > 2 ? text.slice(1) : '"x":1}'}`),
    valid.map((text) => `{"constructor":{"prototype":{"polluted":true}},${text.startsWith('{') && text.length > 2 ? text.slice(1) : '"x":1}'}`),
    valid.map((text) => `\uFEFF${text}`),
    fc.integer({ min: 1_000, max: 200_000 }).map((n) => `{"data":${'['.repeat(n)}${']'.repeat(n)}}`),
    fc.integer({ min: 1_000, max: 100_000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
    fc.constantFrom('', ' ', 'null', 'true', '0', '"data"', '[]', '{}', '{"data":[]}', '{"data":{}}', '{"data":null}', 'grant_type=implicit&grant_type=implicit', 'a=%zz&b', '__proto__[polluted]=1', 'constructor[prototype][polluted]=1'),
  );
}

type Path = (string | number)[];

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function pathsOf(value: unknown, path: Path = [], out: Path[] = []): Path[] {
  out.push(path);
  if (Array.isArray(value)) value.forEach((item, i) => pathsOf(item, [...path, i], out));
  else if (isObject(value)) for (const [key, item] of Object.entries(value)) pathsOf(item, [...path, key], out);
  return out;
}

function getAt(value: unknown, path: Path): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], value);
}

function setAt(value: unknown, path: Path, by: unknown): unknown {
  if (path.length === 0) return by === REMOVE ? undefined : by;
  const copy = structuredClone(value) as Record<string | number, unknown>;
  const parent = getAt(copy, path.slice(0, -1)) as Record<string | number, unknown> | unknown[];
  const key = path.at(-1)!;
  if (by === REMOVE) {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else {
    defineOwn(parent as Record<string | number, unknown>, key, by);
  }
  return copy;
}

function addKey(value: unknown, path: Path, key: string, extra: unknown): unknown {
  const copy = structuredClone(value);
  defineOwn(getAt(copy, path) as Record<string, unknown>, key, extra);
  return copy;
}

/** An own property even for `__proto__`, which plain assignment would turn into a prototype change. */
function defineOwn(target: Record<string | number, unknown>, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

// ---------------------------------------------------------------- hints

function hintsFor(operationIds: string[]): Hint {
  const known: Record<string, fc.Arbitrary<unknown>> = {
    id: fc.constantFrom(...ACCOUNTS, ...CUSTOMERS, ...FIXTURE_CARTS, ...NEW_CARTS, 'unknown-id'),
    client_id: fc.constantFrom('demo-storefront', 'demo-backend', 'nobody'),
    client_secret: fc.constantFrom('demo-backend-secret', 'wrong-secret'),
    username: fc.constantFrom('alice@example.com', 'ALICE@Example.com', 'bob@example.com'),
    password: fc.constantFrom('alice-password', 'bob-password', 'carol-password', 'dave-password'),
    password_profile_id: fc.constant(ids.passwordProfile),
    email: fc.constantFrom('carol@example.com', 'dave@example.com', 'Carol@Example.COM'),
    operationId: fc.constantFrom(...operationIds),
    advance_seconds: fc.integer({ min: 0, max: 8 * 24 * 3600 }),
    latency_ms: fc.integer({ min: 0, max: 20 }),
  };
  return (property) => (Object.hasOwn(known, property) ? known[property] : undefined);
}

// ---------------------------------------------------------------- sending

/** How a valid bearer may be written: the scheme is case-insensitive, and spaces around the token are fine. */
const VALID_AUTH_FORMATS = new Set(['Bearer %s', 'bearer %s', 'BEARER  %s ']);

/**
 * The request as `fastify.inject` takes it, with its tokens minted now; `refused` says the stub must answer
 * 401 if it routes the request to an operation that needs a bearer: a token is missing, forged, expired, of
 * the wrong kind, or a shopper header was sent twice (rows 1–2).
 */
export function toInject(spec: RequestSpec, mint: TokenMint): { options: InjectOptions; refused: boolean } {
  const headers: Record<string, string | string[]> = { ...spec.headers };
  let refused = !spec.authorization || !VALID_AUTH_FORMATS.has(spec.authorization.format);
  if (spec.authorization) {
    const { token, forged } = mint.mint(spec.authorization.token, 'access');
    headers.authorization = spec.authorization.format.replaceAll('%s', token);
    refused ||= forged;
  }
  const shopper = (specs: TokenSpec | TokenSpec[], slot: 'account' | 'customer') => {
    if (Array.isArray(specs)) {
      refused = true;
      return specs.map((one) => mint.mint(one, slot).token);
    }
    const { token, forged } = mint.mint(specs, slot);
    refused ||= forged;
    return token;
  };
  if (spec.accountToken) headers['ep-account-management-authentication-token'] = shopper(spec.accountToken, 'account');
  if (spec.customerToken) headers['x-moltin-customer-token'] = shopper(spec.customerToken, 'customer');
  const payload = spec.body === undefined ? undefined : 'text' in spec.body ? spec.body.text : Buffer.from(spec.body.bytes);
  return {
    options: { method: spec.method as InjectOptions['method'], url: spec.path + spec.query, headers, ...(payload === undefined ? {} : { payload }) },
    refused,
  };
}

/** A short line for a report: the operation, the kind of case, the URL. */
export function describeRequest(spec: RequestSpec): string {
  const body = spec.body === undefined ? '' : 'text' in spec.body ? ` body ${JSON.stringify(spec.body.text.slice(0, 200))}` : ` ${spec.body.bytes.length} bytes`;
  const tokens = [
    spec.authorization && `authorization ${JSON.stringify(spec.authorization.format)} ${describeToken(spec.authorization.token)}`,
    spec.accountToken && `account token ${describeToken(spec.accountToken)}`,
    spec.customerToken && `customer token ${describeToken(spec.customerToken)}`,
  ].filter(Boolean);
  return `${spec.operationId} [${spec.kind}] ${spec.method} ${(spec.path + spec.query).slice(0, 120)}${body}; ${tokens.join('; ') || 'no tokens'}`;
}

function describeToken(token: TokenSpec | TokenSpec[]): string {
  if (Array.isArray(token)) return `twice (${token.map(describeToken).join(', ')})`;
  if (token.form === 'pinned') return token.token;
  if (token.form === 'garbage') return `garbage ${JSON.stringify(token.text.slice(0, 20))}`;
  const { typ, ...claims } = token.identity;
  return `${token.form} ${typ} ${Object.values(claims).join(' ')}${token.tamper ? ` tampered ${JSON.stringify(token.tamper)}` : ''}`;
}
