import { ExitCode } from './exit-codes.js';

/** What main() needs to know about its output streams. */
export interface PipeWatch {
  /** Whether stdout or stderr lost its reader (`zdm lint | head -1`). */
  readonly broken: boolean;
}

let installed: PipeWatch | undefined;

/**
 * A reader that closes the pipe early (`zdm lint x | head -1`, `zdm status --json | head -c 10`) ends
 * zdm the way SIGPIPE ends git: quietly, with exit status 141 (128 + SIGPIPE), and no stack trace. Node
 * ignores SIGPIPE and reports the closed pipe as an EPIPE 'error' event on process.stdout/stderr, which,
 * unhandled, is thrown. Here the event calls `onBroken` (main aborts the running command, which stops at a
 * safe point as on Ctrl-C) and sets the exit status, also when it arrives after main() returned (the
 * last write is flushed asynchronously). Other stream errors are thrown as before.
 * Installed once per process: main() runs once in the CLI.
 */
export function watchBrokenPipe(onBroken: () => void): PipeWatch {
  if (installed) return installed;
  const watch = { broken: false };
  const onError = (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    if (!watch.broken) onBroken();
    watch.broken = true;
    process.exitCode = ExitCode.brokenPipe;
  };
  process.stdout.on('error', onError);
  process.stderr.on('error', onError);
  installed = watch;
  return watch;
}
