import { describe, expect, it, vi } from 'vitest';
import { parseLintArgs } from '../../src/cli/commands/lint-args.js';
import type { CliIO } from '../../src/cli/context.js';
import { runProgram } from '../../src/cli/program.js';

// What commander hands the lint action: runLint is replaced by a recorder.
const calls: { paths: string[]; flags: Record<string, unknown> }[] = [];
vi.mock('../../src/cli/actions/lint.js', () => ({
  runLint: (_io: unknown, paths: string[], flags: Record<string, unknown>) => {
    calls.push({ paths, flags: { ...flags } });
    return Promise.resolve(0);
  },
}));

const io: CliIO = {
  stdout: () => undefined,
  stderr: () => undefined,
  env: {},
  cwd: process.cwd(),
  signal: new AbortController().signal,
  stdoutIsTTY: false,
  stderrIsTTY: false,
};

async function viaCommander(args: string[]) {
  calls.length = 0;
  const code = await runProgram(io, ['node', 'zdm', 'lint', ...args], false);
  return { code, call: calls[0] };
}

/** Command lines `zdm lint` reads without commander. */
const FAST: string[][] = [
  [],
  ['a.sql'],
  ['a.sql', 'dir', '-', 'help'],
  ['--format', 'json', 'a.sql'],
  ['--format=sarif', 'a.sql'],
  ['a.sql', '--json'],
  ['--json', '--format', 'text', 'a.sql'],
  ['--json', '--format=markdown'],
  ['--format', 'json', '--format', 'github'],
  ['--format=', 'a.sql'],
  ['--format', '-'],
  ['--include', 'a,b', '--exclude=c', '--pg-version', '14.2', '--assume-in-transaction', '--max-warnings', '3'],
  ['--stdin-filename', '-', '-', '--config', 'c.json', '--database-url', 'postgres://x/y', 'a.sql'],
  ['--config=c.json', '--database-url=postgres://u@h/d?x=1', 'dir'],
  ['--include', '', '--exclude=-x', '--pg-version=15'],
  ['a.sql', '--max-warnings', '0', 'b.sql'],
];

/** Command lines left to commander: help, version, errors, options lint does not declare. */
const COMMANDER: string[][] = [
  ['--help'],
  ['-h'],
  ['--version'],
  ['-V'],
  ['--bogus'],
  ['a.sql', '-x'],
  ['--include'],
  ['--include', '--json'],
  ['--format', '-x'],
  ['--json=1'],
  ['--assume-in-transaction=yes'],
  ['--', '-x.sql'],
  ['--migrations-dir', 'm', 'a.sql'],
  ['--log-level', 'debug', 'a.sql'],
  ['-1'],
  ['--=x'],
];

describe('zdm lint command line without commander', () => {
  it.each(FAST.map((args) => [args.join(' ') || '(none)', args]))('reads %s as commander does', async (_, args) => {
    const fast = parseLintArgs(args);
    expect(fast).toBeDefined();
    const { code, call } = await viaCommander(args);
    expect(code).toBe(0);
    expect(call).toEqual(fast);
  });

  it.each(COMMANDER.map((args) => [args.join(' '), args]))('leaves %s to commander', (_, args) => {
    expect(parseLintArgs(args)).toBeUndefined();
  });
});
