import type { TableInfo } from '../../db/catalog.js';
import { displayName, quoteIdent, quoteQualified, type QualifiedName } from '../../db/quote.js';
import type { Impact } from '../../plan/types.js';
import type { StepBuilder } from '../types.js';
import * as ddl from './ddl.js';
import { lockTablesStatements } from './lock-order.js';
import {
  briefLocksOn,
  innerPartitions,
  leafPartitions,
  name,
  partitionIndexName,
  partitionScan,
  partitionsOf,
} from './partitions.js';

/** A unique constraint or primary key to add to a partitioned table. */
export interface PartitionedKey {
  name: string;
  kind: 'UNIQUE' | 'PRIMARY KEY';
  columns: string[];
  /**
   * The name the leaves' indexes are built under, `<partition>_<built>` (default `name`): a copy
   * of a key (changeColumnType's shadow column) builds them under a temporary name while the
   * original key still holds the constraint names.
   */
  built?: string;
  /** What follows the table in the leaves' CREATE INDEX (default ` (<columns>)`): ` USING btree (a, b) INCLUDE (c)`. */
  tail?: string;
  /** The constraint's definition on the sub-partitioned tables and the root (default `<kind> (<columns>)`). */
  definition?: string;
}

/**
 * expand, per leaf partition: `CREATE UNIQUE INDEX CONCURRENTLY <partition>_<name>` (SHARE UPDATE
 * EXCLUSIVE: reads and writes continue). Postgres cannot add a constraint `USING INDEX` to a
 * partitioned table (15 to 18: "not supported on partitioned tables"), so these indexes become
 * constraints later, in partitionedKeyStep.
 */
export function partitionedKeyIndexSteps(steps: StepBuilder, table: TableInfo, key: PartitionedKey): void {
  const cols = key.columns.map(quoteIdent).join(', ');
  for (const leaf of leafPartitions(table)) {
    const index = { schema: leaf.schema, name: partitionIndexName(leaf, key.built ?? key.name) };
    steps.createIndex('expand', {
      description:
        `build unique index ${quoteIdent(index.name)} on partition ${displayName(leaf)} ` +
        `(${cols}) concurrently, for ${key.kind === 'UNIQUE' ? 'unique constraint' : 'primary key'} ${quoteIdent(key.name)}`,
      index,
      table: name(leaf),
      statement:
        `CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ${quoteIdent(index.name)} ` +
        `ON ${quoteQualified(leaf)}${key.tail ?? ` (${cols})`}`,
      impact: partitionScan(leaf, 'SHARE UPDATE EXCLUSIVE'),
      undo: { statements: [ddl.dropIndexConcurrently(index)], transactional: false },
    });
  }
}

/**
 * The statements of one brief transaction that turn the leaves' indexes into the key: every table
 * of the tree locked up front (root first, lock-order.ts), each leaf's index made its constraint
 * `USING INDEX` (no build), then the constraint added on each sub-partitioned table (deepest
 * first) and on the root: Postgres adopts each partition's matching constraint instead of
 * building an index. A partition created since expand has none: Postgres builds its index there
 * (it blocks writes to that partition only, usually new and small). `before` / `after` run inside
 * the same transaction (SET NOT NULL before a primary key, the proving checks dropped after).
 * Rollback drops the root's constraint, which drops every adopted one with its index.
 */
export function partitionedKeyStatements(
  table: TableInfo,
  key: PartitionedKey,
  before: string[] = [],
  after: string[] = [],
): { statements: string[]; impact: Impact } {
  const impact = briefLocksOn([name(table), ...partitionsOf(table)], 'ACCESS EXCLUSIVE');
  return {
    statements: [...lockTablesStatements(impact.locks, true), ...before, ...adoptKeyStatements(table, key), ...after],
    impact,
  };
}

/**
 * Each leaf's index made its constraint `<partition>_<name>` USING INDEX (no build), the
 * constraint added on each sub-partitioned table (deepest first) and on the root, which adopt the
 * partitions' (a partition without one gets its index built). Every table must be locked already.
 */
export function adoptKeyStatements(table: TableInfo, key: PartitionedKey): string[] {
  const definition = key.definition ?? `${key.kind} (${key.columns.map(quoteIdent).join(', ')})`;
  const own = (t: QualifiedName) => partitionIndexName(t, key.name);
  const built = (t: QualifiedName) => partitionIndexName(t, key.built ?? key.name);
  return [
    ...leafPartitions(table).map((leaf) => ddl.constraintUsingIndex(leaf, own(leaf), key.kind, built(leaf))),
    ...innerPartitions(table)
      .reverse()
      .map((p) => ddl.addConstraint(p, own(p), definition)),
    ddl.addConstraint(table, key.name, definition),
  ];
}

/**
 * addUnique on a partitioned table, all at expand: the leaves' unique indexes built concurrently,
 * then one brief transaction making them the constraint on every level (partitionedKeyStatements).
 */
export function partitionedUniqueSteps(steps: StepBuilder, table: TableInfo, key: PartitionedKey): void {
  partitionedKeyIndexSteps(steps, table, key);
  const { statements, impact } = partitionedKeyStatements(table, key);
  steps.sql('expand', {
    description:
      `make each partition's unique index its constraint and add ${quoteIdent(key.name)} ` +
      `on partitioned table ${displayName(table)}, which adopts them without a build (brief lock ` +
      `on every partition)`,
    statements,
    transactional: true,
    impact,
    undo: { statements: [ddl.dropConstraint(name(table), key.name, { ifExists: true })], transactional: true },
  });
}
