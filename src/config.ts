/**
 * The command line as one table: every flag's name, environment variable, default, help and parser is
 * written here once, and parseArgs options, environment mirroring, --help and the typed config all come
 * from it.
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { DEFAULT_JOURNAL_SIZE } from './http/journal.js';
import type { StubOptions } from './index.js';

export const PROGRAM = 'ep-cart-stub';

export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A flag or environment value the stub cannot run with: the CLI prints it on one line and exits 2. */
export class ConfigError extends Error {}

/** What a parser says when a value is wrong (`must be …`); the caller adds where the value came from and what it was. */
class InvalidValue extends Error {
  constructor(message: string, readonly note?: string) {
    super(message);
  }
}

interface Flag<T> {
  /** As typed after `--`. */
  name: string;
  short?: string;
  env?: string;
  /** The value's placeholder in the help; absent for a switch (`--sandbox`). */
  value?: string;
  description: string;
  default: T;
  /** How the help shows the default, when `String(default)` would not say it well. */
  defaultText?: string;
  /** May be given more than once; the values are joined with commas before parsing. */
  multiple?: boolean;
  /** Text from the command line or the environment to the value; throws InvalidValue. A switch given on the command line parses `true`. */
  parse(raw: string): T;
}

const flag = <T>(spec: Flag<T>): Flag<T> => spec;

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
    parse: (raw) => resolve(nonEmpty(raw, 'must be a file path')),
  }),
  fsync: flag<boolean>({
    name: 'fsync',
    env: 'STUB_FSYNC',
    description: 'with --data: answer a change once it is on the disk, so it survives a machine crash too (slower)',
    default: false,
    parse: boolean,
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
  help: flag<boolean>({ name: 'help', short: 'h', description: 'print this help and exit', default: false, parse: () => true }),
  version: flag<boolean>({ name: 'version', short: 'v', description: 'print the version and exit', default: false, parse: () => true }),
};

type Flags = typeof FLAGS;
export type Config = { [K in keyof Flags]: Flags[K]['default'] };
const entries = Object.entries(FLAGS) as [keyof Config, Flag<unknown>][];

/** Flags, then environment variables, then defaults; throws ConfigError naming the flag or variable at fault. */
export function parseConfig(argv: readonly string[], env: NodeJS.ProcessEnv): Config {
  const options = Object.fromEntries(
    entries.map(([, spec]) => [
      spec.name,
      { type: spec.value ? 'string' : 'boolean', multiple: spec.multiple ?? false, ...(spec.short ? { short: spec.short } : {}) },
    ]),
  ) as NonNullable<Parameters<typeof parseArgs>[0]>['options'];
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new ConfigError(parseArgsReason(error as Error & { code?: string }));
  }
  const config: Record<string, unknown> = {};
  for (const [key, spec] of entries) {
    const given = values[spec.name];
    const fromEnv = spec.env ? env[spec.env] : undefined;
    if (given !== undefined) {
      const raw = Array.isArray(given) ? given.join(',') : String(given);
      config[key] = parseValue(spec, raw, `--${spec.name}`);
    } else if (spec.env && fromEnv !== undefined && fromEnv !== '') {
      config[key] = parseValue(spec, fromEnv, spec.env);
    } else {
      config[key] = spec.default;
    }
  }
  return config as Config;
}

function parseValue(spec: Flag<unknown>, raw: string, source: string): unknown {
  try {
    return spec.parse(raw);
  } catch (error) {
    if (!(error instanceof InvalidValue)) throw error;
    throw new ConfigError(`${source} ${error.message}, got ${JSON.stringify(raw)}${error.note ? ` (${error.note})` : ''}`);
  }
}

/** parseArgs' messages, shortened to one line in this CLI's words. */
function parseArgsReason(error: Error & { code?: string }): string {
  const quoted = /'([^']+)'/.exec(error.message)?.[1] ?? '';
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const suggestion = closestFlag(quoted);
      return `unknown flag ${quoted}${suggestion ? ` (did you mean --${suggestion}?)` : ''}`;
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${JSON.stringify(quoted)}; every setting is a flag`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const long = /--[\w-]+/.exec(quoted)?.[0] ?? quoted;
      return error.message.includes('does not take an argument') ? `${long} takes no value` : `${long} needs a value`;
    }
    default:
      return error.message.split('\n')[0]!;
  }
}

function closestFlag(typed: string): string | undefined {
  const word = typed.replace(/^-+/, '').split('=')[0]!;
  const scored = entries.map(([, spec]) => ({ name: spec.name, distance: typingDistance(word, spec.name) }));
  const best = scored.sort((a, b) => a.distance - b.distance)[0];
  return best && best.distance <= Math.max(1, Math.floor(best.name.length / 3)) ? best.name : undefined;
}

/** Edits (insert, delete, substitute, swap two neighbours) from one word to the other. */
function typingDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

function integer(raw: string, min: number, max: number, what: string): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < min || value > max) throw new InvalidValue(`must be ${what}`);
  return value;
}

function nonEmpty(raw: string, what: string): string {
  if (raw.trim() === '') throw new InvalidValue(what);
  return raw;
}

function existingFile(raw: string): string {
  const path = resolve(nonEmpty(raw, 'must be a file path'));
  let isFile = false;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw new InvalidValue('must name an existing file', `nothing at ${path}`);
  }
  if (!isFile) throw new InvalidValue('must name a file', `${path} is not a file`);
  return path;
}

function boolean(raw: string): boolean {
  const word = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(word)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(word)) return false;
  throw new InvalidValue('must be 1, true, yes, 0, false or no');
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

// ---------------------------------------------------------------------------------------------------------
// Help

function flagLabel(spec: Flag<unknown>): string {
  return `${spec.short ? `-${spec.short}, ` : '    '}--${spec.name}${spec.value ? ` ${spec.value}` : ''}`;
}

function defaultLabel(spec: Flag<unknown>): string {
  if (spec.defaultText) return spec.defaultText;
  return typeof spec.default === 'boolean' ? (spec.default ? 'on' : 'off') : String(spec.default);
}

/** One line that names every flag: printed under a wrong flag's reason. */
export function usage(): string {
  const parts = entries.map(([, spec]) => `[--${spec.name}${spec.value ? ` ${spec.value}` : ''}]`);
  const lines = [`Usage: ${PROGRAM}`];
  for (const part of parts) {
    if (lines[lines.length - 1]!.length + part.length + 1 > 100) lines.push(' '.repeat(`Usage: ${PROGRAM}`.length) + ' ' + part);
    else lines[lines.length - 1] += ` ${part}`;
  }
  return `${lines.join('\n')}\nRun '${PROGRAM} --help' for what each flag does.`;
}

export function help(): string {
  const width = Math.max(...entries.map(([, spec]) => flagLabel(spec).length)) + 3;
  const rows = entries.flatMap(([, spec]) => {
    const settings = [spec.env ? `env ${spec.env}` : undefined, spec.env || spec.value ? `default ${defaultLabel(spec)}` : undefined]
      .filter(Boolean)
      .join(', ');
    return [`  ${flagLabel(spec).padEnd(width)}${spec.description}`, ...(settings ? [`  ${' '.repeat(width)}${settings}`] : [])];
  });
  return [
    `${PROGRAM} ${VERSION}: a stateful stub of Elastic Path Commerce Cloud's cart-association API`,
    '',
    `Usage: ${PROGRAM} [options]`,
    '',
    'Options (a flag wins over its environment variable):',
    ...rows,
    '',
    'Examples:',
    `  ${PROGRAM}                                    in memory, on http://127.0.0.1:4010`,
    `  ${PROGRAM} --port 0 --log-level info          a free port, every request logged`,
    `  STUB_DATA=./stub-data.json ${PROGRAM}         state kept in a file across restarts`,
    `  ${PROGRAM} --cors-origin http://localhost:3000  a storefront on :3000 may call it from the browser`,
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
    fixturesFile: config.fixtures,
    adminToken: config.adminToken,
    latencyMs: config.latency,
    journalSize: config.journalSize,
    // `*` among the origins allows any, which is what leaving them unset means.
    corsOrigins: config.corsOrigins.length === 0 || config.corsOrigins.includes('*') ? undefined : config.corsOrigins,
    sandbox: config.sandbox,
    trustProxy: config.trustProxy,
    logger: { level: config.logLevel, ...(prettyLogs ? { stream: prettyLogs } : {}) },
  };
}
