/** The fixtures' set-up and tear-down, the same under vitest and Playwright: each runner only says when. */
import { startStub, type RunningStub, type StubOptions } from '../stub.js';

/** A stub on a free port (a worker's or a file's own) for as long as `use` runs, then closed. */
export async function withStub(options: StubOptions, use: (stub: RunningStub) => Promise<void>): Promise<void> {
  const stub = await startStub({ ...options, port: 0 });
  try {
    await use(stub);
  } finally {
    await stub.close();
  }
}

/** Back to the fixtures before a test, its journal, faults and coverage cleared. */
export async function resetFirst(stub: RunningStub, use: () => Promise<void>): Promise<void> {
  await stub.reset();
  await use();
}
