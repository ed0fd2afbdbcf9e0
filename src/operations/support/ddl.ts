import type { IndexInfo, SequenceInfo, TableGrant, TableInfo } from '../../db/catalog.js';
import { generatedName, quoteIdent, quoteLiteral, quoteQualified, type QualifiedName } from '../../db/quote.js';
import type { Impact, LockMode, LockTaken } from '../../plan/types.js';

/**
 * The DDL operations emit and the impact each statement has, in one place. Every builder takes
 * raw names (a table as schema + name, columns and constraints as they are in the catalog) and
 * quotes them itself, so no caller writes an identifier into SQL by hand. SQL pieces (types,
 * expressions, constraint definitions) are passed through as given: they are checked on the parse
 * tree before they get here (sql/expression.ts, fragments.ts).
 */

const alter = (t: QualifiedName) => `ALTER TABLE ${quoteQualified(t)}`;
const ifExists = (options?: { ifExists?: boolean }) => (options?.ifExists ? ' IF EXISTS' : '');

// ---- names zdm generates ----

/** Name of the `CHECK (col IS NOT NULL)` that stands in for NOT NULL until it is proved. */
export function notNullCheckName(table: QualifiedName, column: string): string {
  return generatedName(table.name, column, 'zdm_not_null');
}

/** The temporary name of a copy (index, constraint) that takes the original's name at contract. */
export function tempName(name: string): string {
  return generatedName(name, 'zdm');
}

/** A constraint definition as printed by pg_get_constraintdef, made NOT VALID (once). */
function withNotValid(definition: string): string {
  return /\bNOT VALID$/i.test(definition) ? definition : `${definition} NOT VALID`;
}

// ---- privileges ----

/**
 * GRANTs giving each grantee its privileges on `on` (a quoted relation), grouped per role; with
 * `column`, as privileges on that column (`GRANT SELECT (email) ON ...`).
 */
export function grantStatements(grants: readonly TableGrant[], on: string, column?: string): string[] {
  const byRole = new Map<string, { privileges: string[]; grantable: string[] }>();
  for (const g of grants) {
    const entry = byRole.get(g.grantee) ?? { privileges: [], grantable: [] };
    (g.grantable ? entry.grantable : entry.privileges).push(
      column ? `${g.privilege} (${quoteIdent(column)})` : g.privilege,
    );
    byRole.set(g.grantee, entry);
  }
  const out: string[] = [];
  for (const [role, { privileges, grantable }] of byRole) {
    const grantee = role === 'PUBLIC' ? 'PUBLIC' : quoteIdent(role);
    if (privileges.length) out.push(`GRANT ${privileges.join(', ')} ON ${on} TO ${grantee}`);
    if (grantable.length) out.push(`GRANT ${grantable.join(', ')} ON ${on} TO ${grantee} WITH GRANT OPTION`);
  }
  return out;
}

// ---- columns ----

export interface ColumnOptions {
  collation?: string | null | undefined;
  default?: string | undefined;
  notNull?: boolean | undefined;
}

/** `ADD COLUMN c type [COLLATE x] [DEFAULT d] [NOT NULL]`. */
export function addColumn(t: QualifiedName, column: string, type: string, options: ColumnOptions = {}): string {
  const collate = options.collation ? ` COLLATE ${options.collation}` : '';
  const def = options.default !== undefined ? ` DEFAULT ${options.default}` : '';
  return `${alter(t)} ADD COLUMN ${quoteIdent(column)} ${type}${collate}${def}${options.notNull ? ' NOT NULL' : ''}`;
}

export function dropColumn(t: QualifiedName, column: string, options?: { ifExists?: boolean }): string {
  return `${alter(t)} DROP COLUMN${ifExists(options)} ${quoteIdent(column)}`;
}

export function renameColumn(t: QualifiedName, from: string, to: string): string {
  return `${alter(t)} RENAME COLUMN ${quoteIdent(from)} TO ${quoteIdent(to)}`;
}

/** `ALTER COLUMN c TYPE type` (`type` may end in a COLLATE clause). */
export function setColumnType(t: QualifiedName, column: string, type: string): string {
  return `${alter(t)} ALTER COLUMN ${quoteIdent(column)} TYPE ${type}`;
}

export function setDefault(t: QualifiedName, column: string, expression: string): string {
  return `${alter(t)} ALTER COLUMN ${quoteIdent(column)} SET DEFAULT ${expression}`;
}

export function dropDefault(t: QualifiedName, column: string): string {
  return `${alter(t)} ALTER COLUMN ${quoteIdent(column)} DROP DEFAULT`;
}

export function dropIdentity(t: QualifiedName, column: string): string {
  return `${alter(t)} ALTER COLUMN ${quoteIdent(column)} DROP IDENTITY`;
}

/** A serial column's sequence follows the column that now uses it (dropping a column drops the sequences it owns). */
export function sequenceOwnedBy(sequence: QualifiedName, t: QualifiedName, column: string): string {
  return `ALTER SEQUENCE ${quoteQualified(sequence)} OWNED BY ${quoteQualified(t)}.${quoteIdent(column)}`;
}

export function commentOnTable(t: QualifiedName, literal: string): string {
  return `COMMENT ON TABLE ${quoteQualified(t)} IS ${literal}`;
}

export function commentOnStatistics(statistics: QualifiedName, literal: string): string {
  return `COMMENT ON STATISTICS ${quoteQualified(statistics)} IS ${literal}`;
}

/** ALTER STATISTICS ... SET STATISTICS: the object's own sample target (`target` = ALTER STATISTICS ... SET STATISTICS n). */
export function setStatisticsTarget(statistics: QualifiedName, target: number): string {
  return `ALTER STATISTICS ${quoteQualified(statistics)} SET STATISTICS ${Math.trunc(target)}`;
}

export function commentOnColumn(t: QualifiedName, column: string, literal: string): string {
  return `COMMENT ON COLUMN ${quoteQualified(t)}.${quoteIdent(column)} IS ${literal}`;
}

// ---- NOT NULL ----

/**
 * SET NOT NULL. After a validated `CHECK (c IS NOT NULL)` Postgres 12+ proves it without reading
 * a row. `constraintName`: from Postgres 18 NOT NULL is a named constraint, and
 * `ADD CONSTRAINT name NOT NULL c` gives it that name (also without a scan; a no-op when that
 * constraint already exists).
 */
export function setNotNull(t: QualifiedName, column: string, constraintName?: string): string {
  return constraintName
    ? `${alter(t)} ADD CONSTRAINT ${quoteIdent(constraintName)} NOT NULL ${quoteIdent(column)}`
    : `${alter(t)} ALTER COLUMN ${quoteIdent(column)} SET NOT NULL`;
}

/** `ALTER COLUMN ... SET EXPRESSION AS (...)` (PG 17+): for a virtual generated column (PG 18) a catalog change only. */
export function setGeneratedExpression(t: QualifiedName, column: string, expression: string): string {
  return `${alter(t)} ALTER COLUMN ${quoteIdent(column)} SET EXPRESSION AS (${expression})`;
}

export function dropNotNull(t: QualifiedName, column: string): string {
  return `${alter(t)} ALTER COLUMN ${quoteIdent(column)} DROP NOT NULL`;
}

/** `CHECK (c IS NOT NULL) NOT VALID` under `name` (default: notNullCheckName): brief, no scan. */
export function addNotNullCheck(t: QualifiedName, column: string, name = notNullCheckName(t, column)): string {
  return addCheckNotValid(t, name, `${quoteIdent(column)} IS NOT NULL`);
}

export interface SetNotNullOptions {
  /** Postgres 18+: the NOT NULL constraint's name (see setNotNull). */
  constraintName?: string | undefined;
  /** The proving check's name, when it is not notNullCheckName(t, column). */
  check?: string;
  /** Drop the check with IF EXISTS (statements that may run again). */
  ifExists?: boolean;
}

/** SET NOT NULL, proved by the validated check (no scan), then the check dropped. */
export function setNotNullStatements(t: QualifiedName, column: string, options: SetNotNullOptions = {}): string[] {
  return [
    setNotNull(t, column, options.constraintName),
    dropConstraint(t, options.check ?? notNullCheckName(t, column), { ifExists: options.ifExists ?? false }),
  ];
}

/** The name of a column's NOT NULL constraint on Postgres 18+ (none before). */
export function notNullConstraintName(table: TableInfo, column: string): string | undefined {
  return table.constraints.find((c) => c.type === 'n' && c.columns.length === 1 && c.columns[0] === column)?.name;
}

/**
 * Brings NOT NULL back (rollback of a relaxed NOT NULL) without a scan under ACCESS EXCLUSIVE:
 * statement by statement, outside a transaction, each one safe to run again. Fails at VALIDATE,
 * naming the check, while rows with NULL exist; the check then stays and keeps new NULLs out.
 */
export function restoreNotNullStatements(table: TableInfo, column: string): string[] {
  const check = notNullCheckName(table, column);
  return [
    dropConstraint(table, check, { ifExists: true }),
    addNotNullCheck(table, column),
    validateConstraint(table, check),
    ...setNotNullStatements(table, column, {
      constraintName: notNullConstraintName(table, column),
      ifExists: true,
    }),
  ];
}

// ---- constraints ----

/** `ADD CONSTRAINT name <definition>` (a definition as pg_get_constraintdef prints it, or built here). */
export function addConstraint(t: QualifiedName, name: string, definition: string): string {
  return `${alter(t)} ADD CONSTRAINT ${quoteIdent(name)} ${definition}`;
}

/** A copy of a constraint definition, NOT VALID: brief, no scan; VALIDATE proves it later. */
export function addConstraintNotValid(t: QualifiedName, name: string, definition: string): string {
  return addConstraint(t, name, withNotValid(definition));
}

/** `ADD CONSTRAINT name CHECK (expression) NOT VALID`. */
export function addCheckNotValid(t: QualifiedName, name: string, expression: string): string {
  return addConstraint(t, name, `CHECK (${expression}) NOT VALID`);
}

/** `ADD CONSTRAINT name PRIMARY KEY|UNIQUE USING INDEX index`: brief, no build (the index is renamed to `name`). */
export function constraintUsingIndex(
  t: QualifiedName,
  name: string,
  kind: 'PRIMARY KEY' | 'UNIQUE',
  index: string,
): string {
  return addConstraint(t, name, `${kind} USING INDEX ${quoteIdent(index)}`);
}

export function dropConstraint(t: QualifiedName, name: string, options?: { ifExists?: boolean }): string {
  return `${alter(t)} DROP CONSTRAINT${ifExists(options)} ${quoteIdent(name)}`;
}

export function validateConstraint(t: QualifiedName, name: string): string {
  return `${alter(t)} VALIDATE CONSTRAINT ${quoteIdent(name)}`;
}

export function renameConstraint(t: QualifiedName, from: string, to: string): string {
  return `${alter(t)} RENAME CONSTRAINT ${quoteIdent(from)} TO ${quoteIdent(to)}`;
}

/** REPLICA IDENTITY DEFAULT | FULL | NOTHING | USING INDEX: what logical decoding records of a changed row's old version. */
export function replicaIdentity(
  t: QualifiedName,
  identity: 'default' | 'full' | 'nothing' | { index: string },
): string {
  const what = typeof identity === 'string' ? identity.toUpperCase() : `USING INDEX ${quoteIdent(identity.index)}`;
  return `${alter(t)} REPLICA IDENTITY ${what}`;
}

// ---- indexes ----

export function renameIndex(schema: string, from: string, to: string, options?: { ifExists?: boolean }): string {
  return `ALTER INDEX${ifExists(options)} ${quoteIdent(schema)}.${quoteIdent(from)} RENAME TO ${quoteIdent(to)}`;
}

/** Outside a transaction; SHARE UPDATE EXCLUSIVE only, like the build. */
export function dropIndexConcurrently(index: QualifiedName): string {
  return `DROP INDEX CONCURRENTLY IF EXISTS ${quoteQualified(index)}`;
}

/**
 * contract: a copy of `ix` built under the name `temp` takes the original's place: primary keys
 * and unique constraints through ADD CONSTRAINT ... USING INDEX (a brief lock, no build), plain
 * indexes by rename. USING INDEX renames the index to the constraint's name; the original index
 * name is restored when it differed.
 */
export function adoptIndexStatements(t: QualifiedName, ix: IndexInfo, temp: string): string[] {
  const out: string[] = [];
  if (ix.primary) out.push(constraintUsingIndex(t, ix.constraint ?? ix.name, 'PRIMARY KEY', temp));
  else if (ix.constraint) out.push(constraintUsingIndex(t, ix.constraint, 'UNIQUE', temp));
  else out.push(renameIndex(ix.schema, temp, ix.name));
  if (ix.constraint && ix.constraint !== ix.name) out.push(renameIndex(ix.schema, ix.constraint, ix.name));
  return out;
}

/**
 * CREATE OR REPLACE VIEW over `query`, keeping the view's output column names (an explicit column
 * list) and its options (security_barrier, security_invoker, check_option: Postgres replaces the
 * options list with the one given, so it is always given). Owner, grants, comment and the views
 * built on it stay: the view is the same object.
 */
export function replaceView(view: QualifiedName, columns: string[], options: string[], query: string): string {
  return `CREATE OR REPLACE VIEW${viewTail(view, columns, options, query)}`;
}

/** CREATE VIEW with its output column names and options (reloptions: `check_option=cascaded`). */
export function createView(view: QualifiedName, columns: string[], options: string[], query: string): string {
  return `CREATE VIEW${viewTail(view, columns, options, query)}`;
}

/** CREATE MATERIALIZED VIEW with its output column names and storage parameters (`fillfactor=70`). */
export function createMaterializedView(
  view: QualifiedName,
  columns: string[],
  options: string[],
  query: string,
  withData: boolean,
): string {
  return `CREATE MATERIALIZED VIEW${viewTail(view, columns, options, query)} WITH ${withData ? '' : 'NO '}DATA`;
}

function viewTail(view: QualifiedName, columns: string[], options: string[], query: string): string {
  const opts = options.map((o) => {
    const at = o.indexOf('=');
    return `${quoteIdent(o.slice(0, at))} = ${quoteLiteral(o.slice(at + 1))}`;
  });
  const withOptions = opts.length > 0 ? ` WITH (${opts.join(', ')})` : '';
  return ` ${quoteQualified(view)} (${columns.map(quoteIdent).join(', ')})${withOptions} AS ${query}`;
}

/** ALTER POLICY with new expressions: name, roles, command and PERMISSIVE/RESTRICTIVE stay. */
export function alterPolicy(
  policy: { table: QualifiedName; name: string },
  using: string | null,
  withCheck: string | null,
): string {
  const clauses = [using === null ? '' : ` USING (${using})`, withCheck === null ? '' : ` WITH CHECK (${withCheck})`];
  return `ALTER POLICY ${quoteIdent(policy.name)} ON ${quoteQualified(policy.table)}${clauses.join('')}`;
}

export function dropTrigger(t: QualifiedName, name: string, options?: { ifExists?: boolean }): string {
  return `DROP TRIGGER${ifExists(options)} ${quoteIdent(name)} ON ${quoteQualified(t)}`;
}

/** The trigger's pg_trigger.tgenabled state set again after CREATE TRIGGER (which enables it): none for O. */
export function triggerEnabledStatements(t: QualifiedName, name: string, enabled: 'O' | 'D' | 'R' | 'A'): string[] {
  const how = { O: null, D: 'DISABLE', R: 'ENABLE REPLICA', A: 'ENABLE ALWAYS' }[enabled];
  return how ? [`${alter(t)} ${how} TRIGGER ${quoteIdent(name)}`] : [];
}

export function commentOnTrigger(t: QualifiedName, name: string, literal: string): string {
  return `COMMENT ON TRIGGER ${quoteIdent(name)} ON ${quoteQualified(t)} IS ${literal}`;
}

/**
 * A table's entry in a publication replaced (column list, row filter): DROP then ADD in one
 * transaction, so a logical decoder, which reads the publication as of each transaction, sees the
 * old entry or the new one. SET TABLE would replace the publication's whole table list.
 */
export function republishTable(
  publication: string,
  t: QualifiedName,
  columns: string[] | null,
  rowFilter: string | null,
): string[] {
  const pub = `ALTER PUBLICATION ${quoteIdent(publication)}`;
  const list = columns ? ` (${columns.map(quoteIdent).join(', ')})` : '';
  const where = rowFilter === null ? '' : ` WHERE (${rowFilter})`;
  return [`${pub} DROP TABLE ONLY ${quoteQualified(t)}`, `${pub} ADD TABLE ONLY ${quoteQualified(t)}${list}${where}`];
}

// ---- tables, views, indexes, identity ----

/** `CREATE TABLE t (...)`: column and constraint definitions, each checked on the parse tree. */
export function createTable(t: QualifiedName, definitions: string[]): string {
  return `CREATE TABLE ${quoteQualified(t)} (${definitions.join(', ')})`;
}

export function dropTable(t: QualifiedName, options?: { ifExists?: boolean }): string {
  return `DROP TABLE${ifExists(options)} ${quoteQualified(t)}`;
}

/** RENAME TO, within the table's schema. */
export function renameTable(t: QualifiedName, to: string, options?: { ifExists?: boolean }): string {
  return `ALTER TABLE${ifExists(options)} ${quoteQualified(t)} RENAME TO ${quoteIdent(to)}`;
}

/** A view of every column of `table` (`SELECT *` is expanded when the view is created). */
export function createViewOf(view: QualifiedName, table: QualifiedName): string {
  return `CREATE VIEW ${quoteQualified(view)} AS SELECT * FROM ${quoteQualified(table)}`;
}

export function dropView(view: QualifiedName, options?: { ifExists?: boolean }): string {
  return `DROP VIEW${ifExists(options)} ${quoteQualified(view)}`;
}

/** In a transaction (a partitioned index, or an index nothing reads yet); see dropIndexConcurrently. */
export function dropIndex(index: QualifiedName, options?: { ifExists?: boolean }): string {
  return `DROP INDEX${ifExists(options)} ${quoteQualified(index)}`;
}

/** `ADD GENERATED ALWAYS|BY DEFAULT AS IDENTITY` over a new sequence named `sequence` with `options`. */
export function addIdentity(
  t: QualifiedName,
  column: string,
  kind: string,
  sequence: QualifiedName,
  options: SequenceInfo,
): string {
  const o = options;
  const bounds = `START WITH ${o.start} INCREMENT BY ${o.increment} MINVALUE ${o.min} MAXVALUE ${o.max}`;
  return (
    `${alter(t)} ALTER COLUMN ${quoteIdent(column)} ADD GENERATED ${kind} AS IDENTITY ` +
    `(SEQUENCE NAME ${quoteQualified(sequence)} ${bounds} CACHE ${o.cache}${o.cycle ? ' CYCLE' : ' NO CYCLE'})`
  );
}

// ---- impacts ----

/** Impact of a brief lock (ACCESS EXCLUSIVE unless given: metadata-only DDL) on one table. */
export function briefLock(table: QualifiedName, mode: LockMode = 'ACCESS EXCLUSIVE'): Impact {
  return briefLocks([{ relation: table, mode }]);
}

/** Impact of brief locks on several tables (one transaction of metadata-only DDL). */
export function briefLocks(locks: LockTaken[]): Impact {
  return { locks, lockDuration: 'brief', rewritesTable: false, scansTable: false };
}

/**
 * `mode` on the table and, for a partitioned table, on every partition below it: what a statement
 * on the whole tree takes (ALTER TABLE without ONLY recurses; a SELECT on the parent opens every
 * partition its WHERE cannot prune at plan time).
 */
export function treeLocks(table: TableInfo, mode: LockMode): LockTaken[] {
  return [table, ...(table.partitioning?.partitions ?? [])].map((r) => ({
    relation: { schema: r.schema, name: r.name },
    mode,
  }));
}

/** A brief metadata-only change of the table (and, for a partitioned table, of every partition: ALTER TABLE recurses). */
export function treeBriefLock(table: TableInfo, mode: LockMode = 'ACCESS EXCLUSIVE'): Impact {
  return briefLocks(treeLocks(table, mode));
}

/**
 * ALTER TABLE rewriting every row (and rebuilding the indexes) under ACCESS EXCLUSIVE on the table
 * and, for a partitioned table, on every partition: reads and writes wait for the whole rewrite.
 */
export function rewriteImpact(table: TableInfo): Impact {
  return {
    locks: treeLocks(table, 'ACCESS EXCLUSIVE'),
    lockDuration: 'rewrite',
    rewritesTable: true,
    scansTable: true,
    estimatedRows: table.estimatedRows,
  };
}

/** A step that reads the whole table while holding `locks` (none of them blocks DML unless stated). */
function scanImpact(table: TableInfo, locks: LockTaken[]): Impact {
  return { locks, lockDuration: 'scan', rewritesTable: false, scansTable: true, estimatedRows: table.estimatedRows };
}

/** A read-only scan (a verify): ACCESS SHARE (on every partition too), which blocks nothing but ACCESS EXCLUSIVE. */
export function readScanImpact(table: TableInfo): Impact {
  return scanImpact(table, treeLocks(table, 'ACCESS SHARE'));
}

/** CREATE INDEX CONCURRENTLY: SHARE UPDATE EXCLUSIVE, which no application DML waits for. */
export function indexBuildImpact(table: TableInfo): Impact {
  return scanImpact(table, [{ relation: { schema: table.schema, name: table.name }, mode: 'SHARE UPDATE EXCLUSIVE' }]);
}

/**
 * VALIDATE CONSTRAINT: SHARE UPDATE EXCLUSIVE on the table (on every partition too: it recurses)
 * and ROW SHARE on a foreign key's referenced table during the scan, so reads and writes continue.
 */
export function validateImpact(table: TableInfo, referenced?: QualifiedName): Impact {
  return scanImpact(table, [
    ...treeLocks(table, 'SHARE UPDATE EXCLUSIVE'),
    ...(referenced ? [{ relation: referenced, mode: 'ROW SHARE' as const }] : []),
  ]);
}
