/**
 * squawk (the `squawk-cli` npm package) is the peer linter the lint benchmarks compare against. It
 * is not a devDependency: its platform packages are published per version, and a registry that
 * lacks one platform's build of the pinned version makes `npm ci` refuse the lock file on every
 * machine. The benchmarks install it on first use into bench/.tools (git-ignored) instead.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const SQUAWK_VERSION = '2.66.0';
const toolsDir = fileURLToPath(new URL('../.tools/', import.meta.url));

/**
 * Path of squawk's native binary, installing squawk-cli@SQUAWK_VERSION into bench/.tools when missing.
 * `node_modules/.bin/squawk` is squawk-cli's JavaScript launcher: it starts Node (~0.2 s of CPU) only to
 * spawn the native binary, so timing it would charge squawk with a Node start-up. The benchmarks time
 * the binary itself (`@squawk-cli/<platform>-<arch>/bin/squawk`), as the issue asks.
 */
export function squawkBin(): string {
  const bin = path.join(toolsDir, `node_modules/@squawk-cli/${process.platform}-${process.arch}/bin/squawk`);
  if (!existsSync(bin)) {
    mkdirSync(toolsDir, { recursive: true });
    process.stderr.write(`installing squawk-cli@${SQUAWK_VERSION} into ${toolsDir}\n`);
    execFileSync(
      'npm',
      ['install', '--prefix', toolsDir, '--no-save', '--no-package-lock', `squawk-cli@${SQUAWK_VERSION}`],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    if (!existsSync(bin)) throw new Error(`squawk-cli has no native binary for this platform at ${bin}`);
  }
  return bin;
}
