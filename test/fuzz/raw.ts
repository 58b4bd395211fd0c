/**
 * Generated requests written as HTTP/1.1 bytes on a real socket, then damaged where `inject` cannot: headers
 * sent twice, a Content-Length that lies, broken chunked encoding, control characters in header values, a
 * request cut short, two requests in one write, no Host. The stub must answer each in the shared shape (or
 * close the connection), and keep serving everyone else.
 */
import fc from 'fast-check';
import type { RequestSpec } from './requests.js';
import type { TokenMint } from './tokens.js';
import { toInject } from './requests.js';

export type RawDamage =
  | { kind: 'none' }
  | { kind: 'duplicate-header'; header: number; value: string }
  | { kind: 'content-length'; by: number }
  | { kind: 'chunked'; broken: boolean }
  | { kind: 'chunked-and-length' }
  | { kind: 'control-character'; header: number; char: number }
  | { kind: 'no-host' }
  | { kind: 'cut'; at: number }
  | { kind: 'pipelined' }
  | { kind: 'method'; method: string }
  | { kind: 'raw-unicode-path' }
  | { kind: 'folded-header'; header: number };

export const rawDamage: fc.Arbitrary<RawDamage> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('duplicate-header' as const), header: fc.nat(), value: fc.string({ maxLength: 20, unit: 'grapheme-ascii' }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('content-length' as const), by: fc.integer({ min: -20, max: 20 }).filter((n) => n !== 0) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('chunked' as const), broken: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'chunked-and-length' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('control-character' as const), header: fc.nat(), char: fc.constantFrom(0, 1, 8, 0x0b, 0x1f, 0x7f) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'no-host' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'pipelined' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('method' as const), method: fc.constantFrom('PATCH', 'FOO', 'get', 'CONNECT') }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'raw-unicode-path' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('folded-header' as const), header: fc.nat() }) },
);

/** The request's bytes, damaged as `damage` says; every request asks the server to close afterwards. */
export function rawBytes(spec: RequestSpec, mint: TokenMint, damage: RawDamage): { bytes: Buffer; refused: boolean } {
  const { options, refused } = toInject(spec, mint);
  const body = options.payload === undefined ? Buffer.alloc(0) : Buffer.isBuffer(options.payload) ? options.payload : Buffer.from(String(options.payload));
  const headers: [string, string][] = [];
  for (const [name, value] of Object.entries((options.headers ?? {}) as Record<string, string | string[]>)) {
    for (const one of Array.isArray(value) ? value : [value]) headers.push([name, one.replace(/[\r\n]/g, '')]);
  }
  const method = damage.kind === 'method' ? damage.method : String(options.method);
  const url = damage.kind === 'raw-unicode-path' ? `${String(options.url)}\u00e9\u{1F600}` : String(options.url);
  if (damage.kind !== 'no-host') headers.unshift(['Host', '127.0.0.1']);
  const pick = (n: number) => n % Math.max(headers.length, 1);
  let framed = body;
  if (damage.kind === 'chunked' || damage.kind === 'chunked-and-length') {
    headers.push(['Transfer-Encoding', 'chunked']);
    const size = damage.kind === 'chunked' && damage.broken ? 'zz' : body.length.toString(16);
    framed = Buffer.concat([Buffer.from(body.length ? `${size}\r\n` : ''), body, Buffer.from(body.length ? '\r\n0\r\n\r\n' : '0\r\n\r\n')]);
  }
  if (damage.kind !== 'chunked') {
    const lie = damage.kind === 'content-length' ? damage.by : 0;
    headers.push(['Content-Length', String(Math.max(0, body.length + lie))]);
  }
  if (damage.kind === 'duplicate-header' && headers.length > 0) headers.push([headers[pick(damage.header)]![0], damage.value]);
  if (damage.kind === 'control-character' && headers.length > 0) {
    const [name, value] = headers[pick(damage.header)]!;
    headers[pick(damage.header)] = [name, `${value}${String.fromCharCode(damage.char)}x`];
  }
  headers.push(['Connection', 'close']);
  const lines = headers.map(([name, value], i) => (damage.kind === 'folded-header' && i === pick(damage.header) ? `${name}: ${value}\r\n folded` : `${name}: ${value}`));
  const head = Buffer.from(`${method} ${url} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`, 'utf8');
  let bytes = Buffer.concat([head, framed]);
  if (damage.kind === 'pipelined') {
    const first = Buffer.from(`GET /v2/carts/demo-cart-empty HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer demo-client-credentials-token\r\n\r\n`);
    bytes = Buffer.concat([first, bytes]);
  }
  if (damage.kind === 'cut') bytes = bytes.subarray(0, damage.at % bytes.length);
  return { bytes, refused: refused && damage.kind === 'none' };
}
