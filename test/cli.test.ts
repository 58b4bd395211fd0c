/** The `ep-cart-stub` command as a person or a CI job runs it: the bin installed from the packed tarball. */
import { request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FLAGS } from '../src/config.js';
import { REPO_DIR, RunningProcess, cleanEnv, run } from './support/processes.js';
import { SHIPPED_CLI as CLI } from './support/shipped.js';

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
