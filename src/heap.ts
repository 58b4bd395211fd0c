import { getHeapStatistics, setFlagsFromString } from 'node:v8';

/** Heap in use past which the young generation may grow again: a store of some 500 000 carts. */
const LARGE_HEAP_BYTES = 192 * 2 ** 20;
const CHECK_EVERY_MS = 5_000;

/**
 * Keeps V8's young generation at its start-up size while the heap is small, and lets it grow once the heap
 * is large. Under load V8 doubles it, up to 32 MB, as soon as requests keep objects alive, and the stub keeps
 * every cart it writes: that growth was a quarter of the stub's peak RSS under the association load
 * (`npm run bench`). Kept at its start-up size it is collected more often (about 2 µs a request), with no
 * change in req/s the benchmark could see, while the store is small. But every collection of the young
 * generation also walks the old generation's pages: with 1 000 000 carts one took 2 ms instead of 1, and at
 * its start-up size the young generation was collected every few listings of 100 carts; at 32 MB those
 * listings cost a quarter less CPU (`npm run bench`, growth). So past LARGE_HEAP_BYTES, asked every few
 * seconds, V8 sizes it again as it would by itself.
 *
 * Called once the stub listens, so that start-up is not slowed; and only in a process the stub owns (the
 * CLI): a library must not retune its host's V8.
 */
export function sizeYoungGenerationToTheHeap(): void {
  let growing: boolean | undefined;
  const check = () => {
    const large = getHeapStatistics().used_heap_size > LARGE_HEAP_BYTES;
    if (large === growing) return;
    growing = large;
    setFlagsFromString(`--semi-space-growth-factor=${large ? 2 : 1}`);
  };
  check();
  setInterval(check, CHECK_EVERY_MS).unref();
}
