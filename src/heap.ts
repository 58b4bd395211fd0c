import { setFlagsFromString } from 'node:v8';

/**
 * Stops V8's young generation from growing further. Under load V8 doubles it, up to 32 MB, as soon as
 * requests keep objects alive, and the stub keeps every cart it writes: that growth was a quarter of the
 * stub's peak RSS under the association load (`npm run bench`). Kept at the size start-up left it, it is collected
 * more often (about 2 µs a request), with no change in req/s the benchmark could see. Called once the stub
 * listens, so that start-up is not slowed; and only in a process the stub owns (the CLI): a library must
 * not retune its host's V8.
 */
export function stopYoungGenerationGrowth(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
