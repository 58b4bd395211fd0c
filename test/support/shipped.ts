/** The shipped command, as test/global-setup.ts packed and installed it for this run. */
import { inject } from 'vitest';
import { REPO_DIR, RunningProcess, cleanEnv } from './processes.js';

export const SHIPPED = inject('shippedPackage');

/** The installed `ep-cart-stub`, as a command and its leading arguments. */
export const SHIPPED_CLI = { command: SHIPPED.bin, args: [] as string[] };

/** The installed command, serving (off a terminal, so it logs its URL as a JSON line); the caller stops it. */
export async function startShippedStub(args: string[] = [], env: Record<string, string> = {}): Promise<{ url: string; process: RunningProcess }> {
  const child = new RunningProcess(SHIPPED.bin, ['--port', '0', ...args], { cwd: REPO_DIR, env: cleanEnv(env) });
  try {
    const [line] = await child.waitFor(/^\{.*"msg":"ep-cart-stub [^"]+ listening on [^"]+"\}$/m);
    return { url: (JSON.parse(line) as { url: string }).url, process: child };
  } catch (error) {
    await child.stop();
    throw error;
  }
}
