/**
 * `ep-cart-stub verify --target URL [--config FILE] [--only …] [--junit F] [--json F] [--concurrency N]`:
 * the behaviour scenarios against a target. Exit 0 when every scenario agrees, 1 when any differs or could
 * not run, 2 for a usage or configuration error.
 */
import { writeFileSync } from 'node:fs';
import { PROGRAM } from '../config.js';
import { loadFixtures } from '../fixtures.js';
import { junitXml } from '../reports/junit.js';
import { VerifyConfigError, demoConfig, readVerifyConfig } from '../verify/config.js';
import { verify, type ScenarioResult, type VerifyReport } from '../verify/verify.js';
import { baseUrl, existingFile, flag, helpFlag, integer, readCommandLine, reportFlags, type CommandLine } from './flags.js';

const VERIFY_FLAGS = {
  target: flag<string | undefined>({
    name: 'target',
    value: '<url>',
    description: 'the API to check, e.g. https://useast.api.elasticpath.com or http://127.0.0.1:4010',
    default: undefined,
    required: true,
    parse: baseUrl,
  }),
  config: flag<string | undefined>({
    name: 'config',
    value: '<file>',
    description: 'client, accounts with a member each, customers: what the scenarios need on the target',
    default: undefined,
    defaultText: 'the bundled demo credentials (a stub on its default fixtures)',
    parse: existingFile,
  }),
  only: flag<string[]>({
    name: 'only',
    value: '<rules>',
    description: 'run only these scenarios, by rule id or name, * for any characters (associations.14,carts.*)',
    default: [],
    defaultText: 'every scenario',
    multiple: true,
    parse: (raw) => raw.split(',').map((name) => name.trim()).filter((name) => name !== ''),
  }),
  ...reportFlags('scenario'),
  concurrency: flag<number>({
    name: 'concurrency',
    value: '<n>',
    description: 'scenarios at a time, each one request at a time',
    default: 2,
    parse: (raw) => integer(raw, 1, 16, 'a whole number from 1 to 16'),
  }),
  help: helpFlag,
};

const COMMAND_LINE: CommandLine<typeof VERIFY_FLAGS> = {
  command: `${PROGRAM} verify`,
  flags: VERIFY_FLAGS,
  summary: "runs the behaviour table's scenarios against a target and says where it agrees",
  notes: [
    'It makes only carts of its own, named with the run id, and deletes them at the end (Ctrl-C included).',
    'Exit status: 0 every scenario agrees, 1 one differs or could not run, 2 a usage or configuration error.',
    'In full (the config file, the reports, what differs): docs/verify.md.',
  ],
};
const COMMAND = COMMAND_LINE.command;

export async function run(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const commandLine = readCommandLine(COMMAND_LINE, argv, env);
  if (typeof commandLine === 'number') return commandLine;
  const { values } = commandLine;
  const target = values.target!;
  // Ctrl-C stops starting scenarios; what the run made is deleted before it exits.
  const stop = new AbortController();
  const interrupted = () => stop.abort();
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  let report: VerifyReport;
  try {
    const config = values.config === undefined ? demoConfig(await loadFixtures()) : await readVerifyConfig(values.config, env);
    report = await verify({ target, config, only: values.only, concurrency: values.concurrency, signal: stop.signal });
  } catch (error) {
    if (!(error instanceof VerifyConfigError) && !(error instanceof TypeError)) throw error;
    // fetch's TypeError: the target did not answer at all.
    const reason = error instanceof TypeError ? `cannot reach ${target}: ${(error.cause as Error | undefined)?.message ?? error.message}` : error.message;
    process.stderr.write(`${COMMAND}: ${reason}\n`);
    return 2;
  } finally {
    process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
  }
  process.stdout.write(`${table(report.results)}\n\n${report.summary}\n`);
  for (const result of report.results.filter((r) => r.verdict === 'differ' && r.basis === 'decision')) {
    process.stdout.write(`${result.name} is a decision of the stub, and the target answered otherwise (${result.observed}): please tell us.\n`);
  }
  if (report.leftBehind.length > 0) process.stdout.write(`could not delete carts of this run: ${report.leftBehind.join(', ')}\n`);
  if (values.junit) writeFileSync(values.junit, verifyJunit(report));
  if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
  if (stop.signal.aborted) return 130;
  return report.results.every((result) => result.verdict === 'agree' || result.verdict === 'skipped') ? 0 : 1;
}

function table(results: readonly ScenarioResult[]): string {
  const rows = [['scenario', 'basis', 'expected', 'observed', 'verdict'], ...results.map((r) => [r.name, r.basis, r.expected, r.observed, r.verdict + (r.reason ? `: ${r.reason}` : '')])];
  const widths = [0, 1, 2, 3].map((column) => Math.min(48, Math.max(...rows.map((row) => row[column]!.length))));
  return rows.map((row) => row.map((cell, column) => (column < 4 ? cell.padEnd(widths[column]!) : cell)).join('  ')).join('\n');
}

/** One test case per scenario, named by it; a difference fails it with the request and both answers. */
export function verifyJunit(report: VerifyReport): string {
  return junitXml([
    {
      name: `${PROGRAM} verify ${report.target}`,
      testcases: report.results.map((result) => ({
        name: result.name,
        classname: result.rule.split('.')[0]!,
        time: result.durationMs / 1000,
        ...(result.verdict === 'skipped' ? { skipped: result.reason ?? 'skipped' } : {}),
        ...(result.verdict === 'differ' || result.verdict === 'error'
          ? {
              failure: {
                message: `${result.basis}: expected ${result.expected}, observed ${result.observed}`,
                text: [`request: ${result.request}`, `expected: ${result.expected}`, `observed: ${result.observed}`, `why: ${result.reason ?? ''}`, `answer: ${result.answer ?? ''}`].join('\n'),
              },
            }
          : {}),
      })),
    },
  ]);
}
