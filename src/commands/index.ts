/**
 * The CLI's commands, by name: `ep-cart-stub <command> …`, serve when none is named. Each is a file that
 * parses its flags and calls the library; loaded only when run, so serving loads none of the tools.
 */
export interface Command {
  /** Resolves an exit code, or undefined while the command keeps running (a server). */
  run(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number | undefined>;
}

export const COMMANDS: Readonly<Record<string, { summary: string; load: () => Promise<Command> }>> = {
  serve: { summary: 'serve the stub (the default when no command is named)', load: () => import('./serve.js') },
  verify: { summary: 'run the behaviour scenarios against a target (a real store, or a stub) and report where it differs', load: () => import('./verify.js') },
  coverage: { summary: 'check a rule-coverage report against a gate, or merge reports', load: () => import('./coverage.js') },
  record: { summary: 'record traffic to a real store through a proxy, into a HAR file', load: () => import('./record.js') },
  replay: { summary: 'replay a HAR against the stub and report every difference', load: () => import('./replay.js') },
};
