import type { IndexInfo, TableInfo } from '../../db/catalog.js';
import { displayName, generatedName, quoteIdent, quoteQualified, type QualifiedName } from '../../db/quote.js';
import type { StepBuilder, PlanContext } from '../types.js';

/**
 * Steps several column operations share: making a new column NOT NULL without a scan under
 * ACCESS EXCLUSIVE, and validating constraints added NOT VALID.
 */

/** Name of the `CHECK (col IS NOT NULL)` that stands in for NOT NULL until contract. */
export function notNullCheckName(table: QualifiedName, column: string): string {
  return generatedName(table.name, column, 'zdm_not_null');
}

/** switch: `CHECK (col IS NOT NULL) NOT VALID` for each column, in one brief transaction, then one VALIDATE each. */
export function addNotNullChecks(ctx: PlanContext, steps: StepBuilder, table: TableInfo, columns: string[]): void {
  if (columns.length === 0) return;
  const t: QualifiedName = { schema: table.schema, name: table.name };
  const tbl = quoteQualified(t);
  const names = columns.map((c) => notNullCheckName(t, c));
  steps.sql('switch', {
    description: `add NOT VALID CHECK (... IS NOT NULL) on ${displayName(t)} for ${columns.map(quoteIdent).join(', ')} (checked for new writes at once, for existing rows by VALIDATE next)`,
    statements: columns.map(
      (c, i) =>
        `ALTER TABLE ${tbl} ADD CONSTRAINT ${quoteIdent(names[i]!)} CHECK (${quoteIdent(c)} IS NOT NULL) NOT VALID`,
    ),
    transactional: true,
    impact: ctx.briefLock(t),
    undo: {
      statements: names.map((n) => `ALTER TABLE ${tbl} DROP CONSTRAINT IF EXISTS ${quoteIdent(n)}`),
      transactional: true,
    },
  });
  for (const name of names) validateConstraint(steps, table, name);
}

/** A VALIDATE CONSTRAINT step (SHARE UPDATE EXCLUSIVE: reads and writes continue during the scan). */
export function validateConstraint(
  steps: StepBuilder,
  table: TableInfo,
  name: string,
  referenced?: QualifiedName,
): void {
  const t: QualifiedName = { schema: table.schema, name: table.name };
  steps.sql('switch', {
    description: `validate constraint ${quoteIdent(name)} on ${displayName(t)}`,
    statements: [`ALTER TABLE ${quoteQualified(t)} VALIDATE CONSTRAINT ${quoteIdent(name)}`],
    transactional: true,
    impact: {
      locks: [
        { relation: t, mode: 'SHARE UPDATE EXCLUSIVE' },
        ...(referenced ? [{ relation: referenced, mode: 'ROW SHARE' as const }] : []),
      ],
      lockDuration: 'scan',
      rewritesTable: false,
      scansTable: true,
      estimatedRows: table.estimatedRows,
    },
  });
}

/**
 * contract: SET NOT NULL, which skips its scan because the validated CHECK proves it (PG 12+), then
 * drop the CHECK. From PG 18 NOT NULL is a named constraint: `constraintName` gives it a name.
 */
export function setNotNullStatements(table: QualifiedName, column: string, constraintName?: string): string[] {
  const tbl = quoteQualified(table);
  return [
    constraintName
      ? `ALTER TABLE ${tbl} ADD CONSTRAINT ${quoteIdent(constraintName)} NOT NULL ${quoteIdent(column)}`
      : `ALTER TABLE ${tbl} ALTER COLUMN ${quoteIdent(column)} SET NOT NULL`,
    `ALTER TABLE ${tbl} DROP CONSTRAINT ${quoteIdent(notNullCheckName(table, column))}`,
  ];
}

/** The verify step before switch: no row where a new column differs from what its expression gives. */
export function verifyInSync(
  steps: StepBuilder,
  table: TableInfo,
  pairs: { column: string; expression: string }[],
  sample: string[],
  message: string,
): void {
  const t: QualifiedName = { schema: table.schema, name: table.name };
  steps.verify('switch', {
    description: `verify no row of ${displayName(t)} has ${pairs.map((p) => quoteIdent(p.column)).join(', ')} out of step`,
    table: t,
    violation: pairs.map((p) => `${quoteIdent(p.column)} IS DISTINCT FROM (${p.expression})`).join(' OR '),
    sampleColumns: [...new Set([...(table.primaryKey?.columns ?? []), ...sample])],
    message,
    impact: {
      locks: [{ relation: t, mode: 'ACCESS SHARE' }],
      lockDuration: 'scan',
      rewritesTable: false,
      scansTable: true,
      estimatedRows: table.estimatedRows,
    },
  });
}

/**
 * contract: a copy of `ix` built under the name `temp` takes the original's place: primary keys
 * and unique constraints through ADD CONSTRAINT ... USING INDEX (a brief lock, no build), plain
 * indexes by rename. USING INDEX renames the index to the constraint's name; the original index
 * name is restored when it differed.
 */
export function adoptIndexStatements(table: string, ix: IndexInfo, temp: string): string[] {
  const out: string[] = [];
  const tempIdent = quoteIdent(temp);
  if (ix.primary)
    out.push(
      `ALTER TABLE ${table} ADD CONSTRAINT ${quoteIdent(ix.constraint ?? ix.name)} PRIMARY KEY USING INDEX ${tempIdent}`,
    );
  else if (ix.constraint)
    out.push(`ALTER TABLE ${table} ADD CONSTRAINT ${quoteIdent(ix.constraint)} UNIQUE USING INDEX ${tempIdent}`);
  else out.push(`ALTER INDEX ${quoteIdent(ix.schema)}.${tempIdent} RENAME TO ${quoteIdent(ix.name)}`);
  if (ix.constraint && ix.constraint !== ix.name)
    out.push(`ALTER INDEX ${quoteIdent(ix.schema)}.${quoteIdent(ix.constraint)} RENAME TO ${quoteIdent(ix.name)}`);
  return out;
}
