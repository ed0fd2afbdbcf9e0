import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { ZDM_BIN } from '../helpers/cli.js';
import { tempMigrationsDir } from '../helpers/runner.js';

/** The README's release-pipeline examples must match the real CLI. */
let readme: string;
let db: TestDatabase;
const dirs: { remove(): Promise<void> }[] = [];

beforeAll(async () => {
  readme = await readFile('README.md', 'utf8');
  db = await createTestDatabase(testLabel(import.meta.url));
});
afterAll(async () => {
  for (const d of dirs) await d.remove();
  await db?.drop();
});

/** Parses a zdm command line with the real program, without running its action. */
function parses(line: string): string | undefined {
  const program = new Command('zdm')
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  const io = {
    stdout: () => undefined,
    stderr: () => undefined,
    env: {},
    cwd: '.',
    signal: new AbortController().signal,
    stdoutIsTTY: false,
    stderrIsTTY: false,
  };
  for (const register of COMMANDS) register(program, io, async () => undefined);
  const args = line
    .replace(/^(npx )?zdm /, '')
    .replace(/\s*[>|].*$/, '')
    .replace(/\$\{\{[^}]*\}\}/g, 'x')
    .split(/\s+/)
    .filter(Boolean);
  try {
    program.parse(['node', 'zdm', ...args]);
    return undefined;
  } catch (err) {
    return err instanceof CommanderError ? `${line}: ${err.message}` : String(err);
  }
}

function hookScript(): string {
  const m = /<!-- zdm:pre-deploy-hook -->\s*```bash\n([\s\S]*?)```/.exec(readme);
  if (!m?.[1]) throw new Error('README has no pre-deploy hook block');
  return m[1];
}

function runHook(dir: string, env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      [path.join(dir, 'hook.sh')],
      { env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, ZDM_LOG_LEVEL: 'error', ...env } },
      (err, stdout, stderr) => {
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
      },
    );
  });
}

describe('README', () => {
  it('every zdm command line in it uses real commands and flags', () => {
    const lines = [
      ...readme.matchAll(
        /(?:^|\s|`|run: )((?:npx )?zdm (?:plan|advance|status|rollback|pause|resume|lint)\b[^`\n]*)/gm,
      ),
    ]
      .map((m) => m[1]!.trim())
      // Usage synopses in the commands table ("zdm plan [file] [--format ...]") are not invocations.
      .filter((line) => !/ \[/.test(line));
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.map(parses).filter(Boolean)).toEqual([]);
  });

  it('the pre-deploy hook brings a migration to switch (exit 0) and stops on a blocked migration (exit 1)', async () => {
    const bin = await mkdtemp(path.join(tmpdir(), 'zdm-hook-'));
    onTestFinished(() => rm(bin, { recursive: true, force: true }));
    await writeFile(path.join(bin, 'zdm'), `#!/usr/bin/env bash\nexec "${process.execPath}" "${ZDM_BIN}" "$@"\n`);
    await chmod(path.join(bin, 'zdm'), 0o755);
    await writeFile(path.join(bin, 'hook.sh'), hookScript());
    await db.query(`CREATE TABLE users (id int PRIMARY KEY, user_email text)`);
    await db.query(`INSERT INTO users SELECT g, 'u' || g FROM generate_series(1, 500) g`);

    const good = await tempMigrationsDir('hook');
    dirs.push(good);
    await good.write('0001_rename.json', {
      operations: [{ op: 'renameColumn', table: 'users', from: 'user_email', to: 'email_address' }],
    });
    const ready = await runHook(bin, { DATABASE_URL: db.url, ZDM_MIGRATIONS_DIR: good.dir });
    expect(ready.out).toContain('database ready for the new version');
    expect(ready.code).toBe(0);
    expect(await db.query(`SELECT phase FROM zdm.migrations`)).toEqual([{ phase: 'switch' }]);

    const bad = await tempMigrationsDir('hook');
    dirs.push(bad);
    await bad.write('0001_typo.json', { operations: [{ op: 'renameColumn', table: 'userz', from: 'a', to: 'b' }] });
    const blocked = await runHook(bin, { DATABASE_URL: db.url, ZDM_MIGRATIONS_DIR: bad.dir });
    expect(blocked.out).toContain('migration blocked by validation or lint');
    expect(blocked.code).toBe(1);
  });
});
