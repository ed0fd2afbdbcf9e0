import { z } from 'zod';
import type { ConstraintInfo, IndexInfo, TableInfo } from '../db/catalog.js';
import {
  displayName,
  generatedName,
  parseColumnName,
  quoteIdent,
  quoteLiteral,
  quoteQualified,
  type QualifiedName,
} from '../db/quote.js';
import { columnName, objectName } from '../migration/names.js';
import type { LockTaken } from '../plan/types.js';
import { rewriteConstraintDefinition, rewriteIndexDefinition } from '../sql/rewrite.js';
import { adoptIndexStatements } from './support/column-steps.js';
import { dropSyncTriggerStatements, syncTriggerStatements } from './support/sync-trigger.js';
import type { OperationDefinition, PlanContext } from './types.js';

export const renameColumnSchema = z
  .object({
    op: z.literal('renameColumn'),
    table: objectName,
    from: columnName,
    to: columnName,
  })
  .strict();

export type RenameColumn = z.infer<typeof renameColumnSchema>;

/**
 * renameColumn the expand/contract way (a plain RENAME breaks every running client that still
 * uses the old name):
 * - expand: add the new column (same type, collation), a trigger that keeps both equal whichever
 *   one a client writes, NOT NULL / CHECK / FK copies as NOT VALID constraints, and every index on
 *   the old column rebuilt CONCURRENTLY on the new one;
 * - backfill: copy old into new in keyset batches;
 * - switch: verify no row differs, VALIDATE the copied constraints (SHARE UPDATE EXCLUSIVE);
 * - contract: in one short transaction, drop the trigger and the old column, move the default,
 *   sequence ownership, NOT NULL, unique and primary-key constraints to the new column, and give
 *   indexes and constraints back their original names, so the table ends as RENAME COLUMN leaves it.
 */
export const renameColumn: OperationDefinition<RenameColumn> = {
  schema: renameColumnSchema,
  refs: (spec) => ({ tables: [spec.table] }),
  summary: (spec) => `rename column ${spec.table}.${spec.from} to ${spec.to}`,
  apply(spec, change) {
    change.renameColumn(change.table(spec.table), parseColumnName(spec.from), parseColumnName(spec.to));
  },
  plan(spec, ctx) {
    const table = ctx.table(spec.table, 'table');
    const from = parseColumnName(spec.from);
    const to = parseColumnName(spec.to);
    const oldColumn = ctx.column(table, from, 'from');
    const t: QualifiedName = { schema: table.schema, name: table.name };
    const where = `${displayName(t)}.${quoteIdent(from)}`;
    if (from === to) ctx.fail('to', `"${to}" is the column's current name`);
    if (table.columns.some((c) => c.name === to))
      ctx.fail('to', `column ${quoteIdent(to)} already exists on table ${displayName(t)}`);
    refuseUnsupported(ctx, table, from, where);

    const renames = new Map([[from, to]]);
    const fn: QualifiedName = { schema: table.schema, name: generatedName('zdm_sync', table.name, from, to) };
    const trigger = fn.name;
    const steps = ctx.steps('rename_column', where);
    const tbl = quoteQualified(t);
    const newCol = quoteIdent(to);

    const indexes = table.indexes.filter((ix) => ix.columns.includes(from));
    const checks = table.constraints.filter((c) => c.type === 'c' && c.columns.includes(from));
    const foreignKeys = table.constraints.filter((c) => c.type === 'f' && c.columns.includes(from));
    const notNullCheck = oldColumn.notNull ? generatedName(table.name, to, 'zdm_not_null') : undefined;
    const tempName = (name: string) => generatedName(name, 'zdm');

    // expand 1: column, sync trigger and NOT VALID copies of its constraints, in one transaction.
    const notValid: string[] = [];
    const expand = [
      `ALTER TABLE ${tbl} ADD COLUMN ${newCol} ${oldColumn.type}${oldColumn.collation ? ` COLLATE ${oldColumn.collation}` : ''}`,
      ...(oldColumn.comment !== null
        ? [`COMMENT ON COLUMN ${tbl}.${newCol} IS ${quoteLiteral(oldColumn.comment)}`]
        : []),
      ...syncTriggerStatements(
        t,
        fn,
        trigger,
        { forward: [{ column: to, expression: quoteIdent(from) }], backward: [{ column: from, expression: newCol }] },
        new Set([from, to]),
      ),
    ];
    if (notNullCheck) {
      expand.push(
        `ALTER TABLE ${tbl} ADD CONSTRAINT ${quoteIdent(notNullCheck)} CHECK (${newCol} IS NOT NULL) NOT VALID`,
      );
      notValid.push(notNullCheck);
    }
    for (const c of [...checks, ...foreignKeys]) {
      expand.push(
        `ALTER TABLE ${tbl} ADD CONSTRAINT ${quoteIdent(tempName(c.name))} ${withNotValid(rewriteConstraintDefinition(c.definition, renames))}`,
      );
      notValid.push(tempName(c.name));
    }
    const locks: LockTaken[] = [{ relation: t, mode: 'ACCESS EXCLUSIVE' }];
    for (const fk of foreignKeys)
      if (fk.references) locks.push({ relation: fk.references.table, mode: 'SHARE ROW EXCLUSIVE' });
    steps.sql('expand', {
      description: `add column ${newCol} to ${displayName(t)} with a trigger keeping it equal to ${quoteIdent(from)}${notValid.length ? `, and ${notValid.length} NOT VALID constraint(s)` : ''}`,
      statements: expand,
      transactional: true,
      impact: { ...ctx.briefLock(t), locks },
      undo: {
        statements: [
          ...dropSyncTriggerStatements(t, fn, trigger),
          `ALTER TABLE ${tbl} DROP COLUMN IF EXISTS ${newCol}`,
        ],
        transactional: true,
      },
    });

    // expand 2..: every index on the old column, rebuilt concurrently on the new one.
    for (const ix of indexes) {
      const index: QualifiedName = { schema: ix.schema, name: tempName(ix.name) };
      steps.createIndex('expand', {
        description: `build index ${quoteIdent(index.name)} on ${displayName(t)} (${newCol}) like ${quoteIdent(ix.name)}`,
        index,
        table: t,
        statement: rewriteIndexDefinition(ix.definition, { renames, newName: index.name }),
        impact: {
          locks: [{ relation: t, mode: 'SHARE UPDATE EXCLUSIVE' }],
          lockDuration: 'scan',
          rewritesTable: false,
          scansTable: true,
          estimatedRows: table.estimatedRows,
        },
        undo: { statements: [`DROP INDEX CONCURRENTLY IF EXISTS ${quoteQualified(index)}`], transactional: false },
      });
    }

    ctx.backfill({
      table,
      assignments: [{ column: to, expression: quoteIdent(from) }],
      pending: `${newCol} IS DISTINCT FROM ${quoteIdent(from)}`,
    });

    // switch: the copy is complete and the copied constraints hold for every row.
    steps.verify('switch', {
      description: `verify no row of ${displayName(t)} has ${newCol} different from ${quoteIdent(from)}`,
      table: t,
      violation: `${newCol} IS DISTINCT FROM ${quoteIdent(from)}`,
      sampleColumns: [...(table.primaryKey?.columns ?? []), from, to],
      message: `rows of ${displayName(t)} where ${newCol} differs from ${quoteIdent(from)}: the backfill has not covered them`,
      impact: {
        locks: [{ relation: t, mode: 'ACCESS SHARE' }],
        lockDuration: 'scan',
        rewritesTable: false,
        scansTable: true,
        estimatedRows: table.estimatedRows,
      },
    });
    for (const name of notValid) {
      const fk = foreignKeys.find((c) => tempName(c.name) === name);
      steps.sql('switch', {
        description: `validate constraint ${quoteIdent(name)} on ${displayName(t)}`,
        statements: [`ALTER TABLE ${tbl} VALIDATE CONSTRAINT ${quoteIdent(name)}`],
        transactional: true,
        impact: {
          locks: [
            { relation: t, mode: 'SHARE UPDATE EXCLUSIVE' },
            ...(fk?.references ? [{ relation: fk.references.table, mode: 'ROW SHARE' as const }] : []),
          ],
          lockDuration: 'scan',
          rewritesTable: false,
          scansTable: true,
          estimatedRows: table.estimatedRows,
        },
      });
    }

    // contract: one short transaction of metadata-only changes.
    steps.sql('contract', {
      description: `drop ${where} and its trigger; ${newCol} takes over its default, NOT NULL, constraints and index names`,
      statements: contractStatements(table, {
        from,
        to,
        tbl,
        newCol,
        fn,
        trigger,
        notNullCheck,
        indexes,
        checks,
        foreignKeys,
        tempName,
      }),
      transactional: true,
      impact: ctx.briefLock(t),
    });
    ctx.note({
      phase: 'switch',
      text: `after switch, deploy the application version that reads and writes ${displayName(t)}.${newCol}; versions using ${quoteIdent(from)} keep working until contract`,
    });
    ctx.note({
      phase: 'contract',
      text: `run contract only when no running application version uses ${where}: it is dropped`,
    });
  },
};

function refuseUnsupported(ctx: PlanContext, table: TableInfo, from: string, where: string): void {
  const column = table.columns.find((c) => c.name === from)!;
  if (column.identity)
    ctx.fail(
      'from',
      `${where} is an identity column; renaming it the expand/contract way is not supported yet (a plain RENAME COLUMN in a "sql" operation is the alternative)`,
    );
  if (column.generated)
    ctx.fail('from', `${where} is a generated column; renameColumn cannot keep a generated copy in sync`);
  const inbound = table.referencedBy.filter((fk) => fk.referencedColumns.includes(from));
  if (inbound.length > 0) {
    ctx.fail(
      'from',
      `${where} is referenced by foreign key(s) ${inbound.map((fk) => `${quoteIdent(fk.name)} on ${displayName(fk.table)}`).join(', ')}; renameColumn cannot move a referenced column yet`,
    );
  }
  const exclusion = table.constraints.filter((c) => c.type === 'x' && c.columns.includes(from));
  if (exclusion.length > 0)
    ctx.fail(
      'from',
      `${where} is part of exclusion constraint ${quoteIdent(exclusion[0]!.name)}, which cannot be rebuilt without a blocking lock`,
    );
  const dependents = table.dependents.filter((d) => d.column === from);
  if (dependents.length > 0) {
    ctx.fail(
      'from',
      `${where} is used by ${dependents.map((d) => `${d.kind} ${d.name}`).join(', ')}; change or drop those first (dropping the column would need CASCADE)`,
    );
  }
  if (!table.primaryKey)
    ctx.fail(
      'table',
      `table ${displayName(table)} has no primary key; the backfill copies rows in batches by primary key: add one first (addPrimaryKey)`,
    );
}

function withNotValid(definition: string): string {
  return /\bNOT VALID$/i.test(definition) ? definition : `${definition} NOT VALID`;
}

interface ContractInput {
  from: string;
  to: string;
  tbl: string;
  newCol: string;
  fn: QualifiedName;
  trigger: string;
  notNullCheck: string | undefined;
  indexes: IndexInfo[];
  checks: ConstraintInfo[];
  foreignKeys: ConstraintInfo[];
  tempName: (name: string) => string;
}

function contractStatements(table: TableInfo, c: ContractInput): string[] {
  const t: QualifiedName = { schema: table.schema, name: table.name };
  const old = table.columns.find((col) => col.name === c.from)!;
  const out = [...dropSyncTriggerStatements(t, c.fn, c.trigger).map((s) => s.replace(' IF EXISTS', ''))];
  if (old.default !== null) out.push(`ALTER TABLE ${c.tbl} ALTER COLUMN ${c.newCol} SET DEFAULT ${old.default}`);
  // A serial column owns its sequence: dropping the column would drop the sequence with it.
  if (old.ownedSequence) out.push(`ALTER SEQUENCE ${quoteQualified(old.ownedSequence)} OWNED BY ${c.tbl}.${c.newCol}`);
  out.push(`ALTER TABLE ${c.tbl} DROP COLUMN ${quoteIdent(c.from)}`);
  if (c.notNullCheck) {
    // A validated CHECK (col IS NOT NULL) lets NOT NULL skip its full-table scan (PG 12+). From
    // PG 18 NOT NULL is a named constraint: give it the old column's name, as RENAME COLUMN would.
    const named = table.constraints.find(
      (con) => con.type === 'n' && con.columns.length === 1 && con.columns[0] === c.from,
    );
    out.push(
      named
        ? `ALTER TABLE ${c.tbl} ADD CONSTRAINT ${quoteIdent(named.name)} NOT NULL ${c.newCol}`
        : `ALTER TABLE ${c.tbl} ALTER COLUMN ${c.newCol} SET NOT NULL`,
    );
    out.push(`ALTER TABLE ${c.tbl} DROP CONSTRAINT ${quoteIdent(c.notNullCheck)}`);
  }
  for (const ix of c.indexes) {
    out.push(...adoptIndexStatements(c.tbl, ix, c.tempName(ix.name)));
  }
  for (const con of [...c.checks, ...c.foreignKeys]) {
    out.push(`ALTER TABLE ${c.tbl} RENAME CONSTRAINT ${quoteIdent(c.tempName(con.name))} TO ${quoteIdent(con.name)}`);
  }
  return out;
}
