import type pg from 'pg';
import { quoteIdent, quoteLiteral } from '../db/quote.js';

type Queryable = pg.ClientBase;

const USER_SCHEMA = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`;
const NOT_EXTENSION = (classid: string, oid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '${classid}'::regclass ` +
  `AND e.objid = ${oid} AND e.deptype = 'e')`;

/** The target's extensions (plpgsql aside): created first, where the throwaway server has them. */
export async function extensionsSql(client: Queryable): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT extname AS name FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY oid`,
  );
  return rows.map((r) => `CREATE EXTENSION IF NOT EXISTS ${quoteIdent(r.name)} CASCADE`);
}

/** Roles the touched tables' policies name (created NOLOGIN, so the policies can name them). */
export async function rolesSql(client: Queryable, oids: number[]): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT DISTINCT r.rolname AS name FROM pg_policy p CROSS JOIN LATERAL unnest(p.polroles) AS pr(oid)
       JOIN pg_roles r ON r.oid = pr.oid WHERE p.polrelid = ANY($1::oid[]) ORDER BY 1`,
    [oids],
  );
  return rows.map((r) => createRoleSql(r.name));
}

/** A role created NOLOGIN unless the cluster has it (roles are the cluster's, not the database's). */
export function createRoleSql(name: string): string {
  return `DO $zdm$ BEGIN CREATE ROLE ${quoteIdent(name)} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $zdm$`;
}

/**
 * Enum and domain types the tables' columns use (through arrays and domains too), and the ones
 * named in `typeOids` (types a migration names): enums first, then domains, in creation order.
 */
export async function typesSql(client: Queryable, oids: number[], typeOids: number[]): Promise<string[]> {
  const { rows } = await client.query<{ sql: string }>(
    `WITH RECURSIVE used(oid) AS (
       SELECT a.atttypid FROM pg_attribute a WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
       UNION SELECT unnest($2::oid[])
       UNION SELECT CASE WHEN t.typbasetype <> 0 THEN t.typbasetype ELSE t.typelem END
               FROM used u JOIN pg_type t ON t.oid = u.oid WHERE t.typbasetype <> 0 OR (t.typcategory = 'A' AND t.typelem <> 0))
     SELECT CASE t.typtype
              WHEN 'e' THEN 'CREATE TYPE ' || quote_ident(n.nspname) || '.' || quote_ident(t.typname) || ' AS ENUM (' ||
                (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) || ')'
              ELSE 'CREATE DOMAIN ' || quote_ident(n.nspname) || '.' || quote_ident(t.typname) || ' AS ' || format_type(t.typbasetype, t.typtypmod) ||
                coalesce(' DEFAULT ' || t.typdefault, '') || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END ||
                coalesce((SELECT string_agg(' CONSTRAINT ' || quote_ident(c.conname) || ' ' || pg_get_constraintdef(c.oid), '' ORDER BY c.conname)
                            FROM pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c'), '')
            END AS sql
       FROM (SELECT DISTINCT oid FROM used) u JOIN pg_type t ON t.oid = u.oid JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE t.typtype IN ('e', 'd') AND ${USER_SCHEMA} AND ${NOT_EXTENSION('pg_type', 't.oid')}
      ORDER BY t.typtype DESC, t.oid`,
    [oids, typeOids],
  );
  return rows.map((r) => r.sql);
}

/**
 * User functions the tables depend on (defaults, constraints, indexes, triggers) and the ones a
 * migration calls by name, as pg_get_functiondef prints them.
 */
export async function functionsSql(client: Queryable, oids: number[], names: string[]): Promise<string[]> {
  const { rows } = await client.query<{ sql: string }>(
    `SELECT pg_get_functiondef(p.oid) AS sql FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE p.prokind IN ('f', 'p') AND ${USER_SCHEMA} AND ${NOT_EXTENSION('pg_proc', 'p.oid')}
        AND (p.oid IN (SELECT tgfoid FROM pg_trigger WHERE tgrelid = ANY($1::oid[]) AND NOT tgisinternal)
          OR p.proname = ANY($2::text[]) OR n.nspname || '.' || p.proname = ANY($2::text[])
          OR p.oid IN (SELECT d.refobjid FROM pg_depend d WHERE d.refclassid = 'pg_proc'::regclass
                  AND ((d.classid = 'pg_attrdef'::regclass AND d.objid IN (SELECT oid FROM pg_attrdef WHERE adrelid = ANY($1::oid[])))
                    OR (d.classid = 'pg_constraint'::regclass AND d.objid IN (SELECT oid FROM pg_constraint WHERE conrelid = ANY($1::oid[])))
                    OR (d.classid = 'pg_class'::regclass AND d.objid IN (SELECT indexrelid FROM pg_index WHERE indrelid = ANY($1::oid[]))))))
      ORDER BY p.oid`,
    [oids, names],
  );
  return rows.map((r) => r.sql);
}

/** Sequences the tables' defaults call (serial columns' and shared ones), with their parameters. */
export async function sequencesSql(client: Queryable, oids: number[]): Promise<string[]> {
  const { rows } = await client.query<{ sql: string }>(
    `SELECT DISTINCT 'CREATE SEQUENCE IF NOT EXISTS ' || quote_ident(n.nspname) || '.' || quote_ident(s.relname) ||
            ' AS ' || format_type(ps.seqtypid, NULL) || ' START WITH ' || ps.seqstart || ' INCREMENT BY ' || ps.seqincrement ||
            ' MINVALUE ' || ps.seqmin || ' MAXVALUE ' || ps.seqmax || ' CACHE ' || ps.seqcache ||
            CASE WHEN ps.seqcycle THEN ' CYCLE' ELSE ' NO CYCLE' END AS sql
       FROM pg_depend d JOIN pg_attrdef ad ON d.classid = 'pg_attrdef'::regclass AND ad.oid = d.objid
       JOIN pg_class s ON d.refclassid = 'pg_class'::regclass AND s.oid = d.refobjid AND s.relkind = 'S'
       JOIN pg_namespace n ON n.oid = s.relnamespace JOIN pg_sequence ps ON ps.seqrelid = s.oid
      WHERE ad.adrelid = ANY($1::oid[])`,
    [oids],
  );
  return rows.map((r) => r.sql);
}

/** Partitions below the partitioned tables among `oids`, parents first: CREATE TABLE ... PARTITION OF. */
export async function partitionsSql(client: Queryable, oids: number[]): Promise<string[]> {
  const { rows } = await client.query<{ sql: string }>(
    `SELECT 'CREATE TABLE ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname) || ' PARTITION OF ' ||
            quote_ident(pn.nspname) || '.' || quote_ident(p.relname) || ' ' || pg_get_expr(c.relpartbound, c.oid) ||
            CASE WHEN c.relkind = 'p' THEN ' PARTITION BY ' || pg_get_partkeydef(c.oid) ELSE '' END AS sql
       FROM unnest($1::oid[]) AS root(oid) CROSS JOIN LATERAL pg_partition_tree(root.oid) t
       JOIN pg_class c ON c.oid = t.relid JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_class p ON p.oid = t.parentrelid JOIN pg_namespace pn ON pn.oid = p.relnamespace
      WHERE t.level > 0 AND c.relkind IN ('r', 'p')
      ORDER BY t.level, c.oid`,
    [oids],
  );
  return rows.map((r) => r.sql);
}

/** PARTITION BY of each partitioned table among `oids`, by oid. */
export async function partitionKeys(client: Queryable, oids: number[]): Promise<Map<number, string>> {
  const { rows } = await client.query<{ oid: number; key: string }>(
    `SELECT oid::int AS oid, pg_get_partkeydef(oid) AS key FROM pg_class WHERE oid = ANY($1::oid[]) AND relkind = 'p'`,
    [oids],
  );
  return new Map(rows.map((r) => [r.oid, r.key]));
}

/**
 * Constraints defined on the tables themselves (not inherited, not a partition's clone of its
 * parent's: a partition's own only), `f` foreign keys or every other kind.
 */
export async function constraintsSql(client: Queryable, oids: number[], foreign: boolean): Promise<string[]> {
  const { rows } = await client.query<{ sql: string }>(
    `SELECT 'ALTER TABLE ' || c.conrelid::regclass::text || ' ADD CONSTRAINT ' || quote_ident(c.conname) || ' ' ||
            pg_get_constraintdef(c.oid) AS sql
       FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid
      WHERE c.conrelid = ANY($1::oid[]) AND c.conislocal AND c.conparentid = 0
        AND NOT (r.relispartition AND c.coninhcount > 0)
        AND (CASE WHEN $2 THEN c.contype = 'f' ELSE c.contype IN ('p', 'u', 'c', 'x') END)
      ORDER BY c.contype DESC, c.oid`,
    [oids, foreign],
  );
  return rows.map((r) => r.sql);
}

/** Triggers (not clones on partitions, not internal), disabled ones disabled again. */
export async function triggersSql(client: Queryable, oids: number[]): Promise<string[]> {
  const { rows } = await client.query<{ sql: string; disabled: string | null }>(
    `SELECT pg_get_triggerdef(t.oid) AS sql,
            CASE WHEN t.tgenabled = 'D' THEN 'ALTER TABLE ' || t.tgrelid::regclass::text || ' DISABLE TRIGGER ' || quote_ident(t.tgname) END AS disabled
       FROM pg_trigger t WHERE t.tgrelid = ANY($1::oid[]) AND NOT t.tgisinternal AND t.tgparentid = 0 ORDER BY t.oid`,
    [oids],
  );
  return rows.flatMap((r) => (r.disabled ? [r.sql, r.disabled] : [r.sql]));
}

/** Row-level security and policies (roles created by rolesSql). */
export async function policiesSql(client: Queryable, oids: number[]): Promise<string[]> {
  const { rows } = await client.query<{ sql: string }>(
    `SELECT 'ALTER TABLE ' || c.oid::regclass::text || ' ENABLE ROW LEVEL SECURITY' AS sql FROM pg_class c WHERE c.oid = ANY($1::oid[]) AND c.relrowsecurity
     UNION ALL
     SELECT 'ALTER TABLE ' || c.oid::regclass::text || ' FORCE ROW LEVEL SECURITY' FROM pg_class c WHERE c.oid = ANY($1::oid[]) AND c.relforcerowsecurity
     UNION ALL
     SELECT 'CREATE POLICY ' || quote_ident(p.polname) || ' ON ' || p.polrelid::regclass::text ||
            ' AS ' || CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END ||
            ' FOR ' || CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END ||
            ' TO ' || coalesce((SELECT string_agg(quote_ident(r.rolname), ', ') FROM pg_roles r WHERE r.oid = ANY(p.polroles)), 'PUBLIC') ||
            coalesce(' USING (' || pg_get_expr(p.polqual, p.polrelid) || ')', '') ||
            coalesce(' WITH CHECK (' || pg_get_expr(p.polwithcheck, p.polrelid) || ')', '')
       FROM pg_policy p WHERE p.polrelid = ANY($1::oid[])`,
    [oids],
  );
  return rows.map((r) => r.sql);
}

/** Extended statistics on the tables. */
export async function statisticsSql(client: Queryable, oids: number[]): Promise<string[]> {
  const { rows } = await client.query<{ sql: string }>(
    `SELECT pg_get_statisticsobjdef(s.oid) AS sql FROM pg_statistic_ext s ` +
      `WHERE s.stxrelid = ANY($1::oid[]) ORDER BY s.oid`,
    [oids],
  );
  return rows.map((r) => r.sql);
}

/** Views and materialized views over the tables (and over those), innermost first. */
export async function viewsSql(client: Queryable, oids: number[]): Promise<{ name: string; sql: string }[]> {
  const { rows } = await client.query<{ name: string; relkind: string; def: string; options: string[] | null }>(
    `WITH RECURSIVE v(oid, depth) AS (
       SELECT r.ev_class, 1 FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
        WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass AND d.refobjid = ANY($1::oid[]) AND r.ev_class <> d.refobjid
       UNION
       SELECT r.ev_class, v.depth + 1 FROM v JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = v.oid
         JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid
        WHERE r.ev_class <> v.oid AND v.depth < 20)
     SELECT c.oid::regclass::text AS name, c.relkind::text AS relkind, pg_get_viewdef(c.oid) AS def, c.reloptions AS options
       FROM (SELECT oid, max(depth) AS depth FROM v GROUP BY oid) v JOIN pg_class c ON c.oid = v.oid
      WHERE c.relkind IN ('v', 'm') ORDER BY v.depth, c.oid`,
    [oids],
  );
  return rows.map((r) => {
    const opts = r.options?.length ? ` WITH (${r.options.join(', ')})` : '';
    const kind = r.relkind === 'm' ? 'MATERIALIZED VIEW' : 'VIEW';
    return { name: r.name, sql: `CREATE ${kind} ${r.name}${opts} AS ${r.def.replace(/;\s*$/, '')}` };
  });
}

/**
 * Publications that publish the tables or their partitions (each relation as the publication names
 * it, with its column list and row filter on 15+, publish_via_partition_root kept), the schemas
 * holding them (TABLES IN SCHEMA, 15+), or all tables.
 */
export async function publicationsSql(client: Queryable, oids: number[]): Promise<string[]> {
  const { rows: version } = await client.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`);
  const v15 = Number(version[0]!.v) >= 150000;
  const listed = v15
    ? `(SELECT array_agg(quote_ident(a.attname) ORDER BY a.attnum) FROM pg_attribute a
         WHERE a.attrelid = pr.prrelid AND a.attnum = ANY(pr.prattrs::int2[])) AS cols,
       pg_get_expr(pr.prqual, pr.prrelid) AS filter`
    : 'NULL::text[] AS cols, NULL::text AS filter';
  const schemas = v15
    ? `UNION ALL
       SELECT p.oid, p.pubname, p.puballtables, p.pubviaroot, 'TABLES IN SCHEMA ' || pn.pnnspid::regnamespace::text, NULL, NULL
         FROM pg_publication p JOIN pg_publication_namespace pn ON pn.pnpubid = p.oid
        WHERE pn.pnnspid IN (SELECT relnamespace FROM pg_class WHERE oid = ANY($1::oid[]))`
    : '';
  const { rows } = await client.query<PublicationRow>(
    `SELECT p.oid, p.pubname AS name, p.puballtables AS all, p.pubviaroot AS via_root,
            CASE WHEN pr.prrelid IS NOT NULL THEN 'TABLE ' || pr.prrelid::regclass::text END AS item, ${listed}
       FROM pg_publication p LEFT JOIN pg_publication_rel pr ON pr.prpubid = p.oid AND pr.prrelid = ANY($1::oid[])
      WHERE p.puballtables OR pr.prrelid IS NOT NULL
     ${schemas}
     ORDER BY 1`,
    [oids],
  );
  const { rows: ops } = await client.query<{ name: string; ops: string }>(
    `SELECT pubname AS name, concat_ws(', ', CASE WHEN pubinsert THEN 'insert' END, CASE WHEN pubupdate THEN 'update' END,
            CASE WHEN pubdelete THEN 'delete' END, CASE WHEN pubtruncate THEN 'truncate' END) AS ops FROM pg_publication`,
  );
  const byPub = new Map<string, { all: boolean; viaRoot: boolean; items: string[] }>();
  for (const r of rows) {
    const pub = byPub.get(r.name) ?? { all: r.all, viaRoot: r.via_root, items: [] };
    byPub.set(r.name, pub);
    if (r.item)
      pub.items.push(`${r.item}${r.cols ? ` (${r.cols.join(', ')})` : ''}${r.filter ? ` WHERE (${r.filter})` : ''}`);
  }
  return [...byPub].map(([name, p]) => {
    const what = p.all ? 'FOR ALL TABLES' : `FOR ${p.items.join(', ')}`;
    const publish = quoteLiteral(ops.find((o) => o.name === name)?.ops ?? '');
    const via = p.viaRoot ? ', publish_via_partition_root = true' : '';
    return `CREATE PUBLICATION ${quoteIdent(name)} ${what} WITH (publish = ${publish}${via})`;
  });
}

interface PublicationRow {
  name: string;
  all: boolean;
  via_root: boolean;
  item: string | null;
  cols: string[] | null;
  filter: string | null;
}
