import { watchBrokenPipe } from './broken-pipe.js';
import type { CliIO } from './context.js';
import { ExitCode } from './exit-codes.js';
import { parseLintArgs } from './commands/lint-args.js';
import { reportError } from './report-error.js';

/** Whether the command line asks for JSON output (for errors reported before or outside a command's action). */
export function wantsJson(argv: string[]): boolean {
  const args = argv.slice(2);
  const end = args.indexOf('--');
  const own = end === -1 ? args : args.slice(0, end);
  return own.some((a, i) => a === '--json' || a === '--format=json' || (a === '--format' && own[i + 1] === 'json'));
}

/**
 * `zdm lint` with paths and its own options runs without commander (src/cli/commands/lint-args.ts);
 * every other command line goes through commander (src/cli/program.ts), loaded only then.
 */
async function run(argv: string[], io: CliIO, json: boolean): Promise<number> {
  const lint = argv[2] === 'lint' ? parseLintArgs(argv.slice(3)) : undefined;
  if (!lint) return (await import('./program.js')).runProgram(io, argv, json);
  const { runLint } = await import('./actions/lint.js');
  return runLint(io, lint.paths, lint.flags);
}

/** Entry point used by bin/zdm.js. Never calls process.exit: it returns the exit code. */
export async function main(argv: string[], partialIo: Partial<CliIO> = {}): Promise<number> {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const pipe = watchBrokenPipe(onSignal);
  const io: CliIO = {
    stdout: (t) => void (pipe.broken || process.stdout.write(t)),
    stderr: (t) => void (pipe.broken || process.stderr.write(t)),
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    stderrColumns: () => process.stderr.columns,
    ...partialIo,
  };
  const json = wantsJson(argv);
  try {
    const code = await run(argv, io, json);
    return pipe.broken ? ExitCode.brokenPipe : code;
  } catch (err) {
    const code = reportError(err, io, json);
    return pipe.broken ? ExitCode.brokenPipe : code;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
