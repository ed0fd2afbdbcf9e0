import { Command, CommanderError } from 'commander';
import { ZdmError } from '../errors.js';
import { version } from '../version.js';
import type { CliIO } from './context.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';
import type { RegisterCommand } from './commands/types.js';

/**
 * The commands to register: `zdm lint` loads only the lint command (not the runner, pg, pino and
 * the other commands' modules: about 0.06 s of CPU per run, see BENCHMARKS.md "Lint start-up").
 */
async function commandsFor(argv: string[]): Promise<readonly RegisterCommand[]> {
  if (argv[2] === 'lint') return [(await import('./commands/lint.js')).registerLint];
  return (await import('./commands/index.js')).COMMANDS;
}

/** Builds the commander program; each command's action resolves to an exit code. */
export function buildProgram(
  io: CliIO,
  setExit: (code: number) => void,
  commands: readonly RegisterCommand[],
): Command {
  const program = new Command('zdm')
    .description('Zero-downtime schema migrations for PostgreSQL')
    .version(version, '-V, --version')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride()
    .showHelpAfterError('(run zdm --help for usage)');
  for (const register of commands) {
    register(program, io, async (action) => {
      try {
        setExit(await action());
      } catch (err) {
        setExit(reportError(err, io));
      }
    });
  }
  return program;
}

function reportError(err: unknown, io: CliIO): number {
  if (io.signal.aborted) {
    io.stderr('zdm: interrupted; the state is consistent, run `zdm advance` to continue or `zdm rollback` to undo\n');
    return ExitCode.interrupted;
  }
  if (err instanceof ZdmError) io.stderr(`zdm: ${err.message}\n`);
  else io.stderr(`zdm: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return exitCodeFor(err);
}

/** Entry point used by bin/zdm.js. Never calls process.exit: it returns the exit code. */
export async function main(argv: string[], partialIo: Partial<CliIO> = {}): Promise<number> {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const io: CliIO = {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    ...partialIo,
  };
  let code: number = ExitCode.ok;
  try {
    await buildProgram(io, (c) => (code = c), await commandsFor(argv)).parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit through here with code 0.
      return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    code = reportError(err, io);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return code;
}
