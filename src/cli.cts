#!/usr/bin/env node
/**
 * The `ep-cart-stub` command. Runs main.ts from its one-file bundle (scripts/bundle-cli.mjs) with V8's code
 * cache: compiling the bundle was the largest part left of the cold start (`npm run bench`, cold start),
 * and Node 20 keeps no compile cache of its own. Without the bundle (tsc's output alone, or tsx) it imports main.js as usual.
 *
 * CommonJS, unlike the rest of the package: Node starts a CommonJS entry point some 10 ms sooner than an ES
 * module, whose loader it would set up first (`npm run bench`, cold start).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import type * as Heap from './heap.cjs';

type Program = { started: Promise<boolean> };

/**
 * How long after the stub listens a start that writes the code cache waits before writing it, so that the
 * cache also holds the functions of the first requests: the build's own start answers an association in that
 * time (scripts/bundle-cli.mjs), and the cold start `npm run bench` measures ends on one (some 8 ms less).
 */
const CACHE_AFTER_MS = 1_000;
/**
 * How long after the stub listens (and has written its cache, if it writes one) it tunes its heap (heap.cts):
 * past the first requests, which neither that nor the node:v8 it loads may delay (some 5 ms of the cold start,
 * `npm run bench`).
 */
const TUNE_HEAP_AFTER_MS = 1_000;

const bundle = join(__dirname, 'main.bundle.cjs');
const { program, cacheWritten } = existsSync(bundle)
  ? runWithCodeCache(bundle)
  : { program: import('./main.js') as Promise<Program>, cacheWritten: Promise.resolve() };
void program.then(async ({ started }) => {
  if (!(await started)) return;
  // Not before the cache is written: V8 rejects a cache made under other flags.
  await cacheWritten;
  setTimeout(() => (require('./heap.cjs') as typeof Heap).tuneHeapToItsSize(), TUNE_HEAP_AFTER_MS).unref();
});

function runWithCodeCache(file: string): { program: Promise<Program>; cacheWritten: Promise<void> } {
  // Hashed as read, not as a string, which the hash would encode again: a few ms of every start.
  const bytes = readFileSync(file);
  const source = bytes.toString('utf8');
  // V8 checks a cache against its source's length only: a hash of the bundle names the cache that fits it,
  // wherever the files were copied to (an image, an installed package).
  const cacheFile = `${file}.${createHash('sha1').update(bytes).digest('hex').slice(0, 16)}.cache`;
  const cachedData = existsSync(cacheFile) ? readFileSync(cacheFile) : undefined;
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new Script(wrapped, { filename: file, cachedData });
  const module = { exports: {} as Program };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  const program = Promise.resolve(module.exports);
  if (cachedData && !script.cachedDataRejected) return { program, cacheWritten: Promise.resolve() };
  // Written once the stub has listened a while, so that it holds every function the start compiled and the
  // first requests' too. Written aside and renamed, since stubs may start side by side; where the package is
  // read-only, the stub goes without.
  const cacheWritten = module.exports.started.then(async (up) => {
    if (!up) return;
    await new Promise((resolve) => setTimeout(resolve, CACHE_AFTER_MS).unref());
    const partial = `${cacheFile}.${process.pid}`;
    try {
      writeFileSync(partial, script.createCachedData());
      renameSync(partial, cacheFile);
    } catch {
      // Read-only: every start compiles the bundle, as it would without a cache.
    }
  });
  return { program, cacheWritten };
}
