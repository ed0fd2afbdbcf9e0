import type pg from 'pg';
import type {
  ColumnDependent,
  ColumnInfo,
  ConstraintInfo,
  IndexInfo,
  InboundForeignKey,
  SequenceInfo,
  PartitionColumn,
  StatisticsInfo,
  TableDependent,
  TableGrant,
  TableInfo,
  TriggerInfo,
  UntrackedFunction,
} from './catalog-model.js';
import {
  FUNCTION_NAME,
  readTableDependents,
  readUntrackedFunctions,
  readWholeRowReaders,
  withDefinitions,
  type DependentRow,
} from './dependents.js';
import { readPartitioning, RELATIONS, type Partitioning } from './partitions.js';

type Queryable = pg.Pool | pg.PoolClient | pg.Client;

/**
 * The tables themselves: pg_class, size, comment and replica identity. A partitioned table has no
 * storage of its own, and autovacuum never analyzes it (reltuples stays -1): its rows and size are
 * its leaf partitions' sums.
 */
const TABLES_SQL = `SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind,
            CASE WHEN c.relkind = 'p'
                 THEN (SELECT COALESCE(sum(GREATEST(l.reltuples, 0)), 0) FROM pg_partition_tree(c.oid) pt
                         JOIN pg_class l ON l.oid = pt.relid WHERE pt.isleaf)
                 ELSE GREATEST(c.reltuples, 0) END::float8 AS reltuples,
            CASE WHEN c.relkind = 'p'
                 THEN (SELECT COALESCE(sum(pg_table_size(pt.relid)), 0) FROM pg_partition_tree(c.oid) pt
                        WHERE pt.isleaf)
                 ELSE pg_table_size(c.oid) END AS size,
            obj_description(c.oid, 'pg_class') AS comment, c.relreplident::text AS replica_identity,
            (SELECT ic.relname FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
              WHERE i.indrelid = c.oid AND i.indisreplident) AS replica_index,
            ARRAY(SELECT ch.oid::regclass::text FROM pg_inherits h JOIN pg_class ch ON ch.oid = h.inhrelid
                   WHERE h.inhparent = c.oid AND NOT ch.relispartition ORDER BY 1) AS inherited_by
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = ANY($1::oid[])`;

/** Columns with their collation, comment, and owned sequence (serial or identity) with its parameters. */
const COLUMNS_SQL = `SELECT a.attrelid::int AS table_oid, a.attname AS name, a.attnum::int AS attnum,
            format_type(a.atttypid, a.atttypmod) AS type, a.atttypid::int AS "typeOid", a.attnotnull AS "notNull",
            pg_get_expr(d.adbin, d.adrelid) AS default, a.attidentity::text AS identity,
            a.attgenerated::text AS generated,
            CASE WHEN a.attcollation <> t.typcollation AND a.attcollation <> 0
                 THEN quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END AS collation,
            col_description(a.attrelid, a.attnum) AS comment,
            sn.nspname AS seq_schema, s.relname AS seq_name,
            CASE WHEN ps.seqrelid IS NOT NULL THEN json_build_object('type', format_type(ps.seqtypid, NULL),
                 'start', ps.seqstart::text, 'increment', ps.seqincrement::text, 'min', ps.seqmin::text,
                 'max', ps.seqmax::text, 'cache', ps.seqcache::text, 'cycle', ps.seqcycle) END AS seq
       FROM pg_attribute a
       JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
       LEFT JOIN pg_collation co ON co.oid = a.attcollation
       LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
       LEFT JOIN pg_depend dep ON dep.refclassid = 'pg_class'::regclass AND dep.refobjid = a.attrelid
                              AND dep.refobjsubid = a.attnum
                              AND dep.classid = 'pg_class'::regclass AND dep.deptype IN ('a', 'i')
                              AND EXISTS (SELECT 1 FROM pg_class sq WHERE sq.oid = dep.objid AND sq.relkind = 'S')
       LEFT JOIN pg_class s ON s.oid = dep.objid
       LEFT JOIN pg_namespace sn ON sn.oid = s.relnamespace
       LEFT JOIN pg_sequence ps ON ps.seqrelid = s.oid
      WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attrelid, a.attnum`;

/**
 * Indexes with the columns they use: key and INCLUDE columns (indkey), plus columns of expressions
 * and predicates (pg_depend of the index, or of its constraint for constraint-backed indexes, whose
 * own pg_depend rows point at the constraint instead of the columns). keyColumns: see
 * IndexInfo.keyColumns; indkey/indclass/indcollation are 0-based vectors, the first indnkeyatts are
 * the keys.
 */
const INDEXES_SQL = `SELECT i.indrelid::int AS table_oid, ic.relname AS name, n.nspname AS schema,
            pg_get_indexdef(i.indexrelid) AS definition,
            i.indisunique AS unique, i.indisprimary AS primary, i.indisvalid AS valid,
            ARRAY(SELECT DISTINCT a.attname::text FROM pg_attribute a
                   WHERE a.attrelid = i.indrelid AND a.attnum > 0 AND NOT a.attisdropped
                     AND (a.attnum = ANY (i.indkey::int2[])
                          OR a.attnum IN (SELECT d.refobjsubid FROM pg_depend d
                                           WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = i.indrelid
                                             AND ((d.classid = 'pg_class'::regclass AND d.objid = i.indexrelid)
                                               OR (d.classid = 'pg_constraint'::regclass
                                                   AND d.objid IN (SELECT oid FROM pg_constraint
                                                                    WHERE conindid = i.indexrelid
                                                                      AND conrelid = i.indrelid)))))
                   ORDER BY 1) AS columns,
            con.conname AS constraint,
            CASE WHEN i.indpred IS NULL AND am.amname = 'btree' AND NOT EXISTS (
                   SELECT 1 FROM generate_series(0, i.indnkeyatts - 1) k
                     LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k]
                     LEFT JOIN pg_opclass oc ON oc.oid = i.indclass[k]
                    WHERE a.attnum IS NULL OR NOT oc.opcdefault OR i.indcollation[k] <> a.attcollation)
                 THEN ARRAY(SELECT a.attname::text FROM generate_series(0, i.indnkeyatts - 1) k
                             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k] ORDER BY k)
            END AS "keyColumns"
       FROM pg_index i
       JOIN pg_am am ON am.oid = (SELECT relam FROM pg_class WHERE oid = i.indexrelid)
       JOIN pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_namespace n ON n.oid = ic.relnamespace
       LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
                                  AND con.contype IN ('p', 'u', 'x')
      WHERE i.indrelid = ANY($1::oid[])
      ORDER BY ic.relname`;

/** Constraints of the tables, with the referenced table and columns of foreign keys. */
const CONSTRAINTS_SQL = `SELECT c.conrelid::int AS table_oid, c.conname AS name, c.contype::text AS type,
            pg_get_constraintdef(c.oid) AS definition, c.convalidated AS validated,
            ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
                   JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
            rn.nspname AS ref_schema, rc.relname AS ref_name,
            CASE WHEN c.contype = 'f'
                 THEN ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(attnum, ord)
                             JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.ord)
            END AS ref_columns,
            ci.relname AS index
       FROM pg_constraint c
       LEFT JOIN pg_class rc ON rc.oid = c.confrelid
       LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
       LEFT JOIN pg_class ci ON ci.oid = c.conindid
      WHERE c.conrelid = ANY($1::oid[])
      ORDER BY c.conname`;

/**
 * Foreign keys on other tables that reference these; a partitioned table's key once, on the table
 * (its partitions' clones, conparentid set, follow it).
 */
const INBOUND_SQL = `SELECT c.confrelid::int AS ref_oid, c.conname AS name, n.nspname AS schema, t.relname AS tname,
            ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
                   JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
            ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(attnum, ord)
                   JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum
                  ORDER BY k.ord) AS "referencedColumns",
            pg_get_constraintdef(c.oid) AS definition, c.convalidated AS validated
       FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE c.contype = 'f' AND c.confrelid = ANY($1::oid[]) AND c.conparentid = 0
      ORDER BY c.conname`;

/** The partition (as jsonb {schema, name}: rows go through DISTINCT) a row is on, or null when it is on the table itself. */
const ON_PARTITION = `CASE WHEN rels.rel <> rels.root THEN (SELECT jsonb_build_object('schema', pn.nspname, 'name', pc.relname)
              FROM pg_class pc JOIN pg_namespace pn ON pn.oid = pc.relnamespace WHERE pc.oid = rels.rel) END`;

/**
 * Objects that depend on a column other than the table's own indexes and constraints (read
 * above) and foreign keys of other tables (referencedBy): views and rules (pg_rewrite), triggers,
 * policies, generated columns, SQL-standard (BEGIN ATOMIC) function bodies (pg_proc, PG14+) and
 * publication column lists and row filters (pg_publication_rel, PG15+). Every other normal
 * dependency is read too, as `other` named by pg_describe_object, so that no dependent Postgres
 * would refuse a DROP COLUMN for first surfaces at contract. Views get their definition (withViews).
 */
const DEPENDENTS_SQL = `${RELATIONS}
     SELECT DISTINCT rels.root::int AS table_oid, a.attname AS column,
            CASE d.classid
              WHEN 'pg_rewrite'::regclass
                THEN CASE WHEN r.ev_class <> d.refobjid AND vc.relkind IN ('v', 'm') THEN 'view' ELSE 'rule' END
              WHEN 'pg_trigger'::regclass THEN 'trigger'
              WHEN 'pg_policy'::regclass THEN 'policy'
              WHEN 'pg_attrdef'::regclass THEN 'generated column'
              WHEN 'pg_statistic_ext'::regclass THEN 'statistics'
              WHEN 'pg_proc'::regclass THEN 'function'
              WHEN 'pg_publication_rel'::regclass THEN 'publication'
              ELSE 'other' END AS kind,
            COALESCE(vn.nspname || '.' || vc.relname, tg.tgname, pol.polname, se.stxname, ad_a.attname,
                     ${FUNCTION_NAME},
                     pub.pubname, pg_describe_object(d.classid, d.objid, d.objsubid)) AS name,
            CASE WHEN r.ev_class <> d.refobjid AND vc.relkind IN ('v', 'm') THEN vc.oid::int END AS view_oid,
            d.objid::int AS objid, ${ON_PARTITION} AS "on"
       FROM rels JOIN pg_depend d ON d.refobjid = rels.rel
       JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
       LEFT JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid
       LEFT JOIN pg_class vc ON vc.oid = r.ev_class
       LEFT JOIN pg_namespace vn ON vn.oid = vc.relnamespace
       LEFT JOIN pg_trigger tg ON d.classid = 'pg_trigger'::regclass AND tg.oid = d.objid
       LEFT JOIN pg_policy pol ON d.classid = 'pg_policy'::regclass AND pol.oid = d.objid
       LEFT JOIN pg_statistic_ext se ON d.classid = 'pg_statistic_ext'::regclass AND se.oid = d.objid
       LEFT JOIN pg_attrdef ad ON d.classid = 'pg_attrdef'::regclass AND ad.oid = d.objid
       LEFT JOIN pg_attribute ad_a ON ad_a.attrelid = ad.adrelid AND ad_a.attnum = ad.adnum
       LEFT JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
       LEFT JOIN pg_namespace pn ON pn.oid = p.pronamespace
       LEFT JOIN pg_publication_rel pr ON d.classid = 'pg_publication_rel'::regclass AND pr.oid = d.objid
       LEFT JOIN pg_publication pub ON pub.oid = pr.prpubid
      WHERE d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0
        AND ((d.deptype = 'n'
              -- a partition's generated columns and the triggers cloned from the table's follow the table's own
              AND NOT (rels.rel <> rels.root
                       AND (d.classid = 'pg_attrdef'::regclass OR COALESCE(tg.tgparentid, 0) <> 0))
              -- foreign keys of other tables are read as referencedBy
              AND d.classid <> 'pg_constraint'::regclass
              AND NOT (d.classid = 'pg_attrdef'::regclass AND ad_a.attnum = a.attnum))
          -- a partition's own index or constraint (not the table's, attached or inherited), which DROP
          -- COLUMN drops silently with the column: as other, named by pg_describe_object
          OR (rels.rel <> rels.root AND d.deptype = 'a'
              AND ((d.classid = 'pg_class'::regclass AND EXISTS (SELECT FROM pg_index x WHERE x.indexrelid = d.objid)
                    AND NOT EXISTS (SELECT FROM pg_inherits h WHERE h.inhrelid = d.objid))
                OR (d.classid = 'pg_constraint'::regclass
                    AND EXISTS (SELECT FROM pg_constraint k WHERE k.oid = d.objid AND k.coninhcount = 0
                                   AND k.conparentid = 0 AND k.contype <> 'n')))))
      ORDER BY 1, 2, 3, 4`;

/** Table privileges granted to roles other than the owner. */
const GRANTS_SQL = `SELECT c.oid::int AS table_oid,
            CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee)::text END AS grantee,
            a.privilege_type AS privilege, a.is_grantable AS grantable
       FROM pg_class c, aclexplode(c.relacl) a
      WHERE c.oid = ANY($1::oid[]) AND a.grantee <> c.relowner
      ORDER BY 2, 3`;

/** Column privileges granted to roles other than the table's owner. */
const COLUMN_GRANTS_SQL = `SELECT a.attrelid::int AS table_oid, a.attname AS column,
            CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x.grantee)::text END AS grantee,
            x.privilege_type AS privilege, x.is_grantable AS grantable
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid, aclexplode(a.attacl) x
      WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped AND x.grantee <> c.relowner
      ORDER BY 3, 4`;

const TRIGGERS_SQL = `SELECT tgrelid::int AS table_oid, tgname AS name, pg_get_triggerdef(oid) AS definition,
            tgenabled <> 'D' AS enabled
       FROM pg_trigger WHERE tgrelid = ANY($1::oid[]) AND NOT tgisinternal ORDER BY tgname`;

/**
 * Extended statistics objects with the columns they cover (pg_depend: keys and expressions alike),
 * the partitions' too (their definition names the partition).
 */
const STATISTICS_SQL = `${RELATIONS}
     SELECT rels.root::int AS table_oid, n.nspname AS schema, se.stxname AS name,
            pg_get_statisticsobjdef(se.oid) AS definition,
            ARRAY(SELECT DISTINCT a.attname::text FROM pg_depend d
                    JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                   WHERE d.classid = 'pg_statistic_ext'::regclass AND d.objid = se.oid AND d.refobjsubid > 0
                   ORDER BY 1) AS columns,
            obj_description(se.oid, 'pg_statistic_ext') AS comment,
            -- -1 before PG 17, NULL from 17: the default target
            NULLIF(se.stxstattarget::int, -1) AS target
       FROM rels JOIN pg_statistic_ext se ON se.stxrelid = rels.rel JOIN pg_namespace n ON n.oid = se.stxnamespace
      ORDER BY se.stxname`;

/**
 * The partitions' columns that have a comment or privileges of their own (not the table's), or a
 * NOT NULL of their own (the table's column allows NULL).
 */
const PARTITION_COLUMNS_SQL = `${RELATIONS}
     SELECT rels.root::int AS table_oid, ${ON_PARTITION} AS partition, a.attname AS column,
            col_description(a.attrelid, a.attnum) AS comment, a.attnotnull AND NOT ra.attnotnull AS "notNull",
            COALESCE((SELECT json_agg(json_build_object('grantee', CASE WHEN x.grantee = 0 THEN 'PUBLIC'
                                        ELSE pg_get_userbyid(x.grantee)::text END,
                                      'privilege', x.privilege_type, 'grantable', x.is_grantable)
                                      ORDER BY x.grantee, x.privilege_type)
                        FROM aclexplode(a.attacl) x WHERE x.grantee <> c.relowner), '[]') AS grants
       FROM rels JOIN pg_class c ON c.oid = rels.rel JOIN pg_attribute a ON a.attrelid = rels.rel
       JOIN pg_attribute ra ON ra.attrelid = rels.root AND ra.attname = a.attname
      WHERE rels.rel <> rels.root AND a.attnum > 0 AND NOT a.attisdropped
        AND (a.attacl IS NOT NULL OR col_description(a.attrelid, a.attnum) IS NOT NULL
             OR (a.attnotnull AND NOT ra.attnotnull))
      ORDER BY rels.rel::regclass::text, a.attnum`;

interface TableRow {
  oid: number;
  schema: string;
  name: string;
  relkind: string;
  reltuples: number;
  size: string;
  comment: string | null;
  replica_identity: TableInfo['replicaIdentity'];
  replica_index: string | null;
  inherited_by: string[];
}
type OfTable<T> = T & { table_oid: number };
type ColumnRow = OfTable<
  Omit<ColumnInfo, 'grants'> & { seq_schema: string | null; seq_name: string | null; seq: SequenceInfo | null }
>;
type IndexRow = OfTable<Omit<IndexInfo, 'keyColumns'> & { keyColumns: string[] | null }>;
type ConstraintRow = OfTable<
  ConstraintInfo & { ref_schema: string | null; ref_name: string | null; ref_columns: string[] | null }
>;
type InboundRow = InboundForeignKey & { ref_oid: number; schema: string; tname: string };
type ColumnGrantRow = OfTable<TableGrant & { column: string }>;

/** Every query's rows for a set of tables, read one query after the other on the same client. */
interface TableRows {
  tables: TableRow[];
  columns: ColumnRow[];
  indexes: IndexRow[];
  constraints: ConstraintRow[];
  inbound: InboundRow[];
  dependents: OfTable<ColumnDependent>[];
  tableDependents: OfTable<TableDependent>[];
  untracked: OfTable<UntrackedFunction>[];
  wholeRow: { table_oid: number; description: string }[];
  grants: OfTable<TableGrant>[];
  columnGrants: ColumnGrantRow[];
  triggers: OfTable<TriggerInfo>[];
  statistics: OfTable<StatisticsInfo>[];
  partitionColumns: OfTable<PartitionColumn>[];
  partitioning: Map<number, Partitioning>;
}

async function rowsFor<T extends pg.QueryResultRow>(client: Queryable, sql: string, oids: number[]): Promise<T[]> {
  return (await client.query<T>(sql, [oids])).rows;
}

async function readRows(client: Queryable, oids: number[]): Promise<TableRows> {
  const tables = await rowsFor<TableRow>(client, TABLES_SQL, oids);
  const columns = await rowsFor<ColumnRow>(client, COLUMNS_SQL, oids);
  const indexes = await rowsFor<IndexRow>(client, INDEXES_SQL, oids);
  const constraints = await rowsFor<ConstraintRow>(client, CONSTRAINTS_SQL, oids);
  const inbound = await rowsFor<InboundRow>(client, INBOUND_SQL, oids);
  const dependents = await withDefinitions(client, await rowsFor<DependentRow>(client, DEPENDENTS_SQL, oids));
  const tableDependents = await readTableDependents(client, oids);
  const untracked = await readUntrackedFunctions(client, oids);
  const wholeRow = await readWholeRowReaders(client, oids);
  const grants = await rowsFor<OfTable<TableGrant>>(client, GRANTS_SQL, oids);
  const columnGrants = await rowsFor<ColumnGrantRow>(client, COLUMN_GRANTS_SQL, oids);
  const triggers = await rowsFor<OfTable<TriggerInfo>>(client, TRIGGERS_SQL, oids);
  const statistics = await rowsFor<OfTable<StatisticsInfo>>(client, STATISTICS_SQL, oids);
  const partitionColumns = await rowsFor<OfTable<PartitionColumn>>(client, PARTITION_COLUMNS_SQL, oids);
  const partitioned = tables.filter((t) => t.relkind === 'p').map((t) => t.oid);
  const partitioning = await readPartitioning(client, partitioned);
  return {
    ...{ tables, columns, indexes, constraints, inbound, dependents, untracked, grants, columnGrants, triggers },
    statistics,
    partitionColumns,
    partitioning,
    tableDependents,
    wholeRow,
  };
}

/** The rows of one table, without the table_oid they were matched on. */
function ofTable<T>(rows: OfTable<T>[], oid: number): T[] {
  return rows.filter((r) => r.table_oid === oid).map(({ table_oid: _t, ...r }) => r as T);
}

function toColumn(
  { seq_schema, seq_name, seq, ...c }: Omit<ColumnRow, 'table_oid'>,
  grants: Omit<ColumnGrantRow, 'table_oid'>[],
): ColumnInfo {
  return {
    ...c,
    sequence: seq,
    identity: c.identity,
    generated: c.generated,
    ownedSequence: seq_schema && seq_name ? { schema: seq_schema, name: seq_name } : null,
    grants: grants
      .filter((g) => g.column === c.name)
      .map(({ grantee, privilege, grantable }) => ({ grantee, privilege, grantable })),
  };
}

function toIndex({ keyColumns, ...i }: Omit<IndexRow, 'table_oid'>): IndexInfo {
  return keyColumns ? { ...i, keyColumns } : i;
}

function toConstraint({ ref_schema, ref_name, ref_columns, ...c }: Omit<ConstraintRow, 'table_oid'>): ConstraintInfo {
  return {
    ...c,
    references:
      ref_schema && ref_name ? { table: { schema: ref_schema, name: ref_name }, columns: ref_columns ?? [] } : null,
  };
}

function toTable(t: TableRow, rows: TableRows): TableInfo {
  const constraints = ofTable(rows.constraints, t.oid).map(toConstraint);
  const pk = constraints.find((c) => c.type === 'p');
  const columnGrants = ofTable(rows.columnGrants, t.oid);
  return {
    oid: t.oid,
    schema: t.schema,
    name: t.name,
    relkind: t.relkind,
    estimatedRows: Math.round(t.reltuples),
    sizeBytes: Number(t.size),
    columns: ofTable(rows.columns, t.oid).map((c) => toColumn(c, columnGrants)),
    primaryKey: pk ? { name: pk.name, columns: pk.columns } : null,
    indexes: ofTable(rows.indexes, t.oid).map(toIndex),
    constraints,
    referencedBy: rows.inbound
      .filter((f) => f.ref_oid === t.oid)
      .map(({ ref_oid: _r, schema, tname, ...f }) => ({ ...f, table: { schema, name: tname } })),
    dependents: ofTable(rows.dependents, t.oid),
    tableDependents: ofTable(rows.tableDependents, t.oid),
    untrackedFunctions: ofTable(rows.untracked, t.oid),
    wholeRowReaders: rows.wholeRow.filter((r) => r.table_oid === t.oid).map((r) => r.description),
    triggers: ofTable(rows.triggers, t.oid),
    statistics: ofTable(rows.statistics, t.oid),
    grants: ofTable(rows.grants, t.oid),
    comment: t.comment,
    replicaIdentity: t.replica_identity,
    replicaIdentityIndex: t.replica_index,
    ...(rows.partitioning.has(t.oid)
      ? { partitioning: rows.partitioning.get(t.oid)!, partitionColumns: ofTable(rows.partitionColumns, t.oid) }
      : {}),
    ...(t.inherited_by.length > 0 ? { inheritedBy: t.inherited_by } : {}),
  };
}

/** Everything the planner knows about the tables with these oids, in a fixed number of queries. */
export async function readTables(client: Queryable, oids: number[]): Promise<TableInfo[]> {
  if (oids.length === 0) return [];
  const rows = await readRows(client, oids);
  return rows.tables.map((t) => toTable(t, rows));
}
