import { tableKey, type PartitionInfo, type TableInfo } from '../../db/catalog.js';
import {
  displayName,
  generatedName,
  quoteIdent,
  quoteLiteral,
  quoteQualified,
  type QualifiedName,
} from '../../db/quote.js';
import type { Impact } from '../../plan/types.js';
import { FOLLOW_UP_LOCK_TIMEOUT_MS } from './lock-order.js';
import type { PlanContext } from '../types.js';
import * as ddl from './ddl.js';

/**
 * Partitioned tables (relkind 'p'). Postgres cannot build an index CONCURRENTLY on a partitioned
 * table, nor add a NOT VALID foreign key to one (before 18), so operations that do either on a
 * plain table do it here partition by partition, from the tree readCatalog() read with the table.
 * What Postgres does for a partition created or attached during the window is said where it matters.
 */

export function isPartitioned(table: TableInfo): boolean {
  return table.relkind === 'p';
}

/** Every partition below the table, parents before children ([] for a plain table). */
export function partitionsOf(table: TableInfo): PartitionInfo[] {
  return table.partitioning?.partitions ?? [];
}

/** Partitions that hold rows (tables and foreign tables), parents before children. */
export function leafPartitions(table: TableInfo): PartitionInfo[] {
  return partitionsOf(table).filter((p) => p.relkind !== 'p');
}

/**
 * The tables a statement on the whole tree locks, root first, that `LOCK TABLE` can lock: the
 * table and its partitions except foreign tables (LOCK TABLE refuses them; the statement itself
 * locks them when it touches them).
 */
export function lockableTree(table: TableInfo): QualifiedName[] {
  return [name(table), ...partitionsOf(table).filter((p) => p.relkind !== 'f')].map(name);
}

/** Sub-partitioned partitions, parents before children. */
export function innerPartitions(table: TableInfo): PartitionInfo[] {
  return partitionsOf(table).filter((p) => p.relkind === 'p');
}

export function name(p: QualifiedName): QualifiedName {
  return { schema: p.schema, name: p.name };
}

/** Index or constraint work on a foreign-table partition is not possible: refused, naming it. */
export function requireNoForeignPartitions(ctx: PlanContext, table: TableInfo, field: string, what: string): void {
  const foreign = partitionsOf(table).filter((p) => p.relkind === 'f');
  if (foreign.length > 0)
    ctx.fail(
      field,
      `${what} on partitioned table ${displayName(table)} is not ` +
        `possible: ${foreign.map((p) => `partition ${displayName(p)}`).join(', ')} ${foreign.length === 1 ? 'is a foreign table' : 'are foreign tables'}`,
    );
}

/**
 * A unique index or constraint on a partitioned table must contain every partition key column
 * of every level as a plain key column (Postgres enforces uniqueness per partition only).
 * `columns` are the key's plain columns (expressions do not count).
 */
export function requireKeyCoversPartitionKey(
  ctx: PlanContext,
  table: TableInfo,
  columns: string[],
  field: string,
  what: string,
): void {
  const levels: { of: QualifiedName; key: (string | null)[] }[] = [
    { of: table, key: table.partitioning?.key ?? [] },
    ...innerPartitions(table).map((p) => ({ of: p, key: p.key })),
  ];
  for (const level of levels) {
    if (level.key.some((k) => k === null))
      ctx.fail(
        field,
        `${what} is not possible on ${displayName(level.of)}: it is partitioned by an expression, ` +
          `and Postgres can enforce uniqueness on a partitioned table only when the key contains the ` +
          `partition columns`,
      );
    const missing = level.key.filter((k) => !columns.includes(k!));
    if (missing.length > 0)
      ctx.fail(
        field,
        `${what} must include the partition key of ${displayName(level.of)} ` +
          `(${missing.map((c) => quoteIdent(c!)).join(', ')}) as plain columns: ` +
          `Postgres enforces uniqueness on a partitioned table only per partition, ` +
          `so the key must contain the partition columns`,
      );
  }
}

/**
 * Name of the index zdm builds on a partition for the parent's index `index`: `<partition>_<index>`,
 * fitting 63 bytes.
 */
export function partitionIndexName(partition: QualifiedName, index: string): string {
  return generatedName(partition.name, index);
}

/** The index of the root (named by the user) and of every partition (generated), by table key. */
export function indexTree(table: TableInfo, index: string): Map<string, QualifiedName> {
  const out = new Map<string, QualifiedName>([[tableKey(table), { schema: table.schema, name: index }]]);
  for (const p of partitionsOf(table)) out.set(tableKey(p), { schema: p.schema, name: partitionIndexName(p, index) });
  return out;
}

/** A metadata-only statement holding the same `mode` on each of `relations` until its transaction commits
 * (ddl.briefLocks takes a mode per relation). */
export function briefLocksOn(relations: QualifiedName[], mode: Impact['locks'][number]['mode']): Impact {
  return ddl.briefLocks(relations.map((r) => ({ relation: name(r), mode })));
}

/** Reads one partition while holding `mode` on it (an index build, a VALIDATE). */
export function partitionScan(p: PartitionInfo, mode: Impact['locks'][number]['mode']): Impact {
  return {
    locks: [{ relation: name(p), mode }],
    lockDuration: 'scan',
    rewritesTable: false,
    scansTable: true,
    estimatedRows: p.estimatedRows,
  };
}

/** The impact with one more lock taken (on another table). */
export function withLock(impact: Impact, relation: QualifiedName, mode: Impact['locks'][number]['mode']): Impact {
  return { ...impact, locks: [...impact.locks, { relation: name(relation), mode }] };
}

/**
 * First statement of a step whose lock an application statement may request half-way through
 * (a partition, or a partition's index, opened only when a row is routed to it): waiting long for
 * it while the application's statement waits on a row another one holds is a deadlock Postgres
 * resolves by aborting the application's statement. Waiting at most this long (below
 * deadlock_timeout), zdm gives way first and the step is retried with backoff.
 */
export const SHORT_LOCK_WAIT = `SET LOCAL lock_timeout = '${FOLLOW_UP_LOCK_TIMEOUT_MS}ms'`;

/**
 * First statement of a transactional step that changes a partitioned table's whole tree with a
 * statement whose first lock is weaker than ACCESS EXCLUSIVE (DROP TRIGGER takes SHARE ROW
 * EXCLUSIVE on the parent, then ACCESS EXCLUSIVE on each partition): readers then pass the parent
 * and a reader waiting on one partition while holding another is a deadlock (seen on 15). `LOCK
 * TABLE` without ONLY takes the parent first, then every partition. [] for a plain table.
 */
export function lockTreeFirst(table: TableInfo): string[] {
  return isPartitioned(table) ? [`LOCK TABLE ${quoteQualified(table)} IN ACCESS EXCLUSIVE MODE`] : [];
}

/**
 * contract: the partition indexes Postgres made itself for the parent's index `root` (on a
 * partition created or attached during the window, named by Postgres after the columns, so after a
 * copy column: `readings_2024_03_qty_zdm_new_idx`) take the name zdm gives a partition's index,
 * partitionIndexName, computed here as generatedName does (63 bytes, else truncated + sha256).
 * Their names are known only at run time; a name already taken is left as it is.
 */
export function renameWindowPartitionIndexes(root: QualifiedName): string {
  return `DO $zdm$
DECLARE r record; wanted text; head text; hash text;
BEGIN
  FOR r IN SELECT n.nspname, c.relname, tc.relname AS tbl
             FROM pg_partition_tree(to_regclass(${quoteLiteral(quoteQualified(root))})) t
             JOIN pg_class c ON c.oid = t.relid JOIN pg_namespace n ON n.oid = c.relnamespace
             JOIN pg_index i ON i.indexrelid = c.oid JOIN pg_class tc ON tc.oid = i.indrelid
            WHERE t.level > 0 AND strpos(c.relname, 'zdm') > 0 LOOP
    wanted := r.tbl || '_' || ${quoteLiteral(root.name)};
    IF octet_length(wanted) > 63 THEN
      hash := left(encode(sha256(convert_to(wanted, 'UTF8')), 'hex'), 8);
      head := wanted;
      WHILE octet_length(head || '_' || hash) > 63 LOOP head := left(head, -1); END LOOP;
      wanted := head || '_' || hash;
    END IF;
    IF wanted <> r.relname AND to_regclass(format('%I.%I', r.nspname, wanted)) IS NULL THEN
      EXECUTE format('ALTER INDEX %I.%I RENAME TO %I', r.nspname, r.relname, wanted);
    END IF;
  END LOOP;
END $zdm$`;
}

/**
 * contract: the constraints named `from` on the partitions of `root` (a foreign key's clones, which
 * keep their name when the parent's is renamed; on a partition created during the window too) take
 * the name `to`, as the partitions' constraints of a key added by a plain ALTER are named after the
 * parent's. Found at run time; a partition that already has a constraint `to` keeps its own.
 */
export function renamePartitionConstraints(root: QualifiedName, from: string, to: string): string {
  return `DO $zdm$
DECLARE r record;
BEGIN
  FOR r IN SELECT c.conrelid::regclass AS rel
             FROM pg_partition_tree(to_regclass(${quoteLiteral(quoteQualified(root))})) t
             JOIN pg_constraint c ON c.conrelid = t.relid
            WHERE t.level > 0 AND c.conname = ${quoteLiteral(from)}
              AND NOT EXISTS (SELECT 1 FROM pg_constraint o WHERE o.conrelid = c.conrelid AND o.conname = ${quoteLiteral(to)}) LOOP
    EXECUTE format('ALTER TABLE %s RENAME CONSTRAINT %I TO %I', r.rel, ${quoteLiteral(from)}, ${quoteLiteral(to)});
  END LOOP;
END $zdm$`;
}
