import path from 'node:path';
import { resolveConfigAsync } from '../../config/settings.js';
import { DEFAULT_MIGRATIONS_DIR } from '../../defaults.js';
import { initProject, newMigration, type NewFormat } from '../../migration/scaffold.js';
import type { CliIO } from '../context.js';
import { ExitCode } from '../exit-codes.js';

/** `zdm init`: prints what it created (or found). */
export async function runInit(io: CliIO, opts: { migrationsDir?: string; json?: boolean }): Promise<number> {
  const result = await initProject(io.cwd, opts.migrationsDir ?? io.env.ZDM_MIGRATIONS_DIR ?? DEFAULT_MIGRATIONS_DIR);
  const shown = (file: string) => path.relative(io.cwd, file) || '.';
  io.stdout(
    opts.json
      ? `${JSON.stringify(result)}\n`
      : [
          `${shown(result.migrationsDir)}/: ${result.createdDir ? 'created' : 'exists, kept'}`,
          `${shown(result.configFile)}: ${result.createdConfig ? 'created' : 'exists, kept'}`,
          'next: zdm new <name> (e.g. zdm new rename_email --format ts), then zdm plan and zdm advance',
          '',
        ].join('\n'),
  );
  return ExitCode.ok;
}

/** `zdm new <name>`: the migrations directory comes from the usual settings (flag > env > config file). */
export async function runNew(
  io: CliIO,
  name: string,
  opts: { migrationsDir?: string; config?: string; json?: boolean; format: NewFormat },
): Promise<number> {
  const config = await resolveConfigAsync(
    { migrationsDir: opts.migrationsDir, ...(opts.config ? { config: opts.config } : {}) },
    io.env,
    io.cwd,
  );
  const created = await newMigration(io.cwd, config.migrationsDir, name, opts.format);
  io.stdout(
    opts.json
      ? `${JSON.stringify(created)}\n`
      : `${path.relative(io.cwd, created.file)}: created; add its operations, then zdm plan\n`,
  );
  return ExitCode.ok;
}
