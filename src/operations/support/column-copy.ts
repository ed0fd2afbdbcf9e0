import type { ColumnInfo, ConstraintInfo, IndexInfo, StatisticsInfo, TableInfo } from '../../db/catalog.js';
import { displayName, quoteIdent, quoteLiteral, quoteQualified, type QualifiedName } from '../../db/quote.js';
import {
  indexDefinitionTail,
  rewriteConstraintDefinition,
  rewriteIndexDefinition,
  rewriteStatisticsDefinition,
} from '../../sql/rewrite.js';
import type { PlanContext, StepBuilder } from '../types.js';
import * as ddl from './ddl.js';
import { validateConstraintStep } from './steps.js';
import { partitionedIndexSteps } from './partitioned-index.js';
import { adoptKeyStatements, partitionedKeyIndexSteps, type PartitionedKey } from './partitioned-key.js';
import { isPartitioned, partitionIndexName, partitionsOf, renameWindowPartitionIndexes } from './partitions.js';

/**
 * A copy of a column kept in step until contract, where it takes the original's place (renameColumn:
 * same type under the new name; changeColumnType's shadow column: the new type). What makes it a
 * faithful copy, in one place:
 * - expand: the column with its collation, comment and column privileges; NOT VALID copies of its CHECK (and foreign
 *   key) constraints under temporary names (brief, no scan); every index on it rebuilt CONCURRENTLY
 *   on the copy under a temporary name;
 * - switch: VALIDATE each copied constraint (SHARE UPDATE EXCLUSIVE: reads and writes continue);
 * - contract: the copies adopt the originals' names (primary key and unique constraints through
 *   ADD CONSTRAINT ... USING INDEX, plain indexes and constraints by rename), so the table ends as
 *   if the column had been changed in place.
 * `renames` maps each copied column to its copy (several columns of one table can be copied together).
 */
export class ColumnCopy {
  readonly t: QualifiedName;

  constructor(
    readonly table: TableInfo,
    readonly renames: ReadonlyMap<string, string>,
  ) {
    this.t = { schema: table.schema, name: table.name };
  }

  /** Indexes that use any copied column. */
  get indexes(): IndexInfo[] {
    return this.table.indexes.filter((ix) => ix.columns.some((c) => this.renames.has(c)));
  }

  /** Extended statistics objects on a copied column (dropped with it at contract). */
  get statistics(): StatisticsInfo[] {
    return (this.table.statistics ?? []).filter((st) => st.columns.some((c) => this.renames.has(c)));
  }

  /**
   * Extended statistics objects on a copied column, recreated under their own name, comment and
   * sample target: to run after the original column is dropped (which drops them). `renames`: the
   * copy's name at that point (a renamed column's new name; none for a shadow column, which has
   * taken the original's name by then). They hold no data until the next ANALYZE. `skip`: by
   * `schema.name`, ones that cannot be recreated (dropped with the column, the plan warns).
   */
  statisticsStatements(renames: ReadonlyMap<string, string> = this.renames, skip?: ReadonlySet<string>): string[] {
    const kept = this.statistics.filter((st) => !skip?.has(`${st.schema}.${st.name}`));
    return kept.flatMap((st) => [
      rewriteStatisticsDefinition(st.definition, renames),
      ...(st.comment !== null ? [ddl.commentOnStatistics(st, quoteLiteral(st.comment))] : []),
      ...(st.target !== null && st.target !== undefined ? [ddl.setStatisticsTarget(st, st.target)] : []),
    ]);
  }

  /** Constraints of `type` ('c' CHECK, 'f' FOREIGN KEY) on any copied column. */
  constraints(type: 'c' | 'f'): ConstraintInfo[] {
    return this.table.constraints.filter((c) => c.type === type && c.columns.some((col) => this.renames.has(col)));
  }

  /**
   * ADD COLUMN for the copy of `column` (collation kept when `collate`), its comment and its column
   * privileges (a role granted SELECT (email) can read the copy, under its new name, after contract);
   * on a partitioned table, each partition's own comment and privileges on the column too (a
   * partition's column does not inherit the table's, nor the table's the partition's).
   */
  addColumn(column: ColumnInfo, type: string, collate = true): string[] {
    const copy = this.renames.get(column.name)!;
    const own = (this.table.partitionColumns ?? []).filter((p) => p.column === column.name);
    return [
      ddl.addColumn(this.t, copy, type, { collation: collate ? column.collation : null }),
      ...(column.comment !== null ? [ddl.commentOnColumn(this.t, copy, quoteLiteral(column.comment))] : []),
      ...ddl.grantStatements(column.grants ?? [], quoteQualified(this.t), copy),
      ...own.flatMap((p) => [
        ...(p.comment !== null ? [ddl.commentOnColumn(p.partition, copy, quoteLiteral(p.comment))] : []),
        ...ddl.grantStatements(p.grants, quoteQualified(p.partition), copy),
      ]),
    ];
  }

  /** NOT VALID copies of `constraints` on the copied columns, under temporary names. */
  constraintCopies(constraints: ConstraintInfo[]): string[] {
    return constraints.map((c) =>
      ddl.addConstraintNotValid(this.t, ddl.tempName(c.name), rewriteConstraintDefinition(c.definition, this.renames)),
    );
  }

  /**
   * A partition's own NOT NULL on a copied column (the partitioned table's column allows NULL) is
   * not carried to the copy: the plan warns, naming the partition and the way to restore it. `after`:
   * the column's name once contract has run.
   */
  partitionNotNullNotes(ctx: PlanContext, after: (column: string) => string): void {
    for (const p of (this.table.partitionColumns ?? []).filter((x) => x.notNull && this.renames.has(x.column))) {
      const col = `${displayName(p.partition)}.${quoteIdent(after(p.column))}`;
      ctx.note({
        phase: 'contract',
        text:
          `warning: partition ${displayName(p.partition)} has NOT NULL of its own on ${quoteIdent(p.column)} ` +
          `(${displayName(this.t)}.${quoteIdent(p.column)} allows NULL); zdm carries the table's constraints ` +
          `to the new column, not a partition's, so from contract ${col} allows NULL: set it again after ` +
          `contract (a "sql" operation: ALTER TABLE ${displayName(p.partition)} ALTER COLUMN ` +
          `${quoteIdent(after(p.column))} SET NOT NULL, which reads the partition under ACCESS EXCLUSIVE, ` +
          `or first a CHECK (... IS NOT NULL) NOT VALID, VALIDATE, then SET NOT NULL without the scan)`,
      });
    }
  }

  /**
   * On a partitioned table, what the copy cannot carry yet is refused at plan time (and a partition's
   * own NOT NULL, which it does not carry, warned about: partitionNotNullNotes): a partition key
   * column (Postgres cannot drop it at contract), a unique or primary-key index (no `USING INDEX`
   * on a partitioned table) and, unless `foreignKeys` says the caller re-creates them partition by
   * partition (changeColumnType's shadow column), a foreign key (no `NOT VALID` on a partitioned
   * table before 18). `keys`: the caller rebuilds a primary key or unique constraint as a key per
   * partition adopted at contract (keySteps), except one that is deferrable or that foreign keys
   * reference (they need the parent's index, which exists only from contract).
   */
  refusePartitioned(
    ctx: PlanContext,
    field: string,
    what: string,
    after: (column: string) => string,
    carried: { foreignKeys?: boolean; keys?: boolean } = {},
  ): void {
    if (!isPartitioned(this.table)) return;
    this.partitionNotNullNotes(ctx, after);
    const where = `partitioned table ${displayName(this.t)}`;
    const inKey = [...this.renames.keys()].filter((c) => this.table.partitioning?.key.includes(c));
    if (inKey.length > 0)
      ctx.fail(field, `${what}: ${inKey.map(quoteIdent).join(', ')} is in the partition key of ${where}`);
    if (carried.keys) this.refuseKeys(ctx, field, what);
    const unique = this.indexes.filter(
      (ix) => (ix.unique || ix.constraint !== null) && !(carried.keys && this.partitionedKey(ix)),
    );
    if (unique.length > 0)
      ctx.fail(
        field,
        `${what}: on ${where} zdm cannot yet rebuild the unique index(es) ${unique.map((ix) => quoteIdent(ix.name)).join(', ')} on the new column (Postgres has no USING INDEX on a partitioned table)`,
      );
    const fks = carried.foreignKeys ? [] : this.constraints('f');
    if (fks.length > 0)
      ctx.fail(
        field,
        `${what}: on ${where} zdm cannot yet re-create the foreign key(s) ${fks.map((c) => quoteIdent(c.name)).join(', ')} on the new column`,
      );
  }

  /**
   * The key a primary-key or unique-constraint index of a partitioned table is copied as (undefined:
   * another index); its `definition` names the columns as `named` maps them (at contract a shadow
   * column has taken the original's name: an empty map).
   */
  partitionedKey(ix: IndexInfo, named: ReadonlyMap<string, string> = this.renames): PartitionedKey | undefined {
    const c = this.table.constraints.find((k) => k.name === ix.constraint && (k.type === 'p' || k.type === 'u'));
    if (!isPartitioned(this.table) || !c) return undefined;
    return {
      name: c.name,
      kind: c.type === 'p' ? 'PRIMARY KEY' : 'UNIQUE',
      columns: c.columns.map((col) => this.renames.get(col) ?? col),
      built: ddl.tempName(ix.name),
      tail: indexDefinitionTail(ix.definition, this.renames),
      definition: rewriteConstraintDefinition(c.definition, named),
    };
  }

  /** What the per-partition copy of a primary key or unique constraint changes, for the plan. */
  keyNotes(ctx: PlanContext): void {
    const keys = this.indexes.flatMap((ix) => this.partitionedKey(ix) ?? []);
    if (keys.length === 0) return;
    ctx.note({
      phase: 'contract',
      text:
        `${keys.map((k) => quoteIdent(k.name)).join(', ')} of partitioned table ${displayName(this.t)}: ` +
        `until contract the new column's uniqueness is enforced by a unique index per partition (the old ` +
        `column's key stays); at contract each becomes its partition's constraint and the table's key adopts ` +
        `them, so the partitions' constraints and indexes are named <partition>_<key> (Postgres's own names ` +
        `for them are not kept); a partition created during the window gets its index built then, under ` +
        `the contract's lock, named by Postgres`,
    });
  }

  /** Keys the per-partition copy cannot carry: deferrable ones, and ones foreign keys reference. */
  private refuseKeys(ctx: PlanContext, field: string, what: string): void {
    for (const ix of this.indexes) {
      const key = this.partitionedKey(ix);
      if (!key) continue;
      if (/\bDEFERRABLE\b/.test(key.definition!))
        ctx.fail(field, `${what}: ${quoteIdent(key.name)} is deferrable, which zdm cannot yet rebuild per partition`);
      const cols = [...key.columns].map((c) => [...this.renames].find(([, copy]) => copy === c)?.[0] ?? c).sort();
      const fk = this.table.referencedBy.find((r) => [...r.referencedColumns].sort().join() === cols.join());
      if (fk)
        ctx.fail(
          field,
          `${what}: ${quoteIdent(key.name)} of ${displayName(this.t)} is referenced by foreign key ` +
            `${quoteIdent(fk.name)} of ${displayName(fk.table)}, which needs the key's index on the ` +
            `partitioned table itself; zdm rebuilds that index per partition and adopts it only at contract`,
        );
    }
  }

  /**
   * expand: every index on the copied columns rebuilt CONCURRENTLY on the copies (`like` ends each
   * description); on a partitioned table partition by partition (partitioned-index.ts).
   */
  indexSteps(steps: StepBuilder, like: (original: string) => string): void {
    for (const ix of this.indexes) {
      const key = this.partitionedKey(ix);
      if (key) {
        // No USING INDEX on a partitioned table: a unique index per leaf, made the key at contract.
        partitionedKeyIndexSteps(steps, this.table, key);
        continue;
      }
      if (isPartitioned(this.table)) {
        const tail = indexDefinitionTail(ix.definition, this.renames);
        partitionedIndexSteps(steps, this.table, { name: ddl.tempName(ix.name), unique: ix.unique, tail });
        continue;
      }
      const index: QualifiedName = { schema: ix.schema, name: ddl.tempName(ix.name) };
      steps.createIndex('expand', {
        description: `build index ${quoteIdent(index.name)} on ${displayName(this.t)}${like(quoteIdent(ix.name))}`,
        index,
        table: this.t,
        statement: rewriteIndexDefinition(ix.definition, { renames: this.renames, newName: index.name }),
        impact: ddl.indexBuildImpact(this.table),
        undo: { statements: [ddl.dropIndexConcurrently(index)], transactional: false },
      });
    }
  }

  /** switch: VALIDATE each copied constraint (a foreign key's referenced table under ROW SHARE). */
  validateSteps(steps: StepBuilder, constraints: ConstraintInfo[]): void {
    for (const c of constraints)
      validateConstraintStep(steps, this.table, ddl.tempName(c.name), {
        referenced: c.type === 'f' ? c.references?.table : undefined,
        short: true,
      });
  }

  /**
   * contract: the index copies and `constraints`' copies take the original names; `named`: the
   * copies' column names by then (a shadow column has the original's: an empty map).
   */
  adoptStatements(constraints: ConstraintInfo[], named: ReadonlyMap<string, string> = this.renames): string[] {
    const keys = this.indexes.flatMap((ix) => this.partitionedKey(ix, named) ?? []);
    const indexes = this.indexes.filter((ix) => !this.partitionedKey(ix));
    return [
      ...keys.flatMap((key) => adoptKeyStatements(this.table, key)),
      ...indexes.flatMap((ix) => ddl.adoptIndexStatements(this.t, ix, ddl.tempName(ix.name))),
      // Each partition's copy takes the name zdm gives a partition's index (the originals are gone);
      // a partition created during the window got its copy from Postgres, under a name made from
      // the copy column's: renamed the same way, found at run time.
      ...indexes.flatMap((ix) => [
        ...partitionsOf(this.table).map((p) =>
          ddl.renameIndex(p.schema, partitionIndexName(p, ddl.tempName(ix.name)), partitionIndexName(p, ix.name), {
            ifExists: true,
          }),
        ),
        ...(isPartitioned(this.table) ? [renameWindowPartitionIndexes({ schema: ix.schema, name: ix.name })] : []),
      ]),
      ...constraints.map((c) => ddl.renameConstraint(this.t, ddl.tempName(c.name), c.name)),
    ];
  }
}
