/** The `ep-cart-stub` command as a person or a CI job runs it: the bin installed from the packed tarball. */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FLAGS } from '../src/config.js';
import { REPO_DIR, RunningProcess, cleanEnv, run } from './support/processes.js';
import { checkedBlock, checkedBlocks } from './support/documents.js';
import { ids } from './support/fixtures.js';
import { SHIPPED, SHIPPED_CLI as CLI, startShippedStub } from './support/shipped.js';

const started: RunningProcess[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((child) => child.stop()));
});

function cli(args: string[], env: Record<string, string> = {}) {
  return run(CLI.command, [...CLI.args, ...args], { cwd: REPO_DIR, env: cleanEnv(env) });
}

function startCli(args: string[], env: Record<string, string> = {}): RunningProcess {
  const child = new RunningProcess(CLI.command, [...CLI.args, ...args], { cwd: REPO_DIR, env: cleanEnv(env) });
  started.push(child);
  return child;
}

describe.concurrent('help and version', () => {
  it('--help lists every flag with its environment variable and default, and exits 0', async () => {
    const { code, stdout, stderr } = await cli(['--help']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    for (const spec of Object.values(FLAGS)) {
      expect(stdout).toContain(`--${spec.name}`);
      if ('env' in spec && spec.env) expect(stdout).toContain(`env ${spec.env}, default `);
    }
  });

  it("docs/record-and-replay.md's synopses of record and replay name, in order, the arguments and flags each command's --help gives", async () => {
    // A synopsis may mark a flag required or repeatable where the help cannot; what it names must be the same.
    const named = (usage: string) => usage.match(/--[a-z-]+(?: <[^>]+>)?|<[^>]+>/g)!.filter((token) => token !== '--help');
    const synopses = checkedBlocks('docs/record-and-replay.md', import.meta.url).map((block) => block.text.trim());
    const commands = synopses.map((synopsis) => /^ep-cart-stub (\w+) /.exec(synopsis)?.[1]);
    expect(commands).toEqual(['record', 'replay']);
    for (const [i, synopsis] of synopses.entries()) {
      const { code, stdout } = await cli([commands[i]!, '--help']);
      expect(code).toBe(0);
      const usage = /^Usage: .*(?:\n {2,}\S.*)*/m.exec(stdout)![0];
      expect(named(synopsis), commands[i]).toEqual(named(usage));
    }
  });

  it('--version prints the version alone', async () => {
    const { code, stdout } = await cli(['--version']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});

describe.concurrent('a wrong flag or value exits 2 with one line and the usage', () => {
  it.each([
    [['--prot', '4010'], {}, 'ep-cart-stub: unknown flag --prot (did you mean --port?)'],
    [['--port', '99999'], {}, 'ep-cart-stub: --port must be an integer from 0 to 65535, got "99999"'],
    [[], { PORT: 'abc' }, 'ep-cart-stub: PORT must be an integer from 0 to 65535, got "abc"'],
    [['--log-level', 'loud'], {}, 'ep-cart-stub: --log-level must be one of fatal, error, warn, info, debug, trace, silent, got "loud"'],
  ] as const)('%j %j', async (args, env, line) => {
    const { code, stdout, stderr } = await cli([...args], { ...env });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const [first, ...usage] = stderr.trimEnd().split('\n');
    expect(first).toBe(line);
    expect(usage[0]).toMatch(/^Usage: ep-cart-stub \[--port <port>\]/);
  });
});

describe('starting and stopping', () => {
  it('a port already in use exits 1 saying so', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      const { code, stderr } = await cli(['--port', String(port)]);
      expect(code).toBe(1);
      expect(stderr).toMatch(new RegExp(`^ep-cart-stub: port ${port} on 127.0.0.1 is already in use`));
      expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    } finally {
      blocker.close();
    }
  });

  it('a fixtures file with problems exits 1, listing every problem, one a line, as docs/running.md shows', async () => {
    const project = mkdtempSync(join(tmpdir(), 'ep-cart-stub-fixtures-'));
    try {
      // The page's four problems: a list left out, a cart without an id, a cart of two accounts, a misspelt member.
      const carts = [{}, { id: 'two-accounts', account_ids: [ids.acme, ids.globex] }, { id: 'misspelt', acount_ids: [ids.acme] }];
      writeFileSync(join(project, 'my-fixtures.json'), JSON.stringify({ clients: [], password_profiles: [], accounts: [], account_members: [], carts, pinned_tokens: [] }));
      const { code, stdout, stderr } = await run(CLI.command, [...CLI.args, '--fixtures', './my-fixtures.json'], { cwd: project, env: cleanEnv() });
      // The page writes the file's full path, which is the reader's own, as /…/.
      expect(stderr).toBe(checkedBlock('docs/running.md', import.meta.url).text.replace('/…/', `${project}/`));
      expect(stdout).toBe('');
      expect(code).toBe(1);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  it('off a terminal it logs its URL as one JSON line, and SIGTERM lets a request in flight finish, then exits 0', async () => {
    const child = startCli(['--port', '0']);
    const [line] = await child.waitFor(/^\{.*"msg":"ep-cart-stub [^"]+ listening on [^"]+"\}$/m);
    const { url } = JSON.parse(line) as { url: string };
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    // Half a request: the headers and part of the body are sent before the signal, the rest after it.
    const body = JSON.stringify({ data: [{ type: 'account', id: 'a0000000-0000-4000-8000-000000000001' }] });
    const answered = new Promise<number>((resolve, reject) => {
      const req = request(`${url}/v2/carts/demo-cart-empty/relationships/accounts`, {
        method: 'POST',
        headers: { authorization: 'Bearer demo-client-credentials-token', 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      });
      req.on('response', (response) => {
        response.resume();
        resolve(response.statusCode!);
      });
      req.on('error', reject);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        child.signal('SIGTERM');
        void child.waitFor(/"msg":"stopping/).then(() => req.end(body.slice(10)), reject);
      }, 300);
    });
    expect(await answered).toBe(200);
    const { code, stdout } = await child.exited;
    expect(code).toBe(0);
    expect(stdout).toMatch(/"msg":"stopped"/);
  });

  it('a second signal during the drain exits at once', async () => {
    const child = startCli(['--port', '0']);
    const [line] = await child.waitFor(/^\{.*listening on.*\}$/m);
    const { url } = JSON.parse(line) as { url: string };
    const pending = request(`${url}/v2/carts`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': 100 } });
    pending.on('error', () => undefined);
    pending.write('{');
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.signal('SIGTERM');
    await child.waitFor(/"msg":"stopping/);
    child.signal('SIGTERM');
    expect((await child.exited).code).toBe(128 + 15);
    pending.destroy();
  });

  it('SIGINT exits 0 too', async () => {
    const child = startCli(['--port', '0']);
    await child.waitFor(/listening on/);
    child.signal('SIGINT');
    expect(await child.exited).toMatchObject({ code: 0, signal: null });
  });
});

describe('the start log of the shipped command', () => {
  it('names sandbox mode and the CORS origins when they are on', async () => {
    const { process: child } = await startShippedStub(['--sandbox', '--cors-origin', 'http://localhost:3000']);
    started.push(child);
    const [line] = await child.waitFor(/^\{.*listening on.*\}$/m);
    expect(JSON.parse(line)).toMatchObject({ sandbox: 'on: each client id works in a sandbox of its own', cors: 'http://localhost:3000' });
  });

  it('says any origin may call it by default, and nothing of sandbox mode', async () => {
    const { process: child } = await startShippedStub();
    started.push(child);
    const [line] = await child.waitFor(/^\{.*listening on.*\}$/m);
    const fields = JSON.parse(line) as Record<string, unknown>;
    expect(fields.cors).toBe('any origin');
    expect(fields).not.toHaveProperty('sandbox');
  });
});

describe('docs mode in the shipped command', () => {
  const installedDist = join(SHIPPED.projectDir, 'node_modules', 'ep-cart-stub', 'dist');
  const codeCaches = () =>
    readdirSync(installedDist)
      .filter((name) => /^main\.bundle\.cjs\..*\.cache$/.test(name))
      .map((name) => ({ name, written: statSync(join(installedDist, name)).mtimeMs }));
  const hasCodeCache = () => codeCaches().length > 0;

  // Twice: the first start stays until the bundle's code cache is written (a second after it listens, unless
  // another test's start wrote it), the second runs from it (where import() once broke).
  it.each([1, 2])(
    'start %i serves /, /docs, a console asset, /openapi.json and /openapi.yaml, then exits 0 on SIGTERM',
    async (start) => {
      const { url, process: child } = await startShippedStub();
      started.push(child);
      const get = async (path: string) => {
        const response = await fetch(`${url}${path}`);
        return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text() };
      };
      expect(await get('/')).toMatchObject({ status: 200, type: expect.stringContaining('text/html') });
      const docs = await get('/docs');
      expect(docs).toMatchObject({ status: 200, type: expect.stringContaining('text/html') });
      expect(docs.text).toContain('swagger-ui');
      expect(await get('/docs/static/swagger-ui-bundle.js')).toMatchObject({ status: 200, type: expect.stringContaining('javascript') });
      const json = await get('/openapi.json');
      expect(json.status).toBe(200);
      expect(JSON.parse(json.text)).toMatchObject({ openapi: expect.stringMatching(/^3\.1/) });
      const yaml = await get('/openapi.yaml');
      expect(yaml).toMatchObject({ status: 200, type: expect.stringContaining('yaml') });
      expect(yaml.text).toMatch(/^openapi: 3\.1/m);
      if (start === 1) await expect.poll(hasCodeCache, { timeout: 5_000 }).toBe(true);
      child.signal('SIGTERM');
      const { code, stdout } = await child.exited;
      expect(stdout).not.toMatch(/"level":50/);
      expect(code).toBe(0);
    },
  );

  it('a start from the code cache leaves it as it was: V8 took it (one it rejected, say made under other V8 flags, is written again)', async () => {
    if (!hasCodeCache()) {
      const { process: first } = await startShippedStub();
      started.push(first);
      await expect.poll(hasCodeCache, { timeout: 5_000 }).toBe(true);
      first.signal('SIGTERM');
      await first.exited;
    }
    const before = codeCaches();
    const { url, process: child } = await startShippedStub();
    started.push(child);
    const answer = await fetch(`${url}/v2/carts`, { headers: { authorization: 'Bearer demo-client-credentials-token' } });
    expect(answer.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // longer than a start waits to write a cache
    expect(codeCaches()).toEqual(before);
  });
});

describe('npm start', () => {
  it('builds only when the sources are newer than dist/', async () => {
    const project = mkdtempSync(join(tmpdir(), 'ep-cart-stub-start-'));
    try {
      const build = "require('fs').mkdirSync('dist',{recursive:true});require('fs').writeFileSync('dist/openapi.parsed.json','{}');console.log('built')";
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'p', private: true, scripts: { build: `node -e "${build}"` } }));
      mkdirSync(join(project, 'src'));
      writeFileSync(join(project, 'src', 'a.ts'), '');
      const start = () => run(process.execPath, [join(REPO_DIR, 'scripts', 'build-if-stale.mjs')], { cwd: project, env: cleanEnv() });
      expect((await start()).stdout).toContain('built');
      expect(await start()).toMatchObject({ code: 0, stdout: '', stderr: '' });
      const later = new Date(Date.now() + 60_000);
      utimesSync(join(project, 'src', 'a.ts'), later, later);
      expect((await start()).stdout).toContain('built');
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});
