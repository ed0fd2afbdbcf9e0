import { tableKey, type TableInfo } from '../db/catalog.js';
import { displayName, quoteIdent } from '../db/quote.js';
import { rowWalk, type RowWalk } from '../operations/support/row-key.js';
import type { BackfillContribution } from '../operations/types.js';
import { backfillTriggersNote } from './backfill-triggers.js';
import type { BackfillStep, LockTaken, PhaseNote } from './types.js';
import { innerPartitions, isPartitioned, leafPartitions, name } from '../operations/support/partitions.js';

/** TID range scans (`ctid >= ... AND ctid < ...` read as a block range) exist from PostgreSQL 14. */
const TID_RANGE_SCAN_VERSION = 140000;

interface BackfillPlanning {
  serverVersionNum: number;
  report(op: number, message: string): void;
  note(note: PhaseNote): void;
}

/** One backfill pass per table, serving every operation that contributed to it. */
export function backfillSteps(
  contributions: { op: number; c: BackfillContribution }[],
  p: BackfillPlanning,
): BackfillStep[] {
  const byTable = new Map<string, { ops: number[]; c: BackfillContribution[] }>();
  for (const { op, c } of contributions) {
    const key = tableKey(c.table);
    const entry = byTable.get(key) ?? { ops: [], c: [] };
    entry.ops.push(op);
    entry.c.push(c);
    byTable.set(key, entry);
  }
  const steps: BackfillStep[] = [];
  for (const { ops, c } of byTable.values()) {
    const table = c[0]!.table;
    const walk = rowWalk(table);
    const refused =
      inheritanceRefusal(table, c) ?? (walk.kind === 'ctid' ? ctidRefusal(table, p.serverVersionNum) : undefined);
    if (refused) {
      p.report(ops[0]!, refused);
      continue;
    }
    if (walk.kind === 'ctid') p.note({ phase: 'backfill', text: ctidNote(table) });
    const t = { schema: table.schema, name: table.name };
    const assigned = c.flatMap((x) => x.assignments.map((a) => a.column));
    const triggers = backfillTriggersNote(table, assigned);
    if (triggers) p.note({ phase: 'backfill', text: triggers });
    const columns = assigned.map(quoteIdent).join(', ');
    steps.push({
      kind: 'backfill',
      id: `backfill:${displayName(t)}:backfill:1`,
      phase: 'backfill',
      operations: [...new Set(ops)],
      description: `copy data into ${columns} for every existing row of ${displayName(t)}, ${walkText(table, walk)}`,
      table: t,
      ...walkFields(table, walk),
      ...(isPartitioned(table) ? { partitions: leafPartitions(table).map(name) } : {}),
      assignments: c.flatMap((x) => x.assignments),
      pending: c.length === 1 ? c[0]!.pending : c.map((x) => `(${x.pending})`).join(' OR '),
      impact: {
        locks: backfillLocks(table, c),
        lockDuration: 'per-batch',
        rewritesTable: false,
        scansTable: false,
        estimatedRows: table.estimatedRows,
      },
    });
  }
  return steps;
}

function walkFields(table: TableInfo, walk: RowWalk): Pick<BackfillStep, 'key' | 'keyIndex' | 'walk'> {
  if (walk.kind === 'ctid') return { key: [], walk: 'ctid' };
  const key = walk.columns.map((name) => ({ name, type: table.columns.find((col) => col.name === name)!.type }));
  return walk.kind === 'unique-index' ? { key, keyIndex: walk.index } : { key };
}

function walkText(table: TableInfo, walk: RowWalk): string {
  const leaves = leafPartitions(table);
  const by = isPartitioned(table)
    ? `partition by partition (${leaves.length} leaf partition${leaves.length === 1 ? '' : 's'}, ` +
      `each batch within one), `
    : '';
  return by + walkWithin(walk);
}

function walkWithin(walk: RowWalk): string {
  if (walk.kind === 'ctid')
    return (
      'in batches of physical position (ctid block ranges: ' +
      'the table has no primary key and no unique index on NOT NULL columns)'
    );
  const on = `in keyset batches on (${walk.columns.map(quoteIdent).join(', ')})`;
  return walk.kind === 'unique-index'
    ? `${on} (unique index ${quoteIdent(walk.index)}: the table has no primary key)`
    : on;
}

/**
 * Old-style inheritance children are not partitions: Postgres fires a row trigger only on the table
 * a row is in, so the dual-write trigger on the parent would not keep their rows in step (measured:
 * rows written to a child during the window, directly or through the parent, differed at the
 * switch verify). Refused here rather than failing at switch.
 */
function inheritanceRefusal(table: TableInfo, c: BackfillContribution[]): string | undefined {
  if (!table.inheritedBy?.length) return undefined;
  const columns = [...new Set(c.flatMap((x) => x.assignments.map((a) => a.column)))].map(quoteIdent).join(', ');
  return (
    `table ${displayName(table)} has child tables by inheritance ` +
    `(${table.inheritedBy.join(', ')}): zdm would keep ${columns} in step with a trigger ` +
    `on ${displayName(table)} alone, and Postgres does not fire it for rows in the child ` +
    `tables, so their rows written during the window would differ; ` +
    `change the children first (or convert the tree to declarative partitioning)`
  );
}

/** Why a table with no key at all cannot be walked by position here; undefined when it can. */
function ctidRefusal(table: TableInfo, serverVersionNum: number): string | undefined {
  const missing = `table ${displayName(table)} has no primary key and no unique index on NOT NULL columns`;
  const foreign = leafPartitions(table).filter((p) => p.relkind === 'f');
  if (foreign.length > 0)
    return (
      `${missing}, and its partition(s) ${foreign.map((p) => displayName(p)).join(', ')} are ` +
      `foreign tables, which cannot be walked by physical position; ` +
      `add one first (addPrimaryKey, or a unique index on NOT NULL columns)`
    );
  if (serverVersionNum < TID_RANGE_SCAN_VERSION)
    return (
      `${missing}; walking it by physical position needs a TID range scan (PostgreSQL 14 and ` +
      `later: before, every batch would read the whole table); add one first (addPrimaryKey, ` +
      `or addUnique on NOT NULL columns)`
    );
  return undefined;
}

function ctidNote(table: TableInfo): string {
  return (
    `${displayName(table)} has no primary key and no unique index on NOT NULL columns: ` +
    `its backfill walks ${isPartitioned(table) ? 'each leaf partition' : 'it'} by physical ` +
    `position (ctid block ranges up to ` +
    `the ${isPartitioned(table) ? "partition's size when the walk reaches it" : "table's size at the start"}, ` +
    `each read with a TID range scan). Rows the application updates or inserts meanwhile move ` +
    `to other blocks, possibly ones already passed: the dual-write trigger writes their new ` +
    `columns itself, and the switch verify checks every row. A table rewrite during the ` +
    `backfill (VACUUM FULL, CLUSTER, pg_repack) would move every row: do not run one then`
  );
}

/**
 * ROW EXCLUSIVE on the table (the batch's UPDATE) and ROW SHARE on each table a written column's
 * foreign key references (the key check of every changed row takes FOR KEY SHARE there).
 */
function backfillLocks(table: TableInfo, c: BackfillContribution[]): LockTaken[] {
  const t = { schema: table.schema, name: table.name };
  const written = new Set(c.flatMap((x) => x.assignments.map((a) => a.column)));
  const referenced = [
    ...table.constraints
      .filter((k) => k.type === 'f' && k.references && k.columns.some((col) => written.has(col)))
      .map((k) => k.references!.table),
    ...c.flatMap((x) => x.keyChecks ?? []),
  ].filter((r) => tableKey(r) !== tableKey(t));
  const unique = [...new Map(referenced.map((r) => [tableKey(r), r])).values()];
  // A partitioned table's batches update one leaf at a time (ROW EXCLUSIVE there); the root and the
  // sub-partitioned tables are only read (the leaf's partition constraint opens its parents; trace harness).
  const writes: LockTaken[] = isPartitioned(table)
    ? [
        { relation: t, mode: 'ACCESS SHARE' },
        ...innerPartitions(table).map((p) => ({ relation: name(p), mode: 'ACCESS SHARE' as const })),
        ...leafPartitions(table).map((p) => ({ relation: name(p), mode: 'ROW EXCLUSIVE' as const })),
      ]
    : [{ relation: t, mode: 'ROW EXCLUSIVE' }];
  return [...writes, ...unique.map((r) => ({ relation: r, mode: 'ROW SHARE' as const }))];
}
