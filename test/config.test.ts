import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { banner, curlLine, startFacts } from '../src/banner.js';
import { ConfigError, FLAGS, VERSION, help, parseConfig, stubOptions, usage, type Config } from '../src/config.js';
import { DEFAULT_FIXTURES_PATH, loadFixtures } from '../src/fixtures.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { startTestStub } from './support/stub.js';

const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseConfig(argv, env);
const reason = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  try {
    parse(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
};

describe('the flag table', () => {
  it('with nothing given: port 4010 on 127.0.0.1, state in memory, bundled fixtures, log level warn', () => {
    expect(parse([])).toEqual({
      port: 4010,
      host: '127.0.0.1',
      data: undefined,
      fsync: false,
      redis: undefined,
      redisPrefix: 'ep-cart-stub:',
      fixtures: undefined,
      corsOrigins: [],
      sandbox: false,
      adminToken: undefined,
      tokenSecret: undefined,
      latency: 0,
      journalSize: 200,
      trustProxy: false,
      noRuleHeader: false,
      coverageReport: undefined,
      logLevel: 'warn',
      help: false,
      version: false,
    } satisfies Config);
  });

  it('every flag is in the help with its environment variable and its default', () => {
    const text = help();
    for (const spec of Object.values(FLAGS)) {
      const line = text.split('\n').findIndex((row) => row.includes(`--${spec.name}`));
      expect(line, spec.name).toBeGreaterThan(0);
      if ('env' in spec && spec.env) {
        const settings = text.split('\n')[line + 1]!;
        expect(settings).toContain(`env ${spec.env}`);
        expect(settings).toContain(`default ${'defaultText' in spec ? spec.defaultText : spec.default === false ? 'off' : String(spec.default)}`);
      }
    }
    expect(text).toContain('default 4010');
    expect(text).toContain('default 127.0.0.1');
    expect(text).toContain('default warn');
  });

  it("docs/running.md's table has every flag with its environment variable", () => {
    const page = readFileSync(new URL('../docs/running.md', import.meta.url), 'utf8');
    for (const spec of Object.values(FLAGS)) {
      const row = page.split('\n').find((line) => line.startsWith('|') && line.includes(`\`--${spec.name}`));
      expect(row, spec.name).toBeDefined();
      if ('env' in spec && spec.env) expect(row).toContain(`\`${spec.env}\``);
    }
  });

  it('the usage under an error names every flag', () => {
    for (const spec of Object.values(FLAGS)) expect(usage()).toContain(`--${spec.name}`);
  });

  it('--version is the package version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
    expect(parse(['-v']).version).toBe(true);
    expect(parse(['-h']).help).toBe(true);
  });
});

describe('environment variables mirror the flags', () => {
  it('each variable sets its setting', () => {
    const config = parse([], {
      PORT: '8080',
      HOST: '0.0.0.0',
      STUB_DATA: 'state.json',
      STUB_FSYNC: 'yes',
      STUB_FIXTURES: DEFAULT_FIXTURES_PATH,
      STUB_CORS_ORIGINS: 'http://localhost:3000,https://docs.example.com',
      STUB_SANDBOX: 'true',
      STUB_ADMIN_TOKEN: 'secret',
      STUB_LATENCY: '250',
      STUB_JOURNAL_SIZE: '5000',
      LOG_LEVEL: 'INFO',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      data: resolve('state.json'),
      fsync: true,
      fixtures: DEFAULT_FIXTURES_PATH,
      corsOrigins: ['http://localhost:3000', 'https://docs.example.com'],
      sandbox: true,
      adminToken: 'secret',
      latency: 250,
      journalSize: 5000,
      logLevel: 'info',
    });
  });

  it('a flag wins over its variable', () => {
    const config = parse(['--port', '5000', '--log-level', 'debug', '--cors-origin', '*'], { PORT: '8080', LOG_LEVEL: 'info', STUB_CORS_ORIGINS: 'http://a.test' });
    expect(config).toMatchObject({ port: 5000, logLevel: 'debug', corsOrigins: ['*'] });
  });

  it('an empty variable counts as unset', () => {
    expect(parse([], { PORT: '', LOG_LEVEL: '' })).toMatchObject({ port: 4010, logLevel: 'warn' });
  });

  it('a wrong value in a variable names the variable', () => {
    expect(reason([], { PORT: 'abc' })).toBe('PORT must be an integer from 0 to 65535, got "abc"');
    expect(reason([], { STUB_SANDBOX: 'maybe' })).toBe('STUB_SANDBOX must be 1, true, yes, 0, false or no, got "maybe"');
  });

  it('STUB_SANDBOX takes 1/true/yes and 0/false/no', () => {
    for (const on of ['1', 'true', 'YES']) expect(parse([], { STUB_SANDBOX: on }).sandbox).toBe(true);
    for (const off of ['0', 'false', 'no']) expect(parse([], { STUB_SANDBOX: off }).sandbox).toBe(false);
    expect(parse(['--sandbox']).sandbox).toBe(true);
  });
});

describe('wrong flags and values are refused with one line', () => {
  it('an unknown flag, suggesting the closest', () => {
    expect(reason(['--prot', '1'])).toBe('unknown flag --prot (did you mean --port?)');
    expect(reason(['--frobnicate'])).toBe('unknown flag --frobnicate');
  });

  it('a positional argument', () => {
    expect(reason(['4010'])).toBe('unexpected argument "4010"; every setting is a flag');
  });

  it('a flag without its value, or a switch with one', () => {
    expect(reason(['--port'])).toBe('--port needs a value');
    expect(reason(['--sandbox=yes'])).toBe('--sandbox takes no value');
  });

  it.each([['abc'], ['-1'], ['65536'], ['80.5'], ['']])('port %j', (value) => {
    expect(reason([`--port=${value}`])).toBe(`--port must be an integer from 0 to 65535, got ${JSON.stringify(value)}`);
  });

  it('ports 0 and 65535 are fine', () => {
    expect(parse(['--port', '0']).port).toBe(0);
    expect(parse(['-p', '65535']).port).toBe(65535);
  });

  it('a log level outside the list', () => {
    expect(reason(['--log-level', 'loud'])).toBe('--log-level must be one of fatal, error, warn, info, debug, trace, silent, got "loud"');
  });

  it('a latency that is not a whole number of milliseconds', () => {
    expect(reason(['--latency=1.5'])).toBe('--latency must be a whole number of milliseconds, got "1.5"');
    expect(reason(['--latency=-5'])).toBe('--latency must be a whole number of milliseconds, got "-5"');
  });

  it('a fixtures file that does not exist, or is a folder', () => {
    expect(reason(['--fixtures', 'no-such.json'])).toBe(`--fixtures must name an existing file, got "no-such.json" (nothing at ${resolve('no-such.json')})`);
    expect(reason(['--fixtures', 'test'])).toMatch(/^--fixtures must name a file, got "test"/);
  });

  it('CORS origins: comma-separated or repeated, a trailing slash forgiven, a path refused', () => {
    expect(parse(['--cors-origin', 'http://a.test,http://b.test:3000/', '--cors-origin', 'https://c.test']).corsOrigins).toEqual([
      'http://a.test',
      'http://b.test:3000',
      'https://c.test',
    ]);
    expect(reason(['--cors-origin', 'http://a.test/app'])).toMatch(/^--cors-origin must be \* or origins .*\("http:\/\/a.test\/app" is not one\)$/);
    expect(reason(['--cors-origin', 'localhost:3000'])).toMatch(/^--cors-origin must be \* or origins/);
  });

  it('every reason fits on one line', () => {
    for (const argv of [['--prot'], ['x'], ['--port', 'x'], ['--fixtures', 'x'], ['--cors-origin', 'x/y']]) {
      expect(reason(argv)).not.toContain('\n');
    }
  });
});

describe('from the config to startStub', () => {
  it('passes every setting on, and a logger at the chosen level, writing to the pretty stream when given one', () => {
    const config = parse(['--port', '0', '--host', '::1', '--log-level', 'info', '--data', 'x.json', '--fsync', '--sandbox', '--latency', '5'], {
      STUB_ADMIN_TOKEN: 't',
      STUB_CORS_ORIGINS: 'http://localhost:3000',
    });
    expect(stubOptions(config)).toEqual({
      port: 0,
      host: '::1',
      dataFile: resolve('x.json'),
      fsync: true,
      fixturesFile: undefined,
      adminToken: 't',
      latencyMs: 5,
      journalSize: 200,
      corsOrigins: ['http://localhost:3000'],
      sandbox: true,
      trustProxy: false,
      ruleHeader: true,
      coverageReport: undefined,
      logger: { level: 'info' },
    });
    const pretty = new PassThrough();
    expect(stubOptions(config, pretty).logger).toEqual({ level: 'info', stream: pretty });
  });

  it('no origin, or * among them, lets any origin call the stub', () => {
    expect(stubOptions(parse([])).corsOrigins).toBeUndefined();
    expect(stubOptions(parse(['--cors-origin', 'http://a.test,*'])).corsOrigins).toBeUndefined();
  });
});

describe('the start banner', () => {
  it('says where the stub is, where state lives, and what to log in with, from the loaded fixtures', async () => {
    const data = await loadFixtures();
    data.clients[1]!.client_secret = 'changed-secret';
    const store = new MemoryStore(data);
    const text = banner(startFacts('http://127.0.0.1:4010', parse([])), store);
    expect(text).toContain('http://127.0.0.1:4010');
    expect(text).toContain('http://127.0.0.1:4010/docs');
    expect(text).toContain('in memory');
    expect(text).toContain('changed-secret');
    for (const client of data.clients) expect(text).toContain(client.client_id);
    for (const pinned of data.pinned_tokens) expect(text).toContain(pinned.token);
    expect(text).toContain('curl -i -X POST http://127.0.0.1:4010/v2/carts/demo-cart-empty/relationships/accounts');
    expect(text).toContain('docs/running.md');
  });

  it('says when sandbox mode is on and which origins may call the stub', async () => {
    const store = new MemoryStore(await loadFixtures());
    const plain = banner(startFacts('http://127.0.0.1:4010', parse([])), store);
    expect(plain).not.toContain('Sandbox');
    expect(plain).toMatch(/CORS\s+any origin/);
    const facts = startFacts('http://127.0.0.1:4010', parse(['--sandbox', '--cors-origin', 'http://a.test,http://b.test']));
    const text = banner(facts, store);
    expect(text).toMatch(/Sandbox\s+on: each client id works in a sandbox of its own/);
    expect(text).toMatch(/CORS\s+http:\/\/a\.test, http:\/\/b\.test/);
  });

  it('a wildcard host shows an address a client on this machine can use', () => {
    expect(startFacts('http://0.0.0.0:4010', parse([]))).toMatchObject({ url: 'http://127.0.0.1:4010', listeningOnEveryInterface: true });
    expect(startFacts('http://[::]:4010', parse([])).url).toBe('http://127.0.0.1:4010');
  });

  it('its curl line associates an account with a free cart: 200, then 204', async () => {
    const stub = await startTestStub();
    const line = curlLine('http://127.0.0.1:4010', stub.store)!;
    const url = new URL(/POST (\S+)/.exec(line)![1]!);
    const headers = Object.fromEntries([...line.matchAll(/-H '([^:]+): ([^']+)'/g)].map((m) => [m[1]!.toLowerCase(), m[2]!]));
    const payload = /-d '([^']+)'/.exec(line)![1]!;
    const send = () => stub.request({ method: 'POST', url: url.pathname, headers, payload });
    expect((await send()).statusCode).toBe(200);
    expect((await send()).statusCode).toBe(204);
    await stub.close();
  });

  it('has no curl line when the fixtures have no free cart', async () => {
    const data = await loadFixtures();
    const store = new MemoryStore({ ...data, carts: [] });
    expect(curlLine('http://127.0.0.1:4010', store)).toBeUndefined();
    expect(banner(startFacts('http://127.0.0.1:4010', parse([])), store)).not.toContain('curl');
  });
});
