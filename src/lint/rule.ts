/** The shape of a lint rule and what it sees. Rules are pure: they read the context and report. */
import type { RangeVar } from 'libpg-query';
import type { CatalogTable, LintCatalog, Volatility } from './catalog.js';
import { keyOf, type PgVersion, type QualifiedName } from './names.js';
import type { ParsedStatement } from './parser.js';
import type { Session } from './session.js';

export type Severity = 'error' | 'warning';

/** Where this rule's documentation lives: one heading per rule id. */
export const DOCS_PATH = 'src/lint/rules/README.md';

export function docsAnchor(id: string): string {
  return `${DOCS_PATH}#${id}`;
}

export interface RuleReport {
  message: string;
  /** The safe alternative (and the zdm operation that does it), when it differs from the rule's. */
  help?: string;
  /** Byte offset inside the file where the problem starts (default: the statement's start). */
  at?: number;
}

export interface RuleContext {
  readonly stmt: ParsedStatement;
  /** All statements of the file (for look-ahead: "is the new enum value used later?"). */
  readonly statements: readonly ParsedStatement[];
  /** The session before this statement. */
  readonly session: Session;
  readonly version: PgVersion;
  readonly catalog: LintCatalog | undefined;
  /** Resolves a name through search_path (objects created in the file, then the catalog). */
  resolve(parts: { schema: string | undefined; name: string } | undefined): QualifiedName | undefined;
  resolveRange(rv: RangeVar | undefined): QualifiedName | undefined;
  /** Created earlier in this file (CREATE TABLE without IF NOT EXISTS, CTAS, matview). */
  isNew(q: QualifiedName | undefined): boolean;
  /** New, or empty according to the live catalog: scans and rewrites cost nothing. */
  isNewOrEmpty(q: QualifiedName | undefined): boolean;
  /** The live catalog's view of a table, when there is a catalog. */
  table(q: QualifiedName | undefined): CatalogTable | undefined;
  /** Function volatility: live catalog first, then the built-in table for the target major. */
  volatility(name: string): Volatility | undefined;
  report(report: RuleReport): void;
  /** True the first time a rule asks for `key` in this file (report-once rules). */
  once(key: string): boolean;
}

export interface FinishContext {
  readonly statements: readonly ParsedStatement[];
  readonly session: Session;
  readonly version: PgVersion;
  /** Reports at a statement (default: the end of the file). */
  report(report: RuleReport & { statement?: ParsedStatement }): void;
}

export interface LintRule<Id extends string = string> {
  readonly id: Id;
  /** Default severity (config `lint.rules` overrides it). */
  readonly severity: Severity;
  /** In the default profile (`on`), or opt-in with --include (`opt`). */
  readonly defaultOn: boolean;
  /** Statement kinds (`AlterTableStmt`, ...) the check looks at; absent: every statement. */
  readonly kinds?: readonly string[];
  /** One line: what the rule catches. */
  readonly summary: string;
  /** Default help: the safe alternative and the zdm operation that does it. */
  readonly help: string;
  /** Runs for every statement, before the statement's effects are applied to the session. */
  check?(ctx: RuleContext): void;
  /** Runs once at the end of the file. */
  finish?(ctx: FinishContext): void;
}

export function defineRule<const Id extends string>(rule: LintRule<Id>): LintRule<Id> {
  return rule;
}

export { keyOf };
