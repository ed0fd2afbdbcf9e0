import { Option } from 'commander';
import { NEW_FORMATS } from '../../migration/scaffold.js';
import type { RegisterCommand } from './types.js';

interface ScaffoldFlags {
  migrationsDir?: string;
  config?: string;
  json?: boolean;
}

/** `zdm init` and `zdm new <name>`: files for a new project and for the next migration; no database. */
export const registerInit: RegisterCommand = (program, io, run) => {
  program
    .command('init')
    .description('create the migrations directory and a zdm.config.json (with its JSON Schema); keeps what exists')
    .option('--migrations-dir <dir>', 'directory of migration files (default ./migrations)')
    .option('--json', 'print what was created as JSON')
    .action((opts: ScaffoldFlags) => run(async () => (await import('../actions/init.js')).runInit(io, opts)));
  program
    .command('new')
    .argument('<name>', 'what the migration does, e.g. rename_email (letters, digits, _ and -)')
    .description('create the next migration file (next number) from a template referencing the JSON Schema')
    .addOption(new Option('--format <format>', 'file format').choices([...NEW_FORMATS]).default('ts'))
    .option('--migrations-dir <dir>', 'directory of migration files (env ZDM_MIGRATIONS_DIR; default ./migrations)')
    .option('--config <file>', 'config file (env ZDM_CONFIG; default ./zdm.config.json)')
    .option('--json', 'print the new file as JSON')
    .action((name: string, opts: ScaffoldFlags & { format: (typeof NEW_FORMATS)[number] }) =>
      run(async () => (await import('../actions/init.js')).runNew(io, name, opts)),
    );
};
