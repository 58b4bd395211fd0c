/** `ep-cart-stub record --target URL --out FILE`: a recording proxy, until SIGTERM or SIGINT. */
import { FLAGS as SERVE_FLAGS, PROGRAM } from '../config.js';
import { startRecorder } from '../recording/proxy.js';
import { baseUrl, filePath, flag, helpFlag, readCommandLine, type CommandLine } from './flags.js';

export const RECORD_FLAGS = {
  target: flag<string | undefined>({
    name: 'target',
    value: '<url>',
    description: 'the API to forward to and record, e.g. https://useast.api.elasticpath.com',
    default: undefined,
    required: true,
    parse: baseUrl,
  }),
  out: flag<string | undefined>({
    name: 'out',
    value: '<file>',
    description: 'the HAR file to write, entry by entry (emptied first)',
    default: undefined,
    required: true,
    parse: filePath,
  }),
  // The proxy stands where the stub would: the same flags, but not the stub's environment variables.
  port: { ...SERVE_FLAGS.port, env: undefined },
  host: { ...SERVE_FLAGS.host, env: undefined },
  help: helpFlag,
};

const COMMAND_LINE: CommandLine<typeof RECORD_FLAGS> = {
  command: `${PROGRAM} record`,
  flags: RECORD_FLAGS,
  summary: 'a proxy that forwards every request to --target and appends each exchange, secrets masked, to a HAR file',
  notes: [`Replay the file against the stub with: ${PROGRAM} replay <file>`, 'In full: docs/record-and-replay.md.'],
};
const COMMAND = COMMAND_LINE.command;

export async function run(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number | undefined> {
  const commandLine = readCommandLine(COMMAND_LINE, argv, env);
  if (typeof commandLine === 'number') return commandLine;
  const { values } = commandLine;
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
