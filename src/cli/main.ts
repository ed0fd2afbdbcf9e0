import { Command, CommanderError } from 'commander';
import { ValidationError, ZdmError, type ValidationIssue } from '../errors.js';
import { version } from '../version.js';
import type { CliIO } from './context.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';
import type { RegisterCommand } from './commands/types.js';
import { addGlobalOptions, inheritGlobals, wantsJson } from './globals.js';

/**
 * The commands to register: `zdm lint ...` loads only the lint command (not the other commands'
 * modules; see BENCHMARKS.md "Lint start-up"). Global options before `lint` load them all.
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

/** An error: plain text on stderr, or under --json one JSON object on stdout and nothing on stderr. */
function reportError(err: unknown, io: CliIO, json: boolean): number {
  if (io.signal.aborted) {
    const message = 'interrupted; the state is consistent, run `zdm advance` to continue or `zdm rollback` to undo';
    if (json) io.stdout(`${JSON.stringify(errorJson('interrupted', ExitCode.interrupted, message))}\n`);
    else io.stderr(`zdm: ${message}\n`);
    return ExitCode.interrupted;
  }
  const code = exitCodeFor(err);
  if (!json) {
    if (err instanceof ZdmError) io.stderr(`zdm: ${err.message}\n`);
    else io.stderr(`zdm: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  } else {
    const kind = err instanceof ZdmError ? err.kind : 'unexpected';
    const message = err instanceof Error ? err.message : String(err);
    const issues = err instanceof ValidationError ? err.issues : undefined;
    io.stdout(`${JSON.stringify(errorJson(kind, code, message, issues))}\n`);
  }
  return code;
}

/** An error under --json: one object on stdout, `{"error": {kind, exitCode, message, issues?}}`. */
function errorJson(kind: string, exitCode: number, message: string, issues?: readonly ValidationIssue[]) {
  return { error: { kind, exitCode, message, ...(issues ? { issues } : {}) } };
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
    stderrColumns: () => process.stderr.columns,
    ...partialIo,
  };
  let code: number = ExitCode.ok;
  const json = wantsJson(argv);
  try {
    await buildProgram(io, (c) => (code = c), await commandsFor(argv), json).parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit through here with code 0.
      if (err.exitCode === 0) return ExitCode.ok;
      if (json) io.stdout(`${JSON.stringify(errorJson('usage', ExitCode.usage, err.message))}\n`);
      return ExitCode.usage;
    }
    code = reportError(err, io, json);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return code;
}
