import { tableKey, type PartitionInfo, type TableInfo } from '../../db/catalog.js';
import { displayName, quoteIdent, quoteLiteral, quoteQualified, type QualifiedName } from '../../db/quote.js';
import type { StepBuilder } from '../types.js';
import {
  briefLocksOn,
  indexTree,
  innerPartitions,
  leafPartitions,
  name,
  partitionScan,
  lockableTree,
  SHORT_LOCK_WAIT,
  withLock,
} from './partitions.js';
import { lockTablesStatements } from './lock-order.js';
import { dropIndex, dropIndexConcurrently } from './ddl.js';

/** An index to create on a partitioned table: `CREATE [UNIQUE] INDEX <name> ON <table><tail>`. */
export interface PartitionedIndex {
  name: string;
  unique: boolean;
  /** Everything after the table name: ` USING gin (a) INCLUDE (b) WHERE c`. */
  tail: string;
}

/**
 * An index on a partitioned table without blocking writes for a build (Postgres cannot build one
 * CONCURRENTLY on the parent):
 * 1. `CREATE INDEX ... ON ONLY` the parent and every sub-partitioned table (brief SHARE lock, no
 *    build): an INVALID index that partitions created or attached from now on get automatically;
 * 2. per leaf partition, `CREATE INDEX CONCURRENTLY` (SHARE UPDATE EXCLUSIVE: reads and writes
 *    continue), then `ALTER INDEX parent ATTACH PARTITION` (brief); the parent's index becomes
 *    valid when every partition's index is attached;
 * 3. a check that it is valid, naming any partition left without one.
 * Rollback: the attach steps' undo drops the parent's index, which drops every attached one.
 */
export function partitionedIndexSteps(steps: StepBuilder, table: TableInfo, ix: PartitionedIndex): void {
  const tree = indexTree(table, ix.name);
  const indexOf = (t: QualifiedName) => tree.get(tableKey(t))!;
  const root = name(table);
  const rootIndex = indexOf(root);
  const unique = ix.unique ? 'UNIQUE ' : '';
  const inner = innerPartitions(table);
  const onOnly = (t: QualifiedName) =>
    `CREATE ${unique}INDEX IF NOT EXISTS ${quoteIdent(indexOf(t).name)} ON ONLY ${quoteQualified(t)}${ix.tail}`;
  const attach = (p: PartitionInfo) =>
    `ALTER INDEX ${quoteQualified(indexOf(p.parent))} ATTACH PARTITION ${quoteQualified(indexOf(p))}`;
  // Dropping a partitioned index locks each partition's index before its table, the reverse of an
  // application's statement: every table is locked first, root first (lock-order.ts).
  const lockTree = lockTablesStatements(briefLocksOn(lockableTree(table), 'ACCESS EXCLUSIVE').locks, true);
  const dropRoot = {
    statements: [...lockTree, dropIndex(rootIndex, { ifExists: true })],
    transactional: true,
    impact: briefLocksOn(lockableTree(table), 'ACCESS EXCLUSIVE'),
  };
  steps.sql('expand', {
    description:
      `create ${unique.toLowerCase()}index ${quoteIdent(ix.name)} on only partitioned ` +
      `table ${displayName(root)}${inner.length ? ` and its sub-partitioned tables` : ''} (no ` +
      `build; INVALID until every partition's index is attached; ` +
      `partitions created from now on get it automatically)`,
    statements: [onOnly(root), ...inner.flatMap((p) => [onOnly(p), attach(p)])],
    transactional: true,
    impact: briefLocksOn([root, ...inner], 'SHARE'),
    // The parent's index drops every index attached to it; the inner ones are attached here too.
    undo: {
      statements: [...dropRoot.statements, ...inner.map((p) => dropIndex(indexOf(p), { ifExists: true }))],
      transactional: true,
      impact: dropRoot.impact,
    },
  });
  for (const leaf of leafPartitions(table)) {
    const index = indexOf(leaf);
    steps.createIndex('expand', {
      description:
        `build ${unique.toLowerCase()}index ${quoteIdent(index.name)} on ` +
        `partition ${displayName(leaf)} concurrently`,
      index,
      table: name(leaf),
      statement:
        `CREATE ${unique}INDEX CONCURRENTLY IF NOT EXISTS ${quoteIdent(index.name)} ` +
        `ON ${quoteQualified(leaf)}${ix.tail}`,
      impact: partitionScan(leaf, 'SHARE UPDATE EXCLUSIVE'),
      undo: { statements: [dropIndexConcurrently(index)], transactional: false },
    });
    const above = validatedAncestors(table, leaf);
    const lockAbove = above.map((t) => `LOCK TABLE ONLY ${quoteQualified(t)} IN ACCESS EXCLUSIVE MODE`);
    steps.sql('expand', {
      description:
        `attach index ${displayName(index)} to ${displayName(indexOf(leaf.parent))} ` +
        `(brief lock on the partition's new ` +
        `index${above.length ? `; it completes the sub-partitioned table's index, so Postgres marks it valid in the parent's, under a brief lock on ${above.map(displayName).join(', ')}, taken first` : ''})`,
      statements: [SHORT_LOCK_WAIT, ...lockAbove, attach(leaf)],
      transactional: true,
      // ATTACH PARTITION also opens the partition and its parent with ACCESS SHARE (trace harness).
      impact: withLock(
        withLock(briefLocksOn([...above, index], 'ACCESS EXCLUSIVE'), leaf, 'ACCESS SHARE'),
        leaf.parent,
        'ACCESS SHARE',
      ),
      undo: dropRoot,
    });
  }
  steps.sql('expand', {
    description:
      `check that index ${displayName(rootIndex)} is valid: ` +
      `every partition of ${displayName(root)} has its index attached`,
    statements: [requireValidIndex(root, rootIndex)],
    transactional: true,
    impact: { locks: [], lockDuration: 'none', rewritesTable: false, scansTable: false },
  });
}

/**
 * The tables above a leaf's sub-partitioned parent, root first, when attaching this leaf's index
 * completes that parent's index (the last leaf under it, in plan order); else none. Postgres then
 * marks the parent's index valid in its own parent's index, opening that index and its table with
 * ACCESS EXCLUSIVE (validatePartitionedIndex, recursively upwards) while it holds the leaf index's
 * lock: a writer holding the root and waiting for the leaf index deadlocks with it (seen on 15).
 * Taking those locks first, in the writers' order (root first), avoids the cycle.
 */
function validatedAncestors(table: TableInfo, leaf: PartitionInfo): QualifiedName[] {
  const inner = new Map(innerPartitions(table).map((p) => [tableKey(p), p]));
  const siblings = leafPartitions(table).filter((p) => tableKey(p.parent) === tableKey(leaf.parent));
  const parent = inner.get(tableKey(leaf.parent));
  if (!parent || tableKey(siblings[siblings.length - 1]!) !== tableKey(leaf)) return [];
  const chain: QualifiedName[] = [];
  for (let p: PartitionInfo | undefined = parent; p; p = inner.get(tableKey(p.parent))) chain.unshift(name(p.parent));
  return chain;
}

/**
 * Fails, naming the partitions without an attached index, when the partitioned index is not valid
 * (a partition attached with an index Postgres could not match, for instance).
 */
function requireValidIndex(table: QualifiedName, index: QualifiedName): string {
  const t = `${quoteLiteral(quoteQualified(table))}::regclass`;
  const i = `${quoteLiteral(quoteQualified(index))}::regclass`;
  return `DO $zdm$ DECLARE missing text; BEGIN
  IF NOT (SELECT indisvalid FROM pg_index WHERE indexrelid = ${i}) THEN
    SELECT string_agg(p.relid::regclass::text, ', ') INTO missing FROM pg_partition_tree(${t}) p
     WHERE p.isleaf AND NOT EXISTS (SELECT 1 FROM pg_partition_tree(${i}) x JOIN pg_index pi ON pi.indexrelid = x.relid WHERE pi.indrelid = p.relid AND pi.indisvalid);
    RAISE EXCEPTION 'index % is not valid: partition(s) without a valid attached index: %', ${i}, coalesce(missing, 'none found (run zdm advance again)');
  END IF;
END $zdm$`;
}
