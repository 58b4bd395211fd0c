/** `ep-cart-stub record --target URL --out FILE`: a recording proxy, until SIGTERM or SIGINT. */
import { resolve } from 'node:path';
import { FLAGS as SERVE_FLAGS, PROGRAM } from '../config.js';
import { startRecorder } from '../recording/proxy.js';
import { ConfigError, baseUrl, flag, flagRows, helpFlag, nonEmpty, parseFlags, usageLine } from './flags.js';

export const RECORD_FLAGS = {
  target: flag<string | undefined>({
    name: 'target',
    value: '<url>',
    description: 'the API to forward to and record, e.g. https://useast.api.elasticpath.com',
    default: undefined,
    defaultText: 'required',
    parse: baseUrl,
  }),
  out: flag<string | undefined>({
    name: 'out',
    value: '<file>',
    description: 'the HAR file to write, entry by entry (emptied first)',
    default: undefined,
    defaultText: 'required',
    parse: (raw) => resolve(nonEmpty(raw, 'must be a file path')),
  }),
  // The proxy stands where the stub would: the same flags, but not the stub's environment variables.
  port: { ...SERVE_FLAGS.port, env: undefined },
  host: { ...SERVE_FLAGS.host, env: undefined },
  help: helpFlag,
};

const COMMAND = `${PROGRAM} record`;

export async function run(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number | undefined> {
  let values;
  try {
    ({ values } = parseFlags(RECORD_FLAGS, argv, env));
    if (!values.help && values.target === undefined) throw new ConfigError('missing --target <url>');
    if (!values.help && values.out === undefined) throw new ConfigError('missing --out <file>');
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${COMMAND}: ${error.message}\n${usageLine(COMMAND, RECORD_FLAGS)}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(
      [
        `${COMMAND}: a proxy that forwards every request to --target and appends each exchange, secrets masked, to a HAR file`,
        '',
        usageLine(COMMAND, RECORD_FLAGS),
        '',
        ...flagRows(RECORD_FLAGS),
        '',
        `Replay the file against the stub with: ${PROGRAM} replay <file>`,
      ].join('\n') + '\n',
    );
    return 0;
  }
  const target = values.target!;
  const out = values.out!;
  let recorder;
  try {
    recorder = await startRecorder({
      target,
      out,
      port: values.port,
      host: values.host,
      onProblem: (message) => process.stderr.write(`${COMMAND}: cannot reach the target: ${message}\n`),
    });
  } catch (error) {
    process.stderr.write(`${COMMAND}: cannot start: ${(error as Error).message}\n`);
    return 1;
  }
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(1);
      stopping = true;
      void recorder.close().then(() => {
        process.stdout.write(`${COMMAND}: stopped; ${recorder.count} exchange(s) in ${out}\n`, () => process.exit(0));
      });
    });
  }
  process.stdout.write(`${COMMAND}: listening on ${recorder.url}, forwarding to ${target}, writing ${out}\n`);
  return undefined;
}
