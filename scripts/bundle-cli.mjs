/**
 * Bundles the CLI program (dist/main.js, as tsc wrote it) into dist/main.bundle.cjs, which dist/cli.js runs with
 * V8's code cache, then starts the CLI once so that the cache is there from the first start (loading ~280 modules one
 * by one, then compiling them, was most of the cold start that `npm run bench` measures). CommonJS because Node 20 can
 * cache the compiled code of a script, not of an ES module. dist/index.js and the rest stay as tsc wrote them,
 * for use as a library. Packages that read their own files or start workers at run time stay outside the
 * bundle and load from node_modules as usual; so does ioredis, which only `--redis` loads: in the bundle, a
 * fifth of its size, every start would read and hash it.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/main.js'],
  outfile: 'dist/main.bundle.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  external: ['@fastify/swagger', '@fastify/swagger-ui', 'ioredis'],
  // import() of those becomes require(): cli.ts runs the bundle as a vm.Script, whose import() has no loader
  // once V8 takes the function from the code cache (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING on Node 20).
  supported: { 'dynamic-import': false },
  // Modules find the package's files from their own URL; in the bundle, that is the bundle's.
  define: { 'import.meta.url': '__bundleUrl' },
  banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});

const hasCache = () => readdirSync('dist').some((name) => name.startsWith('main.bundle.cjs.') && name.endsWith('.cache'));
const child = spawn(process.execPath, ['dist/cli.js', '--port', '0', '--host', '127.0.0.1', '--log-level', 'silent'], { stdio: 'inherit' });
const exited = new Promise((resolve) => child.once('exit', resolve));
for (const started = Date.now(); !hasCache() && child.exitCode === null && Date.now() - started < 30_000; ) await sleep(20);
child.kill('SIGTERM');
await exited;
if (!hasCache()) throw new Error('dist/cli.js wrote no code cache on its first start');
