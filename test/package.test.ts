/**
 * The npm package as a user gets it: packed (which builds it), installed from the tarball into an empty
 * directory (test/global-setup.ts), and run with npx. Uses the npm registry (or npm's cache) for the dependencies.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLAGS, VERSION } from '../src/config.js';
import { RunningProcess, cleanEnv, run } from './support/processes.js';
import { SHIPPED } from './support/shipped.js';

const { tarball, files, projectDir: userDir, workDir: work } = SHIPPED;

// `npx <tarball>` in an empty directory, while the tarball is also installed as a dependency elsewhere.
let npxFromTarball: ReturnType<typeof run>;
beforeAll(() => {
  npxFromTarball = run('npx', ['--yes', '--package', tarball, 'ep-cart-stub', '--version'], {
    cwd: mkdtempSync(join(work, 'npx-')),
    env: cleanEnv(),
  });
});

afterAll(async () => {
  // npx keeps what it installed (about 40 MB) under the npm cache; remove the copy this run made.
  await npxFromTarball;
  const cache = (await run('npm', ['config', 'get', 'cache'], { env: cleanEnv() })).stdout.trim();
  const npxDir = join(cache, '_npx');
  for (const entry of existsSync(npxDir) ? readdirSync(npxDir) : []) {
    const manifest = join(npxDir, entry, 'package.json');
    if (existsSync(manifest) && readFileSync(manifest, 'utf8').includes(basename(work))) rmSync(join(npxDir, entry), { recursive: true, force: true });
  }
});

describe('the npm package', () => {
  it('holds dist/, openapi/, fixtures/, the README, the pages of docs/ and package.json, and nothing else', () => {
    const outside = files.filter((path) => !/^(dist|openapi|fixtures)\/|^docs\/[\w-]+\.md$/.test(path) && !['README.md', 'package.json'].includes(path));
    expect(outside).toEqual([]);
    expect(files).toEqual(expect.arrayContaining(['dist/cli.cjs', 'dist/index.js', 'dist/index.d.ts', 'openapi/openapi.yaml', 'fixtures/default.json']));
    expect(files.filter((path) => /^(src|test|bench)\//.test(path))).toEqual([]);
  });

  it('npx ep-cart-stub --help, installed from the tarball, prints every flag', async () => {
    const { code, stdout } = await run('npx', ['--no-install', 'ep-cart-stub', '--help'], { cwd: userDir, env: cleanEnv() });
    expect(code).toBe(0);
    for (const spec of Object.values(FLAGS)) expect(stdout).toContain(`--${spec.name}`);
  });

  it('npx ep-cart-stub --version prints the version', async () => {
    const { code, stdout } = await run('npx', ['--no-install', 'ep-cart-stub', '--version'], { cwd: userDir, env: cleanEnv() });
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(VERSION);
  });

  // npx installs the package's whole dependency tree: 11 s alone, 15–17 s beside the suite's other worker, and
  // past the default 20 s once when other work shared the machine.
  it('npx runs the tarball itself, with nothing installed beforehand', { timeout: 90_000 }, async () => {
    const { code, stdout, stderr } = await npxFromTarball;
    expect(code, stderr).toBe(0);
    expect(stdout.trim()).toBe(VERSION);
  });

  it('the library starts and stops a stub from code, as docs/test-code.md shows', async () => {
    const script = [
      "import { startStub } from 'ep-cart-stub';",
      'const stub = await startStub({ port: 0 });',
      "console.log((await fetch(`${stub.url}/healthz`)).status);",
      'await stub.close();',
    ].join('\n');
    const { code, stdout, stderr } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: userDir, env: cleanEnv() });
    expect(code, stderr).toBe(0);
    expect(stdout.trim()).toBe('200');
  });

  it('the installed command starts the stub, which answers 2xx, and stops on SIGTERM with exit 0', async () => {
    const stub = new RunningProcess(join(userDir, 'node_modules', '.bin', 'ep-cart-stub'), ['--port', '0'], { cwd: userDir, env: cleanEnv() });
    try {
      const [line] = await stub.waitFor(/^\{.*listening on.*\}$/m);
      const { url } = JSON.parse(line) as { url: string };
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const carts = await fetch(`${url}/v2/carts`, { headers: { authorization: 'Bearer demo-client-credentials-token' } });
      expect(carts.status).toBe(200);
      stub.signal('SIGTERM');
      expect((await stub.exited).code).toBe(0);
    } finally {
      await stub.stop();
    }
  });
});
