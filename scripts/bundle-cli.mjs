/**
 * Replaces dist/cli.js, as tsc wrote it, with one bundled file: loading ~280 modules one by one was the
 * largest part of the stub's cold start (issue #6). dist/index.js and the rest stay as tsc wrote them, for
 * use as a library. Packages that read their own files or start workers at run time stay outside the bundle
 * and load from node_modules as usual.
 */
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/cli.js'],
  outfile: 'dist/cli.js',
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external: ['@fastify/swagger', '@fastify/swagger-ui', 'pino', 'thread-stream'],
  // CommonJS dependencies require Node's built-ins; an ES module bundle has no `require` of its own.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});
