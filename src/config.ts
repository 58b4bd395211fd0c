/** The flags of `ep-cart-stub` (serve), as one table (commands/flags.ts). */
import { readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { COMMANDS } from './commands/index.js';
import { COVERAGE_FILE_EXTENSIONS } from './coverage/files.js';
import {
  InvalidValue,
  boolean,
  existingFile,
  filePath,
  flag,
  flagRows,
  helpFlag,
  integer,
  nonEmpty,
  parseFlags,
  reportFile,
  usage as usageOf,
  type CommandLine,
  type FlagValues,
} from './commands/flags.js';
import { DEFAULT_JOURNAL_SIZE } from './http/journal.js';
import { DEFAULT_REDIS_PREFIX } from './store/redis-keys.js';
import type { StubOptions } from './stub.js';

export const PROGRAM = 'ep-cart-stub';

export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const FLAGS = {
  port: flag<number>({
    name: 'port',
    short: 'p',
    env: 'PORT',
    value: '<port>',
    description: 'port to listen on; 0 picks a free one',
    default: 4010,
    parse: (raw) => integer(raw, 0, 65535, 'an integer from 0 to 65535'),
  }),
  host: flag<string>({
    name: 'host',
    env: 'HOST',
    value: '<address>',
    description: 'address to listen on; 0.0.0.0 for every interface (as in Docker)',
    default: '127.0.0.1',
    parse: (raw) => {
      if (!/^\S+$/.test(raw)) throw new InvalidValue('must be a host name or an IP address');
      return raw;
    },
  }),
  data: flag<string | undefined>({
    name: 'data',
    env: 'STUB_DATA',
    value: '<file>',
    description: 'keep state in this JSON file, across restarts',
    default: undefined,
    defaultText: 'in memory',
    parse: filePath,
  }),
  fsync: flag<boolean>({
    name: 'fsync',
    env: 'STUB_FSYNC',
    description: 'with --data: answer a change once it is on the disk, so it survives a machine crash too (slower)',
    default: false,
    parse: boolean,
  }),
  redis: flag<string | undefined>({
    name: 'redis',
    env: 'STUB_REDIS_URL',
    value: '<url>',
    description: 'keep state on this Redis or Valkey server (redis://host:6379/0), shared by every instance given it',
    default: undefined,
    defaultText: 'none',
    parse: redisUrl,
  }),
  redisPrefix: flag<string>({
    name: 'redis-prefix',
    env: 'STUB_REDIS_PREFIX',
    value: '<prefix>',
    description: 'with --redis: put before every key, so that several stubs can share one server',
    default: DEFAULT_REDIS_PREFIX,
    parse: (raw) => nonEmpty(raw, 'must not be empty'),
  }),
  fixtures: flag<string | undefined>({
    name: 'fixtures',
    env: 'STUB_FIXTURES',
    value: '<file>',
    description: 'seed the store from this fixtures file instead of the bundled demo data',
    default: undefined,
    defaultText: 'bundled fixtures/default.json',
    parse: existingFile,
  }),
  corsOrigins: flag<string[]>({
    name: 'cors-origin',
    env: 'STUB_CORS_ORIGINS',
    value: '<origins>',
    description: 'browser origins that may call the stub, comma-separated or repeated; * for any',
    default: [],
    defaultText: 'any',
    multiple: true,
    parse: origins,
  }),
  sandbox: flag<boolean>({
    name: 'sandbox',
    env: 'STUB_SANDBOX',
    description: 'sandbox mode, for a public docs console (env: 1/true/yes or 0/false/no)',
    default: false,
    parse: boolean,
  }),
  adminToken: flag<string | undefined>({
    name: 'admin-token',
    env: 'STUB_ADMIN_TOKEN',
    value: '<token>',
    description: 'bearer token that the control API requires',
    default: undefined,
    defaultText: 'none',
    parse: (raw) => nonEmpty(raw, 'must not be empty'),
  }),
  tokenSecret: flag<string | undefined>({
    name: 'token-secret',
    env: 'STUB_TOKEN_SECRET',
    value: '<secret>',
    description: 'sign tokens with this key, so that every instance given it accepts the others\' tokens',
    default: undefined,
    defaultText: 'kept with --data or --redis; per process without them',
    parse: (raw) => nonEmpty(raw, 'must not be empty'),
  }),
  latency: flag<number>({
    name: 'latency',
    env: 'STUB_LATENCY',
    value: '<ms>',
    description: 'delay every response by this many milliseconds',
    default: 0,
    parse: (raw) => integer(raw, 0, 2_147_483_647, 'a whole number of milliseconds'),
  }),
  journalSize: flag<number>({
    name: 'journal-size',
    env: 'STUB_JOURNAL_SIZE',
    value: '<requests>',
    description: 'how many of the latest requests GET /__stub/requests keeps',
    default: DEFAULT_JOURNAL_SIZE,
    parse: (raw) => integer(raw, 0, 1_000_000, 'a whole number of requests'),
  }),
  trustProxy: flag<boolean | string>({
    name: 'trust-proxy',
    env: 'STUB_TRUST_PROXY',
    value: '<proxies>',
    description: 'behind a reverse proxy: believe its X-Forwarded-* (rate limit, links); 1 for any proxy, or its addresses',
    default: false,
    defaultText: 'off',
    // A boolean word, or the proxies' addresses and subnets as Fastify's trustProxy takes them.
    parse: (raw) => (/^(1|true|yes|on|0|false|no|off)$/i.test(raw.trim()) ? boolean(raw) : nonEmpty(raw, 'must be 1 or addresses')),
  }),
  noRuleHeader: flag<boolean>({
    name: 'no-rule-header',
    env: 'STUB_NO_RULE_HEADER',
    description: 'leave out the EP-Stub-Rule header that names the rule behind each answer',
    default: false,
    parse: boolean,
  }),
  coverageReport: flag<string | undefined>({
    name: 'coverage-report',
    env: 'STUB_COVERAGE_REPORT',
    value: '<file>',
    description: 'when the stub stops, write which rules it answered by: .json, .xml (JUnit) or .html',
    default: undefined,
    defaultText: 'none',
    parse: reportFile(COVERAGE_FILE_EXTENSIONS),
  }),
  logLevel: flag<LogLevel>({
    name: 'log-level',
    env: 'LOG_LEVEL',
    value: '<level>',
    description: `${LOG_LEVELS.join('|')}; info logs each request, warn keeps the stub fast`,
    default: 'warn',
    parse: (raw) => {
      const level = raw.toLowerCase();
      if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new InvalidValue(`must be one of ${LOG_LEVELS.join(', ')}`);
      return level as LogLevel;
    },
  }),
  help: helpFlag,
  version: flag<boolean>({ name: 'version', short: 'v', description: 'print the version and exit', default: false, parse: () => true }),
};

export { ConfigError } from './commands/flags.js';
export type Config = FlagValues<typeof FLAGS>;

/** A `redis://` or `rediss://` URL, kept as written (ioredis reads it). */
function redisUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidValue('must be a URL such as redis://127.0.0.1:6379/0');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new InvalidValue('must be a redis:// or rediss:// URL');
  return raw;
}

/** `*` or origins such as `http://localhost:3000` (a trailing slash is forgiven). */
function origins(raw: string): string[] {
  const list = raw.split(',').map((origin) => origin.trim()).filter((origin) => origin !== '');
  if (list.length === 0) throw new InvalidValue('must list at least one origin');
  return list.map((origin) => {
    if (origin === '*') return origin;
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    const bare = url && /^https?:$/.test(url.protocol) && url.pathname === '/' && !url.search && !url.hash;
    if (!url || !bare || origin.replace(/\/$/, '') !== url.origin) {
      throw new InvalidValue('must be * or origins such as http://localhost:3000 (scheme, host and port; no path)', `${JSON.stringify(origin)} is not one`);
    }
    return url.origin;
  });
}

/** Flags, then environment variables, then defaults; throws ConfigError naming the flag or variable at fault. */
export function parseConfig(argv: readonly string[], env: NodeJS.ProcessEnv): Config {
  return parseFlags(FLAGS, argv, env).values;
}

/** The command line of serving, as commands/flags.ts reads it. */
export const SERVE_COMMAND_LINE: CommandLine<typeof FLAGS> = { command: PROGRAM, flags: FLAGS, summary: 'serve the stub', help };

/** One line that names every flag: printed under a wrong flag's reason. */
export function usage(): string {
  return usageOf(SERVE_COMMAND_LINE);
}

export function help(): string {
  return [
    `${PROGRAM} ${VERSION}: a stateful stub of Elastic Path Commerce Cloud's cart-association API`,
    '',
    `Usage: ${PROGRAM} [options]            serve the stub (the same as ${PROGRAM} serve)`,
    ...Object.entries(COMMANDS)
      .filter(([name]) => name !== 'serve')
      .map(([name, { summary }]) => `       ${`${PROGRAM} ${name} …`.padEnd(32)}${summary}`),
    '',
    'Options (a flag wins over its environment variable):',
    ...flagRows(FLAGS),
    '',
    'Examples:',
    `  ${PROGRAM}                                    in memory, on http://127.0.0.1:4010`,
    `  ${PROGRAM} --port 0 --log-level info          a free port, every request logged`,
    `  STUB_DATA=./stub-data.json ${PROGRAM}         state kept in a file across restarts`,
    `  ${PROGRAM} --redis redis://127.0.0.1:6379/0    state on Redis, shared by every instance given it`,
    `  ${PROGRAM} --cors-origin http://localhost:3000  a storefront on :3000 may call it from the browser`,
    '',
    `Each command's own flags: ${PROGRAM} <command> --help.`,
    '',
    'In full, in the repository and in the installed package (node_modules/ep-cart-stub/):',
    '  docs/running.md         flags, environment variables, state across restarts, fixtures, demo data',
    '  docs/control-api.md     the control API (/__stub/…), the rule trace and coverage',
    '  docs/deployment.md      a docs site\'s "try it" console, sandbox mode, Docker',
    '  README.md               every page',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------
// From the config to startStub

/** startStub's options for a config: logs as JSON lines, or to `prettyLogs` (main.ts gives it on a terminal). */
export function stubOptions(config: Config, prettyLogs?: Writable): StubOptions {
  return {
    port: config.port,
    host: config.host,
    dataFile: config.data,
    fsync: config.fsync,
    ...(config.redis === undefined ? {} : { redis: config.redis, redisPrefix: config.redisPrefix }),
    fixturesFile: config.fixtures,
    adminToken: config.adminToken,
    ...(config.tokenSecret ? { tokenSecret: config.tokenSecret } : {}),
    latencyMs: config.latency,
    journalSize: config.journalSize,
    // `*` among the origins allows any, which is what leaving them unset means.
    corsOrigins: config.corsOrigins.length === 0 || config.corsOrigins.includes('*') ? undefined : config.corsOrigins,
    sandbox: config.sandbox,
    trustProxy: config.trustProxy,
    ruleHeader: !config.noRuleHeader,
    coverageReport: config.coverageReport,
    logger: { level: config.logLevel, ...(prettyLogs ? { stream: prettyLogs } : {}) },
  };
}
