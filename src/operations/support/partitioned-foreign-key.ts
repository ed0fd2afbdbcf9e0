import type { TableInfo } from '../../db/catalog.js';
import { displayName, quoteIdent, type QualifiedName } from '../../db/quote.js';
import { qualified } from './common.js';
import { verifyStep } from './steps.js';
import { foreignKeyDefinition, foreignKeyViolation, type ForeignKey } from './foreign-key.js';
import type { StepBuilder } from '../types.js';
import { lockTablesStatements } from './lock-order.js';
import * as ddl from './ddl.js';
import {
  briefLocksOn,
  innerPartitions,
  leafPartitions,
  name,
  partitionScan,
  SHORT_LOCK_WAIT,
  withLock,
} from './partitions.js';

/** A foreign key to build on a partitioned table, by name and definition (`FOREIGN KEY (a) REFERENCES ...`). */
export interface PartitionedForeignKey {
  name: string;
  /** As ADD CONSTRAINT takes it, without NOT VALID. */
  definition: string;
  referenced: QualifiedName;
}

/**
 * A foreign key from a partitioned table without a long lock (Postgres refuses NOT VALID on the
 * parent before 18, and adding it validated scans every partition under SHARE ROW EXCLUSIVE):
 * - expand: per leaf partition `ADD CONSTRAINT ... NOT VALID` under the same name (brief; new
 *   writes to that partition are checked from then on);
 * - switch: a sample of orphan rows over the whole table, then partitionedForeignKeyAdoptSteps.
 * Rollback drops the parent's constraint (which drops the adopted ones), then each partition's.
 */
export function partitionedForeignKeySteps(steps: StepBuilder, table: TableInfo, fk: ForeignKey): void {
  const referenced = qualified(fk.referenced);
  const key = { name: fk.name, definition: foreignKeyDefinition(fk), referenced };
  partitionedForeignKeyLeafSteps(steps, table, key, 'expand');
  verifyStep(
    steps,
    table,
    foreignKeyViolation(table, fk),
    fk.columns,
    `verify every row of ${displayName(table)} has its ${displayName(referenced)} row ` +
      `(${fk.columns.map(quoteIdent).join(', ')})`,
    `rows of ${displayName(table)} whose (${fk.columns.map(quoteIdent).join(', ')}) has no row ` +
      `in ${displayName(referenced)}; constraint ${quoteIdent(fk.name)} cannot be validated`,
    { reads: [referenced] },
  );
  partitionedForeignKeyAdoptSteps(steps, table, key);
}

const dropFrom = (t: QualifiedName, fk: PartitionedForeignKey) => ({
  statements: [ddl.dropConstraint(name(t), fk.name, { ifExists: true })],
  transactional: true,
});

/** In `phase`, per leaf partition: `ADD CONSTRAINT ... NOT VALID` (brief; that partition's new writes are checked). */
export function partitionedForeignKeyLeafSteps(
  steps: StepBuilder,
  table: TableInfo,
  fk: PartitionedForeignKey,
  phase: 'expand' | 'switch',
): void {
  for (const leaf of leafPartitions(table)) {
    steps.sql(phase, {
      description:
        `add foreign key ${quoteIdent(fk.name)} NOT VALID on partition ${displayName(leaf)} ` +
        `(new writes are checked; existing rows ${phase === 'expand' ? 'at switch' : 'by the validation below'})`,
      statements: [SHORT_LOCK_WAIT, ddl.addConstraintNotValid(name(leaf), fk.name, fk.definition)],
      transactional: true,
      impact: briefLocksOn([leaf, fk.referenced], 'SHARE ROW EXCLUSIVE'),
      undo: dropFrom(leaf, fk),
    });
  }
}

/**
 * switch: `VALIDATE CONSTRAINT` per leaf partition (SHARE UPDATE EXCLUSIVE: reads and writes
 * continue), then the constraint on the parent, which adopts each partition's validated one without
 * a scan (brief SHARE ROW EXCLUSIVE on every partition and the referenced table). A partition
 * created during the window gets the constraint then, checked by Postgres (a scan of that
 * partition only).
 */
export function partitionedForeignKeyAdoptSteps(steps: StepBuilder, table: TableInfo, fk: PartitionedForeignKey): void {
  const leaves = leafPartitions(table);
  for (const leaf of leaves) {
    steps.sql('switch', {
      description:
        `validate foreign key ${quoteIdent(fk.name)} on partition ${displayName(leaf)} ` +
        `(scans the partition; reads and writes continue)`,
      statements: [ddl.validateConstraint(leaf, fk.name)],
      transactional: true,
      impact: withLock(partitionScan(leaf, 'SHARE UPDATE EXCLUSIVE'), fk.referenced, 'ROW SHARE'),
    });
  }
  const parents = [name(table), ...innerPartitions(table)];
  const impact = withLock(
    briefLocksOn([...parents, ...leaves], 'SHARE ROW EXCLUSIVE'),
    fk.referenced,
    'ACCESS EXCLUSIVE',
  );
  steps.sql('switch', {
    description:
      `add foreign key ${quoteIdent(fk.name)} on partitioned ` +
      `table ${displayName(table)}: it adopts each partition's validated constraint without a scan`,
    // Every table locked up front, in the order the ALTER takes them, the first with the step's
    // lock_timeout and the others briefly (lock-order.ts).
    statements: [
      ...lockTablesStatements(impact.locks, true),
      ddl.addConstraint(name(table), fk.name, fk.definition.replace(/\s+NOT VALID$/i, '')),
    ],
    transactional: true,
    // Adopting a partition's constraint drops that partition's own action triggers on the
    // referenced table: a brief ACCESS EXCLUSIVE there.
    impact,
    undo: dropFrom(table, fk),
  });
}
