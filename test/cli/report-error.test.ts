import { describe, expect, it } from 'vitest';
import { reportError } from '../../src/cli/report-error.js';
import type { CliIO } from '../../src/cli/context.js';
import { UsageError } from '../../src/errors.js';

function capture(): { io: CliIO; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    env: {},
    cwd: process.cwd(),
    signal: new AbortController().signal,
    stdoutIsTTY: false,
    stderrIsTTY: false,
  };
  return { io, out, err };
}

function throwsSomewhereDeep(): never {
  throw new TypeError("Cannot read properties of undefined (reading 'x')");
}

function caught(fn: () => never): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
}

describe('errors under --json', () => {
  it('an unexpected error keeps its stack in the JSON object, and nothing goes to stderr', () => {
    const { io, out, err } = capture();
    const code = reportError(caught(throwsSomewhereDeep), io, true);
    expect(err).toEqual([]);
    expect(out).toHaveLength(1);
    const parsed = JSON.parse(out[0]!) as { error: { kind: string; exitCode: number; message: string; stack: string } };
    expect(parsed.error).toMatchObject({ kind: 'unexpected', exitCode: code });
    expect(parsed.error.message).toContain('Cannot read properties of undefined');
    expect(parsed.error.stack).toContain('throwsSomewhereDeep');
  });

  it('a typed error has no stack: its message says what to do', () => {
    const { io, out } = capture();
    const code = reportError(new UsageError('--lock-timeout: 0 lets DDL queue without bound'), io, true);
    expect(code).toBe(2);
    const parsed = JSON.parse(out[0]!) as { error: Record<string, unknown> };
    expect(parsed.error).toEqual({
      kind: 'usage',
      exitCode: 2,
      message: '--lock-timeout: 0 lets DDL queue without bound',
    });
  });

  it('plain text keeps the stack of an unexpected error on stderr', () => {
    const { io, out, err } = capture();
    reportError(caught(throwsSomewhereDeep), io, false);
    expect(out).toEqual([]);
    expect(err.join('')).toMatch(/^zdm: unexpected error: TypeError: .*\n\s+at throwsSomewhereDeep/s);
  });
});
