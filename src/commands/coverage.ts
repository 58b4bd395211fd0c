/**
 * `ep-cart-stub coverage check REPORT --min-rules N [--require GLOB …]`: the CI gate over a coverage report.
 * `ep-cart-stub coverage merge A B … -o OUT`: reports of parallel workers or shards as one.
 */
import { readFile } from 'node:fs/promises';
import { PROGRAM } from '../config.js';
import { checkCoverage, mergeCoverage, parseCoverageReport, type CoverageReport } from '../coverage/coverage.js';
import { writeCoverageFile } from '../coverage/files.js';
import { ConfigError, InvalidValue, flag, flagRows, helpFlag, integer, nonEmpty, parseFlags, usageLine } from './flags.js';

const CHECK_FLAGS = {
  minRules: flag<number>({
    name: 'min-rules',
    value: '<percent>',
    description: 'fail below this share of (operation, rule) pairs answered',
    default: 0,
    parse: (raw) => integer(raw, 0, 100, 'a whole percentage from 0 to 100'),
  }),
  require: flag<string[]>({
    name: 'require',
    value: '<rules>',
    description: 'fail when a rule matching this (associations.*, carts.4) was never answered; repeat or comma-separate',
    default: [],
    multiple: true,
    parse: (raw) => raw.split(',').map((glob) => nonEmpty(glob.trim(), 'must name rules, e.g. associations.*')),
  }),
  help: helpFlag,
};

const MERGE_FLAGS = {
  out: flag<string | undefined>({
    name: 'out',
    short: 'o',
    value: '<file>',
    description: 'where to write the merged report: .json, .xml (JUnit) or .html',
    default: undefined,
    parse: (raw) => {
      if (!/\.(json|xml|html)$/i.test(raw)) throw new InvalidValue('must end in .json, .xml or .html (the format)');
      return raw;
    },
  }),
  help: helpFlag,
};

const HELP = [
  `Usage: ${PROGRAM} coverage check <report.json> [--min-rules <percent>] [--require <rules>]`,
  `       ${PROGRAM} coverage merge <report.json>… --out <file>`,
  '',
  'A report is what --coverage-report FILE.json (or GET /__stub/coverage) writes. Its unit is the pair',
  '(operation, behaviour rule): associations.14 on the accounts POST is covered once that operation answered by it.',
  '',
  'check exits 0 when the report meets the gate, 1 when it does not (saying what is missing), 2 for a usage error.',
  ...flagRows(CHECK_FLAGS),
  '',
  'merge adds up the counts of reports of the same rule catalogue (the same version of the stub).',
  ...flagRows(MERGE_FLAGS),
].join('\n');

export async function run(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [action, ...rest] = argv;
  try {
    if (action === 'check') return await check(rest, env);
    if (action === 'merge') return await merge(rest, env);
    if (action === '--help' || action === '-h') {
      process.stdout.write(`${HELP}\n`);
      return 0;
    }
    throw new ConfigError(action === undefined ? 'coverage needs check or merge' : `unknown coverage action ${JSON.stringify(action)}; it is check or merge`);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${PROGRAM} coverage: ${error.message}\n${usageLine(`${PROGRAM} coverage check`, CHECK_FLAGS, '<report.json>')}\n${usageLine(`${PROGRAM} coverage merge`, MERGE_FLAGS, '<report.json>…')}\n`);
    return 2;
  }
}

async function readReport(path: string): Promise<CoverageReport> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  try {
    return parseCoverageReport(text, path);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

async function check(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parseFlags(CHECK_FLAGS, argv, env, { min: 1, max: 1, what: 'the report to check' });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const report = await readReport(positionals[0]!);
  const verdict = checkCoverage(report, { minPercent: values.minRules, required: values.require });
  process.stdout.write(`${verdict.percent}% of the rules answered (${report.total.covered} of ${report.total.total} operation-rule pairs)\n`);
  for (const reason of verdict.reasons) process.stdout.write(`not met: ${reason}\n`);
  return verdict.ok ? 0 : 1;
}

async function merge(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parseFlags(MERGE_FLAGS, argv, env, { min: 1, max: Number.MAX_SAFE_INTEGER, what: 'reports to merge' });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (values.out === undefined) throw new ConfigError('merge needs --out <file>');
  const reports = await Promise.all(positionals.map(async (origin) => ({ origin, report: await readReport(origin) })));
  let merged: CoverageReport;
  try {
    merged = mergeCoverage(reports);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  await writeCoverageFile(values.out, merged);
  process.stdout.write(`merged ${reports.length} reports into ${values.out}: ${merged.total.percent}% of the rules answered\n`);
  return 0;
}
