import { FORMATS } from '../../lint/report/formats.js';

export interface LintFlags {
  include?: string;
  exclude?: string;
  pgVersion?: string;
  assumeInTransaction?: boolean;
  databaseUrl?: string;
  format?: string;
  maxWarnings?: string;
  stdinFilename?: string;
  config?: string;
  json?: boolean;
}

interface LintOption {
  /** commander's flags syntax: `--name` (a switch) or `--name <value>`. */
  flags: string;
  description: string;
  defaultValue?: string;
}

/** The options of `zdm lint`, declared to commander by registerLint and read by parseLintArgs. */
export const LINT_OPTIONS: readonly LintOption[] = [
  { flags: '--include <ids>', description: 'comma-separated opt-in rule ids to turn on' },
  { flags: '--exclude <ids>', description: 'comma-separated rule ids to turn off' },
  {
    flags: '--pg-version <version>',
    description:
      'target Postgres version, e.g. 15 or 14.2 (default: lint.pgVersion, the --database-url server, else 15)',
  },
  { flags: '--assume-in-transaction', description: 'the tool that runs these files wraps each in a transaction' },
  {
    flags: '--database-url <url>',
    description: 'read the live catalog for precise checks (column types, empty tables, indexes, validated checks)',
  },
  { flags: '--format <format>', description: `output format: ${FORMATS.join('|')}`, defaultValue: 'text' },
  { flags: '--max-warnings <n>', description: 'exit 3 when there are more warnings than this' },
  { flags: '--stdin-filename <name>', description: 'file name to report for stdin' },
  { flags: '--config <file>', description: 'config file (env ZDM_CONFIG; default ./zdm.config.json)' },
  { flags: '--json', description: 'the report as JSON (--format json); errors as JSON on stdout' },
];

/** `--pg-version <version>` -> ['--pg-version', 'pgVersion', true]: the flag, commander's key, takes a value. */
const BY_FLAG = new Map(
  LINT_OPTIONS.map((o) => {
    const [flag, value] = o.flags.split(' ') as [string, string | undefined];
    const key = flag.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()) as keyof LintFlags;
    return [flag, { key, takesValue: value !== undefined }];
  }),
);

/**
 * The arguments after `zdm lint`, read without commander (whose 100 KB of code cost a tenth of a
 * one-file lint's start-up; BENCHMARKS.md "Lint start-up"): paths and this command's own options,
 * as `--name value` or `--name=value`. Anything else returns undefined and goes to commander, which
 * parses it the way it always has and reports its errors: `--`, help and version, short options,
 * unknown options (the global options lint does not declare among them), a missing value, or a
 * value after a space that starts with `-` (commander lets the program's own options take such an
 * argument first). The result is what commander passes to the action; test/cli/lint-args.test.ts
 * compares the two on many command lines.
 */
export function parseLintArgs(args: readonly string[]): { paths: string[]; flags: LintFlags } | undefined {
  const paths: string[] = [];
  const flags: Record<string, string | boolean> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.length < 2 || arg[0] !== '-') {
      paths.push(arg);
      continue;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=', 3) : -1;
    const option = BY_FLAG.get(eq === -1 ? arg : arg.slice(0, eq));
    if (!option) return undefined;
    if (!option.takesValue) {
      if (eq !== -1) return undefined;
      flags[option.key] = true;
      continue;
    }
    const value = eq === -1 ? args[++i] : arg.slice(eq + 1);
    if (value === undefined || (eq === -1 && value.length > 1 && value[0] === '-')) return undefined;
    flags[option.key] = value;
  }
  // --json asks for the JSON format unless --format was given (globals.ts inheritGlobals).
  flags.format ??= flags.json === true ? 'json' : 'text';
  return { paths, flags };
}
