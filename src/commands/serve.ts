/** `ep-cart-stub [serve]`: parse the flags, start the stub, say where it is, stop cleanly on a signal. */
import { constants } from 'node:os';
import { banner, colored, startFacts } from '../banner.js';
import { PROGRAM, SERVE_COMMAND_LINE, VERSION, stubOptions, type Config } from '../config.js';
import { readCommandLine } from './flags.js';
import { startStub, type RunningStub } from '../stub.js';
import { DataFileError, cannotKeepState } from '../store/data-file-problems.js';

/** Serves the stub: resolves an exit code, or undefined while the stub runs. */
export async function run(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number | undefined> {
  const commandLine = readCommandLine(SERVE_COMMAND_LINE, argv, env);
  if (typeof commandLine === 'number') return commandLine;
  const config: Config = commandLine.values;
  if (config.version) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }

  const terminal = process.stdout.isTTY === true;
  // pino-pretty as a stream in this thread, not as a pino transport, whose worker could not load from the bundle.
  const prettyLogs = terminal
    ? (await import('pino-pretty')).default({ translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', singleLine: true })
    : undefined;
  let stub: RunningStub;
  try {
    stub = await startStub(stubOptions(config, prettyLogs));
  } catch (error) {
    process.stderr.write(`${PROGRAM}: ${whyItCannotStart(error as NodeJS.ErrnoException, config)}\n`);
    return 1;
  }

  // Start and stop lines show at the default level (warn) too, so a log always says where the stub is.
  const lifecycle = stub.fastify.log.child({}, { level: config.logLevel === 'warn' ? 'info' : config.logLevel });
  // Before the stub says where it is: whoever reads that may signal it at once.
  stopOnSignals(stub, lifecycle);
  const facts = startFacts(stub.url, config);
  if (terminal) process.stdout.write(`${banner(facts, stub.store, process.stdout.hasColors() ? colored : undefined)}\n`);
  else {
    const fields = {
      url: facts.url,
      docs: facts.docsUrl,
      listening: stub.url,
      state: facts.state,
      fixtures: facts.fixtures,
      ...(facts.sandbox ? { sandbox: facts.sandbox } : {}),
      cors: facts.cors,
    };
    lifecycle.info(fields, `${PROGRAM} ${VERSION} listening on ${facts.url}`);
  }

  return undefined;
}

function whyItCannotStart(error: NodeJS.ErrnoException, config: Config): string {
  if (error instanceof DataFileError) {
    return cannotKeepState(error.path, error.problem, `${error.remedy}, or choose another --data path`);
  }
  const where = `port ${config.port} on ${config.host}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return `${where} is already in use (choose another with --port, or --port 0 for a free one)`;
    case 'EACCES':
      return `no permission to listen on ${where} (ports below 1024 need privileges)`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${config.host}: not an address of this machine`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot listen on ${config.host}: no such host`;
    default:
      return `cannot start: ${error.message}`;
  }
}

/** The first SIGTERM or SIGINT drains requests in flight and flushes the store; a second one exits at once. */
function stopOnSignals(stub: RunningStub, log: RunningStub['fastify']['log']): void {
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(128 + constants.signals[signal]);
      stopping = true;
      log.info({ signal }, 'stopping: finishing requests in flight (again to stop at once)');
      stub.close().then(
        () => {
          log.info('stopped');
          // Exiting on its own lets the last log lines drain; the timer only ends a process something keeps alive.
          process.exitCode = 0;
          setTimeout(() => process.exit(0), 2000).unref();
        },
        (error: unknown) => {
          log.error({ err: error }, 'could not stop cleanly');
          process.exit(1);
        },
      );
    });
  }
}
