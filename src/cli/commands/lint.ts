import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { FORMATS, type Format } from '../../lint/report/formats.js';
import type { CliIO } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import type { RunAction } from './types.js';

interface LintFlags {
  include?: string;
  exclude?: string;
  pgVersion?: string;
  assumeInTransaction?: boolean;
  databaseUrl?: string;
  format?: string;
  maxWarnings?: string;
  stdinFilename?: string;
  config?: string;
}

const ids = (s: string | undefined) =>
  (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * `zdm lint` is a short process that runs each of ~65 small rule checks a few thousand times. With
 * V8's default inlining, TurboFan optimises every check with the session resolver, the AST helpers
 * and the message builders inlined into it: 30-70 ms of compile per check (`node --trace-opt`),
 * about 0.5 s of CPU per run on background threads, which on a 2-core machine is taken from the
 * lint itself. Without inlining each compile is a few ms; measured on the bench/lint/speed.ts corpus
 * (2,000 files, 20,000 statements): CPU time 1.21 s -> 0.79 s, wall time 1.28 s -> 0.66 s (medians of 7
 * alternating runs). Set only for this command, before any of the linter runs; the planner and the
 * runner keep V8's defaults.
 */
function oneShotJit(): void {
  try {
    setFlagsFromString('--no-turbo-inlining');
  } catch {
    // an embedder that refuses V8 flags: lint is only slower
  }
}

/** `zdm lint [paths...]`: exit 0 when clean or warnings only, 3 on errors (or too many warnings), 2 on bad usage. */
export async function runLint(
  io: CliIO,
  paths: string[],
  flags: LintFlags,
  stdin: () => Promise<string> = readStdin,
): Promise<number> {
  oneShotJit();
  // The linter is loaded when the command runs, not when the CLI starts, and the WASM parser starts
  // loading while the config is read and the files are found.
  const { loadParser } = await import('../../lint/parser.js');
  const parserReady = loadParser();
  const [{ resolveConfigAsync }, { formatReport }, { Zdm }] = await Promise.all([
    import('../../config/settings.js'),
    import('../../lint/report/index.js'),
    import('../../api/zdm.js'),
  ]);
  const config = await resolveConfigAsync({ config: flags.config }, io.env, io.cwd);
  const format = (flags.format ?? 'text') as Format;
  if (!FORMATS.includes(format))
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not "${flags.format}"`);
  let maxWarnings: number | undefined;
  if (flags.maxWarnings !== undefined) {
    maxWarnings = Number(flags.maxWarnings);
    if (!Number.isInteger(maxWarnings) || maxWarnings < 0)
      throw new UsageError(`--max-warnings must be a whole number >= 0, not "${flags.maxWarnings}"`);
  }
  const targets = paths.length ? paths : [config.migrationsDir];
  if (!paths.length && !existsSync(config.migrationsDir))
    throw new UsageError(
      `nothing to lint: pass files, directories or globs (or - for stdin); ${config.migrationsDir} does not exist`,
    );
  void parserReady; // the linter awaits it after reading the files
  // Catalog mode only when asked on the command line: DATABASE_URL in a CI environment must not
  // silently change what lint reports.
  const zdm = new Zdm({ config: { ...config, databaseUrl: flags.databaseUrl }, cwd: io.cwd, label: 'lint' });
  let run;
  try {
    run = await zdm.lint(
      {
        paths: targets.filter((p) => p !== '-'),
        ...(targets.includes('-') ? { sql: await stdin(), sqlName: flags.stdinFilename ?? 'stdin' } : {}),
      },
      {
        include: ids(flags.include),
        exclude: ids(flags.exclude),
        ...(flags.pgVersion !== undefined ? { pgVersion: flags.pgVersion } : {}),
        ...(flags.assumeInTransaction !== undefined ? { assumeInTransaction: flags.assumeInTransaction } : {}),
        ...(maxWarnings !== undefined ? { maxWarnings } : {}),
        catalog: Boolean(flags.databaseUrl),
      },
    );
  } finally {
    await zdm.close();
  }

  const color = format === 'text' && io.stdoutIsTTY && !io.env.NO_COLOR;
  io.stdout(formatReport(format, run, { color }));
  if (run.kind !== 'blocked') return ExitCode.ok;
  if (run.errors === 0) io.stderr(`zdm lint: ${run.warnings} warnings exceed --max-warnings ${maxWarnings}\n`);
  return ExitCode.blocked;
}

export function registerLint(program: Command, io: CliIO, run: RunAction): void {
  program
    .command('lint')
    .description(
      'lint SQL migrations (plain .sql from any tool, and the sql operations of zdm migrations) for ' +
        'locks, rewrites and breaking changes',
    )
    .argument(
      '[paths...]',
      'files, directories (recursive) or globs; - reads SQL from stdin (default: the migrations directory)',
    )
    .option('--include <ids>', 'comma-separated opt-in rule ids to turn on')
    .option('--exclude <ids>', 'comma-separated rule ids to turn off')
    .option(
      '--pg-version <version>',
      'target Postgres version, e.g. 15 or 14.2 (default: lint.pgVersion, the --database-url server, else 15)',
    )
    .option('--assume-in-transaction', 'the tool that runs these files wraps each in a transaction')
    .option(
      '--database-url <url>',
      'read the live catalog for precise checks (column types, empty tables, indexes, validated checks)',
    )
    .option('--format <format>', `output format: ${FORMATS.join('|')}`, 'text')
    .option('--max-warnings <n>', 'exit 3 when there are more warnings than this')
    .option('--stdin-filename <name>', 'file name to report for stdin')
    .option('--config <file>', 'config file (env ZDM_CONFIG; default ./zdm.config.json)')
    .option('--json', 'the report as JSON (--format json); errors as JSON on stdout')
    .action((paths: string[], flags: LintFlags) => run(() => runLint(io, paths, flags)));
}
