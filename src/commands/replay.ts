/** `ep-cart-stub replay FILE`: replays a HAR against the stub and reports every difference; exit 0, 1 or 2. */
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { PROGRAM } from '../config.js';
import { RecordingError, readRecording } from '../recording/har.js';
import { describeDifference, replay, replayJson, replayJunit, summaryLine } from '../recording/replay.js';
import { baseUrl, existingFile, flag, helpFlag, readCommandLine, reportFlags, type CommandLine } from './flags.js';

export const REPLAY_FLAGS = {
  target: flag<string | undefined>({
    name: 'target',
    value: '<url>',
    description: 'replay against this URL instead of a fresh stub seeded from the recording',
    default: undefined,
    defaultText: 'a fresh in-process stub',
    parse: baseUrl,
  }),
  ignore: flag<string[]>({
    name: 'ignore',
    value: '<field>',
    description: "a field whose differences do not count, e.g. 'data.meta.timestamps.*' (* for one segment); repeatable",
    default: [],
    defaultText: 'none',
    multiple: true,
    parse: (raw) => raw.split(',').map((pattern) => pattern.trim()).filter((pattern) => pattern !== ''),
  }),
  ...reportFlags('replayed entry'),
  help: helpFlag,
};

const POSITIONAL = '<recording.har>';
const COMMAND_LINE: CommandLine<typeof REPLAY_FLAGS> = {
  command: `${PROGRAM} replay`,
  flags: REPLAY_FLAGS,
  positionals: { min: 1, max: 1, what: `recording ${POSITIONAL}`, parse: existingFile, source: 'the recording' },
  usage: POSITIONAL,
  summary: "sends a recording's Elastic Path requests to the stub and reports every answer that differs",
  notes: ['Exit status: 0 no difference, 1 differences, 2 a usage error or a file that is not a HAR.', 'In full: docs/record-and-replay.md.'],
};
const COMMAND = COMMAND_LINE.command;

export async function run(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const commandLine = readCommandLine(COMMAND_LINE, argv, env);
  if (typeof commandLine === 'number') return commandLine;
  const { values } = commandLine;
  const file = commandLine.positionals[0]!;
  let recording;
  try {
    recording = readRecording(file);
  } catch (error) {
    if (!(error instanceof RecordingError)) throw error;
    process.stderr.write(`${COMMAND}: ${error.message}\n`);
    return 2;
  }
  const report = await replay(recording, { target: values.target, ignore: values.ignore });
  const lines = [
    ...(report.seed ? [`seeded the stub from the recording: ${report.seed.inferred.length ? report.seed.inferred.join('; ') : 'nothing'}`] : []),
    ...(report.seed?.unknown ?? []).map((note) => `note: ${note}`),
    ...report.differences.map(describeDifference),
    summaryLine(report),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (values.junit) writeFileSync(values.junit, replayJunit(report, `${COMMAND} ${basename(file)}`));
  if (values.json) writeFileSync(values.json, replayJson(report));
  return report.differences.length === 0 ? 0 : 1;
}
