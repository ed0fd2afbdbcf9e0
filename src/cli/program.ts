import { Command, CommanderError } from 'commander';
import { version } from '../version.js';
import type { CliIO } from './context.js';
import { ExitCode } from './exit-codes.js';
import { errorJson, reportError } from './report-error.js';
import type { RegisterCommand } from './commands/types.js';
import { addGlobalOptions, inheritGlobals } from './globals.js';

/**
 * The commands to register: `zdm lint ...` loads only the lint command (not the other commands'
 * modules; see BENCHMARKS.md "Lint start-up"). Global options before `lint` load them all.
 */
async function commandsFor(argv: string[]): Promise<readonly RegisterCommand[]> {
  if (argv[2] === 'lint') return [(await import('./commands/lint.js')).registerLint];
  return (await import('./commands/index.js')).COMMANDS;
}

/** Builds the commander program; each command's action resolves to an exit code. */
function buildProgram(
  io: CliIO,
  setExit: (code: number) => void,
  commands: readonly RegisterCommand[],
  json = false,
): Command {
  const program = new Command('zdm')
    .description('Zero-downtime schema migrations for PostgreSQL')
    .version(version, '-V, --version')
    // Under --json a usage error is the JSON object main() prints on stdout, and nothing else.
    .configureOutput({ writeOut: io.stdout, writeErr: json ? () => undefined : io.stderr })
    .exitOverride()
    .showHelpAfterError('(run zdm --help for usage)');
  addGlobalOptions(program).hook('preAction', (_, action) => inheritGlobals(program, action));
  for (const register of commands) {
    register(program, io, async (action) => {
      try {
        setExit(await action());
      } catch (err) {
        setExit(reportError(err, io, json));
      }
    });
  }
  return program;
}

/** Parses the command line with commander and runs the command it names; resolves to the exit code. */
export async function runProgram(io: CliIO, argv: string[], json: boolean): Promise<number> {
  let code: number = ExitCode.ok;
  try {
    await buildProgram(io, (c) => (code = c), await commandsFor(argv), json).parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit through here with code 0.
      if (err.exitCode === 0) return ExitCode.ok;
      if (json) io.stdout(`${JSON.stringify(errorJson('usage', ExitCode.usage, err.message))}\n`);
      return ExitCode.usage;
    }
    throw err;
  }
  return code;
}
