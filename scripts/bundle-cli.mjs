/**
 * Bundles the CLI program (dist/main.js, as tsc wrote it) into dist/main.bundle.cjs, which dist/cli.cjs runs with
 * V8's code cache, then starts the CLI once, and has it answer an association, so that the cache is there from
 * the first start and holds the request path too (loading ~280 modules one
 * by one, then compiling them, was most of the cold start that `npm run bench` measures). CommonJS because Node 20 can
 * cache the compiled code of a script, not of an ES module. dist/index.js and the rest stay as tsc wrote them,
 * for use as a library. Packages that read their own files or start workers at run time stay outside the
 * bundle and load from node_modules as usual; so does ioredis, which only `--redis` loads: in the bundle, a
 * fifth of its size, every start would read and hash it.
 *
 * Minified, but for names (whitespace, comments, syntax: 2.5 → 1.6 MB), and pure ASCII, with the licence
 * comments in main.bundle.cjs.LEGAL.txt: each start reads, hashes and decodes the whole file, and a single
 * non-ASCII character makes V8 hold it as a string of two bytes a character. Together about 25 ms of the cold
 * start. Stack traces point into the bundle's few long lines; `node --enable-source-maps` maps them back
 * through main.bundle.cjs.map.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { build } from 'esbuild';
import { loadContract } from '../dist/contract/document.js';
import { precompiledValidatorsModule } from '../dist/contract/precompile.js';

/**
 * Fastify's server module requires node:https and node:http2 as it loads, for the servers it makes when asked
 * for TLS or HTTP/2; the stub serves plain HTTP/1.1. Loading the two, and node:tls with them, was some 10 ms
 * of every start (`npm run bench`, cold start). In the bundle, those requires of that one file get a stand-in
 * that loads the real module when a property of it is first read.
 */
const onFirstUse = {
  name: 'fastify-server-modules-on-first-use',
  setup(bundler) {
    bundler.onResolve({ filter: /^node:(https|http2)$/ }, ({ path, importer }) =>
      /[\\/]fastify[\\/]lib[\\/]server\.js$/.test(importer) ? { path, namespace: 'on-first-use' } : undefined,
    );
    bundler.onLoad({ filter: /.*/, namespace: 'on-first-use' }, ({ path }) => ({
      contents: `let loaded; module.exports = new Proxy({}, { get: (_, key) => (loaded ??= require(${JSON.stringify(path)}))[key] });`,
      loader: 'js',
    }));
  },
};

/**
 * In the bundle, Elastic Path's request validators come compiled ahead of time (src/contract/precompile.ts),
 * from the document as the stub reads it (dist/openapi.parsed.json, written before the bundle).
 */
const precompiledValidators = {
  name: 'precompiled-validators',
  setup(bundler) {
    bundler.onResolve({ filter: /^\.\/precompiled-validators\.js$/ }, ({ path }) => ({ path, namespace: 'precompiled' }));
    bundler.onLoad({ filter: /.*/, namespace: 'precompiled' }, async () => ({
      contents: precompiledValidatorsModule(await loadContract()),
      loader: 'js',
      resolveDir: process.cwd(),
    }));
  },
};

await build({
  entryPoints: ['dist/main.js'],
  outfile: 'dist/main.bundle.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  external: ['@fastify/swagger', '@fastify/swagger-ui', 'ioredis'],
  plugins: [onFirstUse, precompiledValidators],
  // import() of those becomes require(): cli.cts runs the bundle as a vm.Script, whose import() has no loader
  // once V8 takes the function from the code cache (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING on Node 20).
  supported: { 'dynamic-import': false },
  // Modules find the package's files from their own URL; in the bundle, that is the bundle's.
  define: { 'import.meta.url': '__bundleUrl' },
  banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'external',
  logLevel: 'warning',
});
if (readFileSync('dist/main.bundle.cjs').some((byte) => byte > 0x7f)) throw new Error('dist/main.bundle.cjs is not pure ASCII');

const hasCache = () => readdirSync('dist').some((name) => name.startsWith('main.bundle.cjs.') && name.endsWith('.cache'));
const child = spawn(process.execPath, ['dist/cli.cjs', '--port', '0', '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'inherit'] });
const exited = new Promise((resolve) => child.once('exit', resolve));
// The first start answers an association before it writes its cache (src/cli.cts): a cart, an account and a
// client-credentials token of the fixtures it serves.
const listening = new Promise((resolve) => {
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
    const url = /"url":"([^"]+)"/.exec(output)?.[1];
    if (url) resolve(url);
  });
});
const fixtures = JSON.parse(readFileSync('fixtures/default.json', 'utf8'));
const token = fixtures.pinned_tokens.find((pinned) => pinned.grant === 'client_credentials').token;
const cart = fixtures.carts.find((candidate) => !candidate.account_ids?.length && !candidate.customer_ids?.length).id;
const url = await Promise.race([listening, exited.then(() => undefined), sleep(30_000, undefined, { ref: false })]);
if (url) {
  await fetch(`${url}/v2/carts/${cart}/relationships/accounts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ data: [{ type: 'account', id: fixtures.accounts[0].id }] }),
    signal: AbortSignal.timeout(30_000),
  }).then((response) => response.arrayBuffer());
}
for (const started = Date.now(); url && !hasCache() && child.exitCode === null && Date.now() - started < 30_000; ) await sleep(20);
child.kill('SIGTERM');
await exited;
if (!hasCache()) throw new Error('dist/cli.cjs wrote no code cache on its first start');
