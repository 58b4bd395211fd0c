/**
 * The example projects of examples/ run as a user runs them: each is copied out of the repository, installs
 * the packed tarball (test/global-setup.ts packed it for this run), and runs its own `npm test`. The runner it
 * names (vitest, jest, @playwright/test) is linked from this repository's node_modules rather than installed
 * again: the same versions the suite runs on, with nothing to download.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_DIR, cleanEnv, run } from './support/processes.js';
import { SHIPPED } from './support/shipped.js';

interface Manifest {
  devDependencies: Record<string, string>;
  bin?: string | Record<string, string>;
}

const readManifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;

/** The example, copied into a folder of its own, with the tarball installed and its runner linked. */
async function installed(example: string): Promise<string> {
  const dir = mkdtempSync(join(SHIPPED.workDir, `example-${example}-`));
  cpSync(join(REPO_DIR, 'examples', example), dir, { recursive: true });
  const manifest = readManifest(dir);
  const runners = Object.keys(manifest.devDependencies).filter((name) => name !== 'ep-cart-stub');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...manifest, devDependencies: { 'ep-cart-stub': `file:${SHIPPED.tarball}` } }));
  const install = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: dir, env: cleanEnv() });
  expect(install.code, install.stderr).toBe(0);
  for (const name of runners) {
    const from = join(REPO_DIR, 'node_modules', name);
    const to = join(dir, 'node_modules', name);
    mkdirSync(dirname(to), { recursive: true });
    symlinkSync(from, to);
    const { bin } = readManifest(from);
    const bins = typeof bin === 'string' ? { [name.split('/').pop()!]: bin } : (bin ?? {});
    mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
    for (const [command, path] of Object.entries(bins)) symlinkSync(relative(join(dir, 'node_modules', '.bin'), join(to, path)), join(dir, 'node_modules', '.bin', command));
  }
  return dir;
}

/** Its own `npm test`, uncoloured, without this run's vitest variables (a nested vitest would take itself for a worker). */
async function npmTest(dir: string) {
  const inherited = Object.entries(cleanEnv()).filter(([name]) => !/^(VITEST|NODE_ENV$|FORCE_COLOR$)/.test(name));
  return run('npm', ['test'], { cwd: dir, env: { ...Object.fromEntries(inherited), NO_COLOR: '1' } });
}

// Each installs a project and runs a whole test runner (Chromium for one): seconds alone, many more on a loaded machine.
describe.concurrent('the example projects, installed from the packed tarball, pass their own npm test', { timeout: 120_000 }, () => {
  it("examples/vitest: the fixture's stub is seeded, the storefront adds the cart to Acme, the test waits for the 204 and asserts on it; the global set-up's stub answers at the address it handed on", async () => {
    const { code, stdout, stderr } = await npmTest(await installed('vitest'));
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    expect(stdout).toMatch(/Test Files\s+2 passed \(2\)\n\s+Tests\s+2 passed \(2\)/);
  });

  it("examples/jest: useStub's stub is seeded, the test associates and waits for the 204, the next test starts from the fixtures; the global set-up's stub answers at EP_CART_STUB_URL", async () => {
    const { code, stdout, stderr } = await npmTest(await installed('jest'));
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    expect(stderr).toMatch(/Tests:\s+3 passed, 3 total/);
  });

  it("examples/playwright: Debian's Chromium clicks the page's button, the page calls the stub, the test waits for the 204 and reads the page", async () => {
    const { code, stdout, stderr } = await npmTest(await installed('playwright'));
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    expect(stdout).toMatch(/\b1 passed\b/);
  });
});
