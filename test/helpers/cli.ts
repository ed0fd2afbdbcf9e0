import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { main } from '../../src/cli/main.js';
import { TEST_GATE_PACING } from './runner.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in this process (fast), with its own env, cwd and captured output. */
export async function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'zdm', ...args], {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env: { ZDM_LOG_LEVEL: 'error', ...options.env },
    cwd: options.cwd ?? process.cwd(),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    gatePacing: TEST_GATE_PACING,
  });
  return { code, stdout, stderr };
}

export const ZDM_BIN = path.resolve('bin/zdm.js');

/** Runs the built CLI as a child process (for signals and real exits); needs `npm run build`. */
export function spawnCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [ZDM_BIN, ...args],
      { env: { ...process.env, ZDM_LOG_LEVEL: 'error', ...options.env }, cwd: options.cwd },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? 1) : 0;
        resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
      },
    );
  });
}

/**
 * Runs the built CLI with its stdout piped into a reader that closes the pipe early, as `zdm ... | head -1`
 * does: after `keepBytes` bytes (0: before the CLI writes anything). Resolves with what was read, the exit
 * code and stderr.
 */
export function spawnCliClosingStdout(args: string[], keepBytes: number): Promise<CliResult> {
  const child = spawn(process.execPath, [ZDM_BIN, ...args], {
    env: { ...process.env, ZDM_LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const close = () => child.stdout.destroy();
  if (keepBytes === 0) close();
  else child.stdout.on('data', (d: Buffer) => ((stdout += d.toString('utf8')), stdout.length >= keepBytes && close()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  return new Promise((resolve) =>
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? -1 : 1), stdout, stderr })),
  );
}

/** Children of startAdvance that have not exited yet. */
const running = new Map<ChildProcess, Promise<number | null>>();

/** Starts `zdm advance` as a real child process (so it can be SIGKILLed), collecting its output. */
export function startAdvance(args: string[]) {
  const child = spawn(process.execPath, [ZDM_BIN, 'advance', ...args], {
    env: { ...process.env, ZDM_LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  running.set(child, exited);
  return { child, exited, output: () => output };
}

/** Kills the startAdvance children still running (after a failed test) and waits until they exited. */
export async function killStarted(): Promise<void> {
  const exits = [...running].map(([child, exited]) => (child.kill('SIGKILL'), exited));
  await Promise.all(exits);
}

/** Polls `fn` every 50 ms until it returns a value. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await fn();
    if (value !== undefined) return value;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}
