import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { loadLinter } from '../../api/lint.js';
import { Zdm } from '../../api/zdm.js';
import { resolveConfigAsync } from '../../config/settings.js';
import { UsageError } from '../../errors.js';
import { FORMATS, type Format } from '../../lint/report/formats.js';
import { formatReport } from '../../lint/report/index.js';
import type { LintFlags } from '../commands/lint-args.js';
import type { CliIO } from '../context.js';
import { ExitCode } from '../exit-codes.js';

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
  // V8 rejects the code cache of Node's own modules loaded after a V8 flag is set (a flag changes
  // the hash the cache is checked against): node:crypto, node:os and node:worker_threads cost ~35 M
  // more instructions compiled from source (callgrind). So the linter's modules, which load them,
  // are loaded first (node:crypto only for SARIF, node:worker_threads only with ZDM_LINT_THREADS),
  // then the flag is set; the parser sets its own when the lint starts.
  await loadLinter();
  const config = await resolveConfigAsync({ config: flags.config }, io.env, io.cwd);
  const format = (flags.format ?? 'text') as Format;
  if (!FORMATS.includes(format))
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not "${flags.format}"`);
  // SARIF fingerprints hash with node:crypto, which the other formats do not load.
  if (format === 'sarif') process.getBuiltinModule('node:crypto');
  oneShotJit();
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
