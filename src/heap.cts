import { getHeapStatistics, setFlagsFromString } from 'node:v8';

/** Heap in use past which V8 sizes the heap as it would by itself: a store of some 500 000 carts. */
const LARGE_HEAP_BYTES = 192 * 2 ** 20;
const CHECK_EVERY_MS = 5_000;
/**
 * How far the old generation may grow past what the last full collection left, in percent, while the heap is
 * small: 1.5×, where V8 let it grow 2× and more under the association load (`node --trace-gc`).
 */
const SMALL_HEAP_GROWING_PERCENT = 50;

/**
 * Keeps the heap small while it holds little, and lets V8 size it as usual once it is large.
 *
 * While small: V8's young generation stays at its start-up size, and its old generation grows 1.5× between full
 * collections. Under load V8 doubles the young generation, up to 32 MB, as soon as requests keep objects alive,
 * and the stub keeps every cart it writes: that growth was a quarter of the stub's peak RSS under the
 * association load (`npm run bench`). Kept at its start-up size it is collected more often (about 2 µs a
 * request). Then what a young collection promotes, the requests in flight, is garbage in the old generation
 * that V8 let grow to twice what it kept and more: with 100 000 carts under that load, peak RSS fell from 144
 * to 136–138 MB at 1.5×, for one full collection during the 90 000 requests instead of none, and its marking on
 * a helper thread, which shares the stub's core when it is pinned to one: about 1 µs a request. At 1.2× it
 * was 128 MB, for three collections and about 3 µs a request, which the write path's ratio to the bare route
 * could not spare.
 *
 * While large: every young collection also walks the old generation's pages. With 1 000 000 carts one took
 * 2 ms instead of 1, and at its start-up size the young generation was collected every few listings of 100
 * carts; at 32 MB those listings cost a quarter less CPU (`npm run bench`, growth). A full collection of such
 * a heap costs more too. So past LARGE_HEAP_BYTES, asked every few seconds, V8 sizes both again as it would
 * by itself.
 *
 * Called once the stub listens, so that start-up is not slowed; and only in a process the stub owns (the
 * CLI): a library must not retune its host's V8.
 */
export function tuneHeapToItsSize(): void {
  let large: boolean | undefined;
  const check = () => {
    const nowLarge = getHeapStatistics().used_heap_size > LARGE_HEAP_BYTES;
    if (nowLarge === large) return;
    large = nowLarge;
    // 2 and 0 are V8's defaults: double the young generation when it fills; choose the growing factor itself.
    setFlagsFromString(`--semi-space-growth-factor=${large ? 2 : 1}`);
    setFlagsFromString(`--heap-growing-percent=${large ? 0 : SMALL_HEAP_GROWING_PERCENT}`);
  };
  check();
  setInterval(check, CHECK_EVERY_MS).unref();
}
