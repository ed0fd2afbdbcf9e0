import type pg from 'pg';
import { readCatalog, type Catalog, type TableInfo } from '../db/catalog.js';
import { quoteIdent, type QualifiedName } from '../db/quote.js';
import * as objects from './objects.js';
import { indexesSql, partitionColumnsSql, treeOids } from './partitions.js';
import { grantsSql, rulesSql } from './privileges.js';
import { createTableSql, ownedBySql, tableExtrasSql } from './tables.js';

/** What recreates the touched tables on the throwaway server, in order, around the sample's load. */
export interface SchemaScript {
  /** Extensions, roles, types, functions, sequences: a failure is retried after the tables. */
  before: string[];
  tables: string[];
  /** Tables whose rows are sampled (partitioned tables through their root). */
  sampled: QualifiedName[];
  foreignKeyColumns: { child: QualifiedName; columns: string[]; parent: QualifiedName; parentColumns: string[] }[];
  /** Constraints and indexes, built once the sample is loaded. */
  afterLoad: string[];
  foreignKeys: string[];
  /** Triggers, policies, statistics, comments, views, publications, rules, grants: a failure is a note. */
  late: { name: string; sql: string }[];
  notes: string[];
}

/**
 * Reads, read-only and in one snapshot, everything the rehearsal recreates: the tables the plan
 * read (their partitions with what each has of its own, and the tables their foreign keys reference), their columns, types,
 * defaults, constraints, indexes, triggers, sequences, enum and domain types, the functions they
 * call, dependent views, policies, publications, rules and grants (to roles created there). Names print fully qualified (search_path is
 * pg_catalog in this transaction).
 */
export async function readSchemaScript(
  client: pg.ClientBase,
  planned: Catalog,
  functionNames: string[],
): Promise<SchemaScript> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    await client.query('SET LOCAL search_path = pg_catalog');
    const oids = await tableSet(
      client,
      [...planned.tables.values()].map((t) => t.oid),
    );
    const catalog = await readCatalog(client as pg.Client, { tables: oids.names });
    const tables = [...catalog.tables.values()];
    const script = await assemble(client, tables, planned, functionNames);
    await client.query('COMMIT');
    return script;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/**
 * The planned tables, with partitions replaced by their roots, and every table their foreign keys
 * reference (transitively).
 */
async function tableSet(client: pg.ClientBase, start: number[]): Promise<{ names: QualifiedName[] }> {
  const { rows } = await client.query<{ schema: string; name: string }>(
    `WITH RECURSIVE t(oid) AS (
       SELECT coalesce(pg_partition_root(x), x) FROM unnest($1::oid[]) AS s(x)
       UNION SELECT coalesce(pg_partition_root(c.confrelid), c.confrelid) FROM t JOIN pg_constraint c ON c.conrelid = t.oid AND c.contype = 'f')
     SELECT n.nspname AS schema, c.relname AS name FROM (SELECT DISTINCT oid FROM t) t JOIN pg_class c ON c.oid = t.oid
       JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') ORDER BY c.oid`,
    [start],
  );
  return { names: rows };
}

async function assemble(
  client: pg.ClientBase,
  tables: TableInfo[],
  planned: Catalog,
  functionNames: string[],
): Promise<SchemaScript> {
  const oids = tables.map((t) => t.oid);
  // The tables with their partitions: a partition's own objects are recreated with the tables'.
  const tree = await treeOids(client, oids);
  const typeOids = [...(planned.types?.values() ?? [])].map((t) => t.oid);
  const enumOids = await enumTypeOids(client, [...planned.enums.values()]);
  const keys = await objects.partitionKeys(client, oids);
  const indexes = await indexesSql(client, tree);
  const views = await objects.viewsSql(client, tree);
  const viewNames = views.map((v) => v.name);
  const privileges = await grantsSql(client, oids, viewNames);
  const rules = await rulesSql(client, tree, viewNames);
  const late = [
    ...(await objects.triggersSql(client, tree)),
    ...(await objects.policiesSql(client, tree)),
    ...(await objects.statisticsSql(client, tree)),
    ...tables.flatMap(tableExtrasSql),
  ].map((sql) => ({ name: sql.split(' ').slice(0, 3).join(' '), sql }));
  const publications = (await objects.publicationsSql(client, tree)).map((sql) => ({
    name: sql.split(' ').slice(0, 3).join(' '),
    sql,
  }));
  return {
    before: [
      ...schemasSql(tables),
      ...(await objects.extensionsSql(client)),
      ...(await objects.rolesSql(client, tree)),
      ...privileges.roles,
      ...(await objects.typesSql(client, oids, [...typeOids, ...enumOids])),
      ...(await objects.functionsSql(client, tree, functionNames)),
      ...(await objects.sequencesSql(client, tree)),
    ],
    tables: [
      ...tables.map((t) => createTableSql(t, keys.get(t.oid) ?? null)),
      ...(await objects.partitionsSql(client, oids)),
      ...(await partitionColumnsSql(client, oids)),
    ],
    sampled: tables.map((t) => ({ schema: t.schema, name: t.name })),
    foreignKeyColumns: tables.flatMap((t) =>
      t.constraints
        .filter((c) => c.type === 'f' && c.references)
        .map((c) => ({
          child: t,
          columns: c.columns,
          parent: c.references!.table,
          parentColumns: c.references!.columns,
        })),
    ),
    afterLoad: [...(await objects.constraintsSql(client, tree, false)), ...indexes.sql, ...tables.flatMap(ownedBySql)],
    foreignKeys: await objects.constraintsSql(client, tree, true),
    // Grants and rules once every relation they name exists; each one's own statement names it in a note.
    late: [...late, ...views, ...publications, ...[...rules, ...privileges.grants].map((sql) => ({ name: sql, sql }))],
    notes: indexes.invalid.map(
      (name) =>
        `INVALID index ${name} not recreated (a failed concurrent build's leftover, or a partitioned index ` +
        `missing a partition's)`,
    ),
  };
}

function schemasSql(tables: TableInfo[]): string[] {
  return [...new Set(tables.map((t) => t.schema))].map((s) => `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(s)}`);
}

async function enumTypeOids(client: pg.ClientBase, enums: QualifiedName[]): Promise<number[]> {
  if (enums.length === 0) return [];
  const { rows } = await client.query<{ oid: number }>(
    `SELECT t.oid::int AS oid FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE (n.nspname, t.typname) IN (SELECT s, x FROM unnest($1::text[], $2::text[]) AS u(s, x))`,
    [enums.map((e) => e.schema), enums.map((e) => e.name)],
  );
  return rows.map((r) => r.oid);
}
