/**
 * `ep-cart-stub coverage check REPORT --min-rules N [--require GLOB …]`: the CI gate over a coverage report.
 * `ep-cart-stub coverage merge A B … -o OUT`: reports of parallel workers or shards as one.
 */
import { readFile } from 'node:fs/promises';
import { PROGRAM } from '../config.js';
import { checkCoverage, mergeCoverage, parseCoverageReport, type CoverageReport } from '../coverage/coverage.js';
import { COVERAGE_FILE_EXTENSIONS, writeCoverageFile } from '../coverage/files.js';
import { flag, flagRows, helpFlag, integer, nonEmpty, readCommandLine, reportFile, usage, type CommandLine } from './flags.js';

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
    required: true,
    parse: reportFile(COVERAGE_FILE_EXTENSIONS),
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
  '',
  'In full (the trace, the report, CI): docs/control-api.md#rule-trace-and-coverage.',
].join('\n');

const CHECK: CommandLine<typeof CHECK_FLAGS> = {
  command: `${PROGRAM} coverage check`,
  flags: CHECK_FLAGS,
  positionals: { min: 1, max: 1, what: 'the report to check' },
  usage: '<report.json>',
  summary: 'the CI gate over a coverage report',
  help: () => HELP,
};

const MERGE: CommandLine<typeof MERGE_FLAGS> = {
  command: `${PROGRAM} coverage merge`,
  flags: MERGE_FLAGS,
  positionals: { min: 1, max: Number.MAX_SAFE_INTEGER, what: 'reports to merge' },
  usage: '<report.json>…',
  summary: 'reports of parallel workers or shards as one',
  help: () => HELP,
};

export async function run(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [action, ...rest] = argv;
  if (action === 'check') return check(rest, env);
  if (action === 'merge') return merge(rest, env);
  if (action === '--help' || action === '-h') {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const reason = action === undefined ? 'coverage needs check or merge' : `unknown coverage action ${JSON.stringify(action)}; it is check or merge`;
  process.stderr.write(`${PROGRAM} coverage: ${reason}\n${usage(CHECK)}\n${usage(MERGE)}\n`);
  return 2;
}

/** A report, or the exit code after saying why the file is not one. */
async function readReport(command: string, path: string): Promise<CoverageReport | number> {
  try {
    return parseCoverageReport(await readFile(path, 'utf8'), path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? `cannot read ${path}: no such file` : (error as Error).message;
    process.stderr.write(`${command}: ${reason}\n`);
    return 2;
  }
}

async function check(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const commandLine = readCommandLine(CHECK, argv, env);
  if (typeof commandLine === 'number') return commandLine;
  const { values, positionals } = commandLine;
  const report = await readReport(CHECK.command, positionals[0]!);
  if (typeof report === 'number') return report;
  const verdict = checkCoverage(report, { minPercent: values.minRules, required: values.require });
  process.stdout.write(`${verdict.percent}% of the rules answered (${report.total.covered} of ${report.total.total} operation-rule pairs)\n`);
  for (const reason of verdict.reasons) process.stdout.write(`not met: ${reason}\n`);
  return verdict.ok ? 0 : 1;
}

async function merge(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const commandLine = readCommandLine(MERGE, argv, env);
  if (typeof commandLine === 'number') return commandLine;
  const { values, positionals } = commandLine;
  const reports: { origin: string; report: CoverageReport }[] = [];
  for (const origin of positionals) {
    const report = await readReport(MERGE.command, origin);
    if (typeof report === 'number') return report;
    reports.push({ origin, report });
  }
  let merged: CoverageReport;
  try {
    merged = mergeCoverage(reports);
  } catch (error) {
    process.stderr.write(`${MERGE.command}: ${(error as Error).message}\n`);
    return 2;
  }
  await writeCoverageFile(values.out!, merged);
  process.stdout.write(`merged ${reports.length} reports into ${values.out}: ${merged.total.percent}% of the rules answered\n`);
  return 0;
}
