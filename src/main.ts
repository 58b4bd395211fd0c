/** The `ep-cart-stub` program (cli.cts launches it): runs the command named first, or serves the stub. */
import { PROGRAM } from './config.js';
import { COMMANDS } from './commands/index.js';

async function main(argv: readonly string[]): Promise<number | undefined> {
  const [first, ...rest] = argv;
  const named = first !== undefined && !first.startsWith('-');
  const command = named ? (Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined) : COMMANDS.serve!;
  if (!command) {
    const known = Object.keys(COMMANDS).join(', ');
    process.stderr.write(`${PROGRAM}: unknown command ${JSON.stringify(first)}; the commands are ${known}\nRun '${PROGRAM} --help' for more.\n`);
    return 2;
  }
  return (await command.load()).run(named ? rest : argv, process.env);
}

/** Whether the program keeps running (the stub is up), once that is known: cli.cts then saves its code cache. */
export const started: Promise<boolean> = main(process.argv.slice(2)).then((code) => {
  if (code !== undefined) process.exitCode = code;
  return code === undefined;
});
