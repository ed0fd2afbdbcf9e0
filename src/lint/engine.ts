/**
 * The linter's core: parse once, walk the statements through the session simulator, run every
 * enabled rule on each, then apply suppression comments. Pure: no I/O besides the catalog the
 * caller passes in.
 */
import { UsageError } from '../errors.js';
import type { LintCatalog, Volatility } from './catalog.js';
import { DEFAULT_PG_VERSION, keyOf, parsePgVersion, type PgVersion, type QualifiedName } from './names.js';
import { loadParser, parseSql, type ParsedStatement, type SyntaxProblem } from './parser.js';
import { RULES, type RuleId } from './rules/index.js';
import { docsAnchor, type LintRule, type RuleContext, type RuleReport, type Severity } from './rule.js';
import { Session } from './session.js';
import type { SourceText } from './source.js';
import { readDirectives, type IgnoreDirective } from './suppress.js';
import { builtinVolatility } from './volatility.js';
import { rangeVarParts } from './ast.js';

export interface LintOptions {
  /** File name used in findings (default `<sql>`). */
  file?: string;
  /** Target Postgres version: 15, "15", "14.2" (default: the catalog's server, else 15). */
  pgVersion?: string | number;
  /** The tool that runs the file wraps it in one transaction. */
  assumeInTransaction?: boolean;
  /** Opt-in rule ids to turn on. */
  include?: string[];
  /** Rule ids to turn off. */
  exclude?: string[];
  /** Per-rule severity; 'off' disables, 'error'/'warning' also turn an opt-in rule on. */
  severities?: Record<string, 'error' | 'warning' | 'off'>;
  /** Live (or introspected) catalog for precise checks. */
  catalog?: LintCatalog;
}

export interface Finding {
  rule: string;
  severity: Severity;
  file: string;
  /** 1-based; columns count code points. */
  line: number;
  column: number;
  /** End of the statement; endColumn is exclusive (one past the last character). */
  endLine: number;
  endColumn: number;
  message: string;
  help?: string;
  /** The rule's documentation: `src/lint/rules/README.md#<rule-id>`. */
  docs: string;
  /** The statement's text, when the finding is about one. */
  statement?: string;
}

/** Findings that are not rules: they cannot be turned off by include/exclude. */
export const META_RULES = {
  'syntax-error': 'The file does not parse with the Postgres grammar of the target major.',
  'unused-ignore': 'A zdm-ignore comment names an unknown rule, or a rule that reported nothing there.',
  'ignore-missing-reason': 'A zdm-ignore comment gives no reason after `--`.',
} as const;

const RULE_BY_ID = new Map<string, LintRule>(RULES.map((r) => [r.id, r]));

export interface ResolvedRules {
  enabled: { rule: LintRule; severity: Severity }[];
  ids: Set<string>;
  /** Enabled rules with a check, by statement kind (rules without `kinds` are in every list). */
  byKind(kind: string): { rule: LintRule; severity: Severity }[];
}

/** Which rules run, with which severity. Unknown rule ids are a usage error. */
export function resolveRules(options: Pick<LintOptions, 'include' | 'exclude' | 'severities'>): ResolvedRules {
  const check = (ids: string[] | undefined, where: string) => {
    for (const id of ids ?? []) {
      if (!RULE_BY_ID.has(id))
        throw new UsageError(`${where}: unknown lint rule "${id}" (see src/lint/rules/README.md for the list)`);
    }
  };
  check(options.include, 'include');
  check(options.exclude, 'exclude');
  check(Object.keys(options.severities ?? {}), 'rules');
  const include = new Set(options.include ?? []);
  const exclude = new Set(options.exclude ?? []);
  const enabled: ResolvedRules['enabled'] = [];
  for (const rule of RULES) {
    const sev = options.severities?.[rule.id];
    if (exclude.has(rule.id) || sev === 'off') continue;
    if (!rule.defaultOn && !include.has(rule.id) && !sev) continue;
    enabled.push({ rule, severity: sev ?? rule.severity });
  }
  const cache = new Map<string, { rule: LintRule; severity: Severity }[]>();
  const byKind = (kind: string) => {
    let list = cache.get(kind);
    if (!list) {
      list = enabled.filter((e) => e.rule.check && (!e.rule.kinds || e.rule.kinds.includes(kind)));
      cache.set(kind, list);
    }
    return list;
  };
  return { enabled, ids: new Set(enabled.map((e) => e.rule.id)), byKind };
}

export function resolveVersion(pgVersion: string | number | undefined, catalog: LintCatalog | undefined): PgVersion {
  if (pgVersion !== undefined && pgVersion !== '') {
    const v = parsePgVersion(pgVersion);
    if (!v)
      throw new UsageError(
        `pg version "${String(pgVersion)}" is not a version: use a major or major.minor, e.g. 15 or 14.2`,
      );
    return v;
  }
  return (catalog?.serverVersionNum && parsePgVersion(catalog.serverVersionNum)) || DEFAULT_PG_VERSION;
}

interface RawFinding {
  rule: string;
  severity: Severity;
  startIndex: number;
  endIndex: number;
  message: string;
  help: string | undefined;
  statement: ParsedStatement | undefined;
}

/** Lints one SQL text. Never throws on bad SQL (a `syntax-error` finding is returned). */
export async function lintSql(sql: string, options: LintOptions = {}): Promise<Finding[]> {
  await loadParser();
  return lintSqlSync(sql, options);
}

/** lintSql after loadParser() has resolved (the CLI lints thousands of files this way). */
export function lintSqlSync(
  sql: string,
  options: LintOptions = {},
  resolved: ResolvedRules = resolveRules(options),
): Finding[] {
  const file = options.file ?? '<sql>';
  const parsed = parseSql(sql);
  const { source } = parsed;
  if (parsed.syntaxError) return [syntaxErrorFinding(parsed.syntaxError, file, source)];
  const version = resolveVersion(options.pgVersion, options.catalog);
  const catalog = options.catalog;
  // The built-in table is read on the first call (most files never ask).
  const volatility = (name: string): Volatility | undefined =>
    catalog?.volatility?.(name) ?? builtinVolatility(version.major)(name);
  const session = new Session(Boolean(options.assumeInTransaction), catalog);
  const known = catalog
    ? (q: QualifiedName) => catalog.table(q) !== undefined || catalog.indexTable(q) !== undefined
    : undefined;
  const raw: RawFinding[] = [];
  const statements = parsed.statements;
  const onceKeys = new Set<string>();

  // One context per file; `stmt` moves from statement to statement (rules never keep it).
  let current: { id: string; severity: Severity } = { id: '', severity: 'error' };
  const ctx: { -readonly [K in keyof RuleContext]: RuleContext[K] } = {
    stmt: statements[0]!,
    statements,
    session,
    version,
    catalog,
    resolve: (parts) => session.resolve(parts, known),
    resolveRange: (rv) => session.resolve(rangeVarParts(rv), known),
    isNew: (q) => session.isNewTable(q),
    isNewOrEmpty: (q) => session.isNewTable(q) || (q !== undefined && catalog?.table(q)?.empty === true),
    table: (q) => (q && !session.isNewTable(q) ? catalog?.table(q) : undefined),
    volatility,
    report: (r: RuleReport) => raw.push(toRaw(current.id, current.severity, r, ctx.stmt, source)),
    once: (key) => {
      const k = `${current.id}\u0000${key}`;
      if (onceKeys.has(k)) return false;
      onceKeys.add(k);
      return true;
    },
  };
  for (const stmt of statements) {
    ctx.stmt = stmt;
    for (const entry of resolved.byKind(stmt.kind)) {
      current = { id: entry.rule.id, severity: entry.severity };
      entry.rule.check!(ctx);
    }
    session.apply(stmt, known);
  }
  runFinishHooks(resolved, { statements, session, version }, source, raw);

  const directives = readDirectives(parsed.comments, statements);
  const kept = raw.filter((f) => !suppressed(f, directives));
  const meta = directiveFindings(directives, resolved.ids);
  const findings = [...kept, ...meta].map((f) => toFinding(f, file, source));
  findings.sort((a, b) => a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule));
  return findings;
}

function syntaxErrorFinding(problem: SyntaxProblem, file: string, source: SourceText): Finding {
  const pos = source.positionOfIndex(problem.index);
  return {
    rule: 'syntax-error',
    severity: 'error',
    file,
    line: pos.line,
    column: pos.column,
    endLine: pos.line,
    endColumn: pos.column + 1,
    message: `does not parse: ${problem.message}`,
    help: 'fix the SQL; zdm lints with the real Postgres grammar (libpg-query), so Postgres would reject it too',
    docs: docsAnchor('syntax-error'),
  };
}

/** The rules' end-of-file checks; a finding without a statement points at the end of the file. */
function runFinishHooks(
  resolved: ResolvedRules,
  file: { statements: ParsedStatement[]; session: Session; version: PgVersion },
  source: SourceText,
  raw: RawFinding[],
): void {
  for (const { rule, severity } of resolved.enabled) {
    if (!rule.finish) continue;
    rule.finish({
      ...file,
      report: (r) => {
        const at = r.statement;
        if (at) raw.push(toRaw(rule.id, severity, r, at, source));
        else {
          const end = source.text.trimEnd().length;
          raw.push({
            rule: rule.id,
            severity,
            startIndex: end,
            endIndex: end,
            message: r.message,
            help: r.help ?? rule.help,
            statement: undefined,
          });
        }
      },
    });
  }
}

function toRaw(id: string, severity: Severity, r: RuleReport, stmt: ParsedStatement, source: SourceText): RawFinding {
  const startIndex =
    r.at !== undefined && r.at >= stmt.startByte && r.at < stmt.endByte ? source.indexOfByte(r.at) : stmt.start;
  return {
    rule: id,
    severity,
    startIndex,
    endIndex: stmt.end,
    message: r.message,
    help: r.help ?? RULE_BY_ID.get(id)?.help,
    statement: stmt,
  };
}

function suppressed(f: RawFinding, directives: IgnoreDirective[]): boolean {
  let hit = false;
  for (const d of directives) {
    if (!d.rules.includes(f.rule)) continue;
    if (d.scope === 'file' || (f.statement && d.statement === f.statement)) {
      d.used.add(f.rule);
      hit = true;
    }
  }
  return hit;
}

function directiveFindings(directives: IgnoreDirective[], enabled: Set<string>): RawFinding[] {
  const out: RawFinding[] = [];
  for (const d of directives) {
    const at = { startIndex: d.comment.start, endIndex: d.comment.end, statement: undefined, help: undefined };
    const label = d.scope === 'file' ? 'zdm-ignore-file' : 'zdm-ignore';
    if (!d.rules.length)
      out.push({
        ...at,
        rule: 'unused-ignore',
        severity: 'warning',
        message: `${label} names no rule: list the rule ids it suppresses`,
      });
    for (const id of d.rules) {
      if (!RULE_BY_ID.has(id))
        out.push({ ...at, rule: 'unused-ignore', severity: 'warning', message: `${label} names unknown rule "${id}"` });
      else if (enabled.has(id) && !d.used.has(id)) {
        const where =
          d.scope === 'file'
            ? 'anywhere in this file'
            : d.statement
              ? 'on the next statement'
              : 'here: no statement follows it';
        out.push({
          ...at,
          rule: 'unused-ignore',
          severity: 'warning',
          message: `${label}: ${id} reports nothing ${where}; remove it`,
        });
      }
    }
    if (!d.reason) {
      out.push({
        ...at,
        rule: 'ignore-missing-reason',
        severity: 'warning',
        message:
          `${label} gives no reason: write \`-- ${label}: ${d.rules.join(', ') || 'rule-id'} ` +
          `-- why this is safe\``,
      });
    }
  }
  return out;
}

function toFinding(f: RawFinding, file: string, source: SourceText): Finding {
  const start = source.positionOfIndex(f.startIndex);
  const end = source.positionOfIndex(Math.max(f.endIndex, f.startIndex));
  const finding: Finding = {
    rule: f.rule,
    severity: f.severity,
    file,
    line: start.line,
    column: start.column,
    endLine: end.line,
    endColumn: end.column,
    message: f.message,
    docs: docsAnchor(f.rule),
  };
  if (f.help) finding.help = f.help;
  if (f.statement) finding.statement = f.statement.text;
  return finding;
}

export type { RuleId };
export { keyOf };
