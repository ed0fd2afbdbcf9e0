/**
 * The table-level lock each statement takes, from Postgres's AlterTableGetLockLevel and the facts
 * verified on PG 15 with pg_locks per statement (each rule's "Why" in src/lint/rules/README.md).
 */
import type { AlterTableCmd, AlterTableStmt, Constraint, Node, RangeVar } from 'libpg-query';
import { optionOn } from '../sql/options.js';
import { as, rangeVarParts, strings } from './ast.js';

export const LockMode = {
  AccessShare: 1,
  RowShare: 2,
  RowExclusive: 3,
  ShareUpdateExclusive: 4,
  Share: 5,
  ShareRowExclusive: 6,
  Exclusive: 7,
  AccessExclusive: 8,
} as const;
export type LockModeValue = (typeof LockMode)[keyof typeof LockMode];

export const LOCK_NAMES: Record<LockModeValue, string> = {
  1: 'ACCESS SHARE',
  2: 'ROW SHARE',
  3: 'ROW EXCLUSIVE',
  4: 'SHARE UPDATE EXCLUSIVE',
  5: 'SHARE',
  6: 'SHARE ROW EXCLUSIVE',
  7: 'EXCLUSIVE',
  8: 'ACCESS EXCLUSIVE',
};

/** What a lock mode blocks for other sessions, for messages. */
export function blocks(mode: LockModeValue): string {
  if (mode >= LockMode.AccessExclusive) return 'blocks reads and writes';
  if (mode >= LockMode.Share) return 'blocks writes (reads continue)';
  if (mode >= LockMode.ShareUpdateExclusive)
    return 'blocks other schema changes and VACUUM (reads and writes continue)';
  return 'blocks only ACCESS EXCLUSIVE';
}

/** A relation as written (unresolved), with the lock the statement takes on it. */
export interface LockTarget {
  relation: { schema: string | undefined; name: string };
  mode: LockModeValue;
  /** The name is an index (DROP INDEX / REINDEX INDEX): the lock lands on its table. */
  viaIndex?: boolean;
}

function target(rv: RangeVar | undefined, mode: LockModeValue, viaIndex = false): LockTarget[] {
  const parts = rangeVarParts(rv);
  return parts ? [{ relation: parts, mode, viaIndex }] : [];
}

function nameList(n: Node | undefined): { schema: string | undefined; name: string } | undefined {
  const list = as<{ items?: Node[] }>(n, 'List')?.items;
  const parts = strings(list);
  if (!parts.length) return undefined;
  return { schema: parts.length > 1 ? parts[parts.length - 2] : undefined, name: parts[parts.length - 1]! };
}

/** Lock level of one ALTER TABLE sub-command on the altered table. */
function alterCmdLock(cmd: AlterTableCmd): LockModeValue {
  switch (cmd.subtype) {
    case 'AT_SetStatistics':
    case 'AT_SetOptions':
    case 'AT_ResetOptions':
    case 'AT_ValidateConstraint':
    case 'AT_ClusterOn':
    case 'AT_DropCluster':
    case 'AT_SetRelOptions':
    case 'AT_ResetRelOptions':
    case 'AT_ReplaceRelOptions':
    case 'AT_AttachPartition':
      return LockMode.ShareUpdateExclusive;
    case 'AT_EnableTrig':
    case 'AT_EnableAlwaysTrig':
    case 'AT_EnableReplicaTrig':
    case 'AT_DisableTrig':
    case 'AT_EnableTrigAll':
    case 'AT_DisableTrigAll':
    case 'AT_EnableTrigUser':
    case 'AT_DisableTrigUser':
      return LockMode.ShareRowExclusive;
    case 'AT_AddConstraint': {
      const c = as<Constraint>(cmd.def, 'Constraint');
      return c?.contype === 'CONSTR_FOREIGN' ? LockMode.ShareRowExclusive : LockMode.AccessExclusive;
    }
    default:
      return LockMode.AccessExclusive;
  }
}

/** Tables referenced by FOREIGN KEYs inside a node (locked SHARE ROW EXCLUSIVE while adding). */
function referencedTables(node: unknown): RangeVar[] {
  const out: RangeVar[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (!v || typeof v !== 'object') return;
    const c = (v as { Constraint?: Constraint }).Constraint;
    if (c?.contype === 'CONSTR_FOREIGN' && c.pktable) out.push(c.pktable);
    for (const value of Object.values(v)) visit(value);
  };
  visit(node);
  return out;
}

/** ALTER TABLE: the strongest lock of its commands, plus partitions attached or detached and referenced tables. */
function alterTableLocks(s: AlterTableStmt): LockTarget[] {
  if (s.objtype === 'OBJECT_INDEX') return target(s.relation, LockMode.AccessExclusive, true);
  let mode: LockModeValue = LockMode.AccessShare;
  const extra: LockTarget[] = [];
  for (const c of s.cmds ?? []) {
    const cmd = as<AlterTableCmd>(c, 'AlterTableCmd');
    if (!cmd) continue;
    let m = alterCmdLock(cmd);
    if (cmd.subtype === 'AT_DetachPartition') {
      const concurrent = as<{ concurrent?: boolean; name?: RangeVar }>(cmd.def, 'PartitionCmd');
      if (concurrent?.concurrent) m = LockMode.ShareUpdateExclusive;
      extra.push(
        ...target(concurrent?.name, concurrent?.concurrent ? LockMode.ShareUpdateExclusive : LockMode.AccessExclusive),
      );
    }
    if (cmd.subtype === 'AT_AttachPartition')
      extra.push(...target(as<{ name?: RangeVar }>(cmd.def, 'PartitionCmd')?.name, LockMode.AccessExclusive));
    for (const ref of referencedTables(cmd.def)) extra.push(...target(ref, LockMode.ShareRowExclusive));
    if (m > mode) mode = m;
  }
  return [...target(s.relation, mode), ...extra];
}

/** DROP of a relation (table, index, view, sequence, ...); other DROPs take no table lock worth modelling. */
function dropLocks(body: Record<string, unknown>): LockTarget[] {
  const objects = (body.objects as Node[]) ?? [];
  const type = body.removeType as string;
  if (
    ![
      'OBJECT_TABLE',
      'OBJECT_INDEX',
      'OBJECT_MATVIEW',
      'OBJECT_VIEW',
      'OBJECT_SEQUENCE',
      'OBJECT_FOREIGN_TABLE',
    ].includes(type)
  )
    return [];
  const mode = type === 'OBJECT_INDEX' && body.concurrent ? LockMode.ShareUpdateExclusive : LockMode.AccessExclusive;
  return objects.flatMap((o) => {
    const n = nameList(o);
    return n ? [{ relation: n, mode, viaIndex: type === 'OBJECT_INDEX' }] : [];
  });
}

/** The relations a statement locks and how strongly (undefined: no table lock worth modelling). */
export function statementLocks(kind: string, body: Record<string, unknown>): LockTarget[] {
  switch (kind) {
    case 'AlterTableStmt':
      return alterTableLocks(body as AlterTableStmt);
    case 'IndexStmt':
      return target(body.relation as RangeVar, body.concurrent ? LockMode.ShareUpdateExclusive : LockMode.Share);
    case 'CreateStmt':
      return referencedTables(body).flatMap((rv) => target(rv, LockMode.ShareRowExclusive));
    case 'DropStmt':
      return dropLocks(body);
    case 'TruncateStmt':
      return ((body.relations as Node[]) ?? []).flatMap((r) =>
        target(as<RangeVar>(r, 'RangeVar'), LockMode.AccessExclusive),
      );
    case 'ClusterStmt':
      return target(body.relation as RangeVar, LockMode.AccessExclusive);
    case 'VacuumStmt': {
      const full = optionOn(body.options as Node[], 'full');
      return ((body.rels as Node[]) ?? []).flatMap((r) =>
        target(
          as<{ relation?: RangeVar }>(r, 'VacuumRelation')?.relation,
          full ? LockMode.AccessExclusive : LockMode.ShareUpdateExclusive,
        ),
      );
    }
    case 'ReindexStmt': {
      const concurrent = optionOn(body.params as Node[], 'concurrently');
      const rel = body.relation as RangeVar | undefined;
      return target(
        rel,
        concurrent ? LockMode.ShareUpdateExclusive : LockMode.Share,
        body.kind === 'REINDEX_OBJECT_INDEX',
      );
    }
    case 'RefreshMatViewStmt':
      return target(body.relation as RangeVar, body.concurrent ? LockMode.Exclusive : LockMode.AccessExclusive);
    case 'CreateTrigStmt':
      return target(body.relation as RangeVar, LockMode.ShareRowExclusive);
    case 'RenameStmt': {
      const rel = body.relation as RangeVar | undefined;
      return rel ? target(rel, LockMode.AccessExclusive, body.renameType === 'OBJECT_INDEX') : [];
    }
    case 'AlterObjectSchemaStmt':
      return body.relation ? target(body.relation as RangeVar, LockMode.AccessExclusive) : [];
    case 'LockStmt': {
      const mode = Math.min(8, Math.max(1, Number(body.mode ?? 8))) as LockModeValue;
      return ((body.relations as Node[]) ?? []).flatMap((r) => target(as<RangeVar>(r, 'RangeVar'), mode));
    }
    case 'CommentStmt':
      return [];
    case 'UpdateStmt':
    case 'DeleteStmt':
    case 'InsertStmt':
    case 'MergeStmt':
      return target(body.relation as RangeVar, LockMode.RowExclusive);
    default:
      return [];
  }
}

/**
 * Whether a statement reads every row of the table it locks: an index build, VALIDATE, a
 * constraint added without NOT VALID (CHECK, FOREIGN KEY, PRIMARY KEY/UNIQUE built in place),
 * SET NOT NULL, CLUSTER, VACUUM, REFRESH, a rewrite (SET DATA TYPE, VACUUM FULL). Work on rows
 * (UPDATE, DELETE, ...) is not modelled here: false.
 */
export function statementScans(kind: string, body: Record<string, unknown>): boolean {
  switch (kind) {
    case 'IndexStmt':
    case 'ClusterStmt':
    case 'RefreshMatViewStmt':
      return true;
    case 'VacuumStmt':
      return body.is_vacuumcmd === true;
    case 'AlterTableStmt':
      return ((body as AlterTableStmt).cmds ?? []).some((c) => {
        const cmd = as<AlterTableCmd>(c, 'AlterTableCmd');
        if (!cmd) return false;
        if (['AT_ValidateConstraint', 'AT_SetNotNull', 'AT_AlterColumnType'].includes(cmd.subtype ?? '')) return true;
        const con = cmd.subtype === 'AT_AddConstraint' ? as<Constraint>(cmd.def, 'Constraint') : undefined;
        return con !== undefined && !con.skip_validation && !con.indexname;
      });
    default:
      return false;
  }
}
