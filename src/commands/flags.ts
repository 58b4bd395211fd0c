/**
 * A command's flags as one table: each flag's name, environment variable, default, help and parser is written
 * once, and parseArgs options, environment mirroring, the help and the typed values all come from it. Every
 * subcommand (serve, verify, record, replay, coverage) describes its flags this way.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

/** A flag or environment value a command cannot run with: the CLI prints it on one line and exits 2. */
export class ConfigError extends Error {}

/** What a parser says when a value is wrong (`must be …`); the caller adds where the value came from and what it was. */
export class InvalidValue extends Error {
  constructor(
    message: string,
    readonly note?: string,
  ) {
    super(message);
  }
}

export interface Flag<T> {
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
  /** The command cannot run without it (`--target`): its value is then never the default. */
  required?: boolean;
  /** Text from the command line or the environment to the value; throws InvalidValue. A switch given on the command line parses `true`. */
  parse(raw: string): T;
}

export const flag = <T>(spec: Flag<T>): Flag<T> => spec;

export type FlagTable = Record<string, Flag<unknown>>;
export type FlagValues<Table extends FlagTable> = { [K in keyof Table]: Table[K]['default'] };

export interface ParsedCommandLine<Table extends FlagTable> {
  values: FlagValues<Table>;
  positionals: string[];
}

/** The bare arguments a command takes (a file to read, say): none unless said. */
export interface Positionals {
  min: number;
  max: number;
  /** What is missing when there are too few, e.g. `recording <recording.har>`. */
  what?: string;
  /** Checks and turns each one (throws InvalidValue), named `source` in its error, e.g. `the recording`. */
  parse?: (raw: string) => string;
  source?: string;
}

/** Flags, then environment variables, then defaults; throws ConfigError naming the flag, variable or argument at fault. */
export function parseFlags<Table extends FlagTable>(
  table: Table,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  positionals: Positionals = { min: 0, max: 0 },
): ParsedCommandLine<Table> {
  const entries = Object.entries(table);
  const options = Object.fromEntries(
    entries.map(([, spec]) => [
      spec.name,
      { type: spec.value ? 'string' : 'boolean', multiple: spec.multiple ?? false, ...(spec.short ? { short: spec.short } : {}) },
    ]),
  ) as NonNullable<Parameters<typeof parseArgs>[0]>['options'];
  let parsed: { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: positionals.max > 0 });
  } catch (error) {
    throw new ConfigError(parseArgsReason(error as Error & { code?: string }, table));
  }
  const values: Record<string, unknown> = {};
  for (const [key, spec] of entries) {
    const given = parsed.values[spec.name];
    const fromEnv = spec.env ? env[spec.env] : undefined;
    if (given !== undefined) {
      const raw = Array.isArray(given) ? given.join(',') : String(given);
      values[key] = parseValue(spec.parse, raw, `--${spec.name}`);
    } else if (spec.env && fromEnv !== undefined && fromEnv !== '') {
      values[key] = parseValue(spec.parse, fromEnv, spec.env);
    } else {
      values[key] = spec.default;
    }
  }
  if (values.help === true) return { values: values as FlagValues<Table>, positionals: parsed.positionals };
  for (const [key, spec] of entries) {
    if (spec.required && values[key] === undefined) throw new ConfigError(`missing --${spec.name}${spec.value ? ` ${spec.value}` : ''}`);
  }
  if (parsed.positionals.length < positionals.min) throw new ConfigError(`missing ${positionals.what ?? 'argument'}`);
  if (parsed.positionals.length > positionals.max) {
    throw new ConfigError(`unexpected argument ${JSON.stringify(parsed.positionals[positionals.max])}`);
  }
  const { parse } = positionals;
  return {
    values: values as FlagValues<Table>,
    positionals: parse ? parsed.positionals.map((raw) => parseValue(parse, raw, positionals.source ?? 'the argument')) : parsed.positionals,
  };
}

export interface CommandLine<Table extends FlagTable> {
  /** As the user types it: `ep-cart-stub replay`. */
  command: string;
  flags: Table;
  positionals?: Positionals;
  /** The arguments in the usage line, e.g. `<recording.har>`. */
  usage?: string;
  /** The help's first line, after the command: what it does. */
  summary: string;
  /** Lines the help ends with: exit codes, what the command touches. */
  notes?: string[];
  /** A help of its own, instead of the summary, the usage, the flags and the notes. */
  help?(): string;
}

/** The summary, the usage line, one row per flag, then the notes. */
export function helpOf(line: CommandLine<FlagTable>): string {
  if (line.help) return line.help();
  const notes = line.notes ?? [];
  return [`${line.command}: ${line.summary}`, '', usageLine(line.command, line.flags, line.usage), '', ...flagRows(line.flags), ...(notes.length ? ['', ...notes] : [])].join('\n');
}

/**
 * A command's flags and arguments; or, when the command line is wrong or asks for help, the exit code after
 * saying so: a usage error is one line and the usage on stderr (2), the help goes to stdout (0).
 */
export function readCommandLine<Table extends FlagTable>(
  line: CommandLine<Table>,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): ParsedCommandLine<Table> | number {
  let parsed: ParsedCommandLine<Table>;
  try {
    parsed = parseFlags(line.flags, argv, env, line.positionals);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${line.command}: ${error.message}\n${usage(line)}\n`);
    return 2;
  }
  if (parsed.values.help === true) {
    process.stdout.write(`${helpOf(line)}\n`);
    return 0;
  }
  return parsed;
}

/** The usage lines printed under a usage error. */
export function usage(line: Pick<CommandLine<FlagTable>, 'command' | 'flags' | 'usage'>): string {
  return `${usageLine(line.command, line.flags, line.usage)}\nRun '${line.command} --help' for what each flag does.`;
}

function parseValue<T>(parse: (raw: string) => T, raw: string, source: string): T {
  try {
    return parse(raw);
  } catch (error) {
    if (!(error instanceof InvalidValue)) throw error;
    throw new ConfigError(`${source} ${error.message}, got ${JSON.stringify(raw)}${error.note ? ` (${error.note})` : ''}`);
  }
}

/** parseArgs' messages, shortened to one line in this CLI's words. */
function parseArgsReason(error: Error & { code?: string }, table: FlagTable): string {
  const quoted = /'([^']+)'/.exec(error.message)?.[1] ?? '';
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const suggestion = closestFlag(quoted, table);
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

function closestFlag(typed: string, table: FlagTable): string | undefined {
  const word = typed.replace(/^-+/, '').split('=')[0]!;
  const scored = Object.values(table).map((spec) => ({ name: spec.name, distance: typingDistance(word, spec.name) }));
  const best = scored.sort((a, b) => a.distance - b.distance)[0];
  return best && best.distance <= Math.max(1, Math.floor(best.name.length / 3)) ? best.name : undefined;
}

/** Edits (insert, delete, substitute, swap two neighbours) from one word to the other. */
export function typingDistance(a: string, b: string): number {
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

// ---------------------------------------------------------------------------------------------------------
// Parsers every command may use

export function integer(raw: string, min: number, max: number, what: string): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < min || value > max) throw new InvalidValue(`must be ${what}`);
  return value;
}

export function nonEmpty(raw: string, what: string): string {
  if (raw.trim() === '') throw new InvalidValue(what);
  return raw;
}

/** A path to write to, made absolute. */
export function filePath(raw: string): string {
  return resolve(nonEmpty(raw, 'must be a file path'));
}

/** A path to write a report to, whose extension names its format. */
export function reportFile(extensions: readonly string[]): (raw: string) => string {
  return (raw) => {
    const path = filePath(raw);
    if (!extensions.some((extension) => path.toLowerCase().endsWith(extension))) {
      throw new InvalidValue(`must end in ${extensions.join(', ')} (the format)`);
    }
    return path;
  };
}

export function existingFile(raw: string): string {
  const path = filePath(raw);
  let isFile = false;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw new InvalidValue('must name an existing file', `nothing at ${path}`);
  }
  if (!isFile) throw new InvalidValue('must name a file', `${path} is not a file`);
  return path;
}

export function boolean(raw: string): boolean {
  const word = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(word)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(word)) return false;
  throw new InvalidValue('must be 1, true, yes, 0, false or no');
}

/** An http(s) URL with no query or fragment, as a base to call (`--target`). */
export function baseUrl(raw: string): string {
  let url: URL | undefined;
  try {
    url = new URL(raw.trim());
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol) || url.search || url.hash) {
    throw new InvalidValue('must be an http or https URL such as http://127.0.0.1:4010');
  }
  return url.href.replace(/\/$/, '');
}

/** `--junit FILE` and `--json FILE`: the same results for CI systems and for programs. */
export const reportFlags = (what: string) => ({
  junit: flag<string | undefined>({ name: 'junit', value: '<file>', description: `also write JUnit XML, one test case per ${what}`, default: undefined, defaultText: 'none', parse: filePath }),
  json: flag<string | undefined>({ name: 'json', value: '<file>', description: 'also write the results as JSON', default: undefined, defaultText: 'none', parse: filePath }),
});

/** A help switch every command takes. */
export const helpFlag = flag<boolean>({ name: 'help', short: 'h', description: 'print this help and exit', default: false, parse: () => true });

// ---------------------------------------------------------------------------------------------------------
// Help

function flagLabel(spec: Flag<unknown>): string {
  return `${spec.short ? `-${spec.short}, ` : '    '}--${spec.name}${spec.value ? ` ${spec.value}` : ''}`;
}

function defaultLabel(spec: Flag<unknown>): string {
  if (spec.defaultText) return spec.defaultText;
  return typeof spec.default === 'boolean' ? (spec.default ? 'on' : 'off') : String(spec.default);
}

/** Lines naming every flag, wrapped at 100 columns, after `Usage: <command>`. */
export function usageLine(command: string, table: FlagTable, positional = ''): string {
  const parts = [...(positional ? [positional] : []), ...Object.values(table).map((spec) => `[--${spec.name}${spec.value ? ` ${spec.value}` : ''}]`)];
  const lines = [`Usage: ${command}`];
  for (const part of parts) {
    if (lines[lines.length - 1]!.length + part.length + 1 > 100) lines.push(' '.repeat(`Usage: ${command}`.length) + ' ' + part);
    else lines[lines.length - 1] += ` ${part}`;
  }
  return lines.join('\n');
}

/** One row per flag (two where it has an environment variable or a default), aligned. */
export function flagRows(table: FlagTable): string[] {
  const specs = Object.values(table);
  const width = Math.max(...specs.map((spec) => flagLabel(spec).length)) + 3;
  return specs.flatMap((spec) => {
    const settings = [spec.env ? `env ${spec.env}` : undefined, spec.required ? 'required' : spec.env || spec.value ? `default ${defaultLabel(spec)}` : undefined]
      .filter(Boolean)
      .join(', ');
    return [`  ${flagLabel(spec).padEnd(width)}${spec.description}`, ...(settings ? [`  ${' '.repeat(width)}${settings}`] : [])];
  });
}
