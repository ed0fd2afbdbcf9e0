import type pg from 'pg';
import { RELATIONS } from './partitions.js';
import type {
  ColumnDependent,
  DependentFunction,
  DependentPolicy,
  DependentPublication,
  DependentTrigger,
  DependentView,
  TableDependent,
  UntrackedFunction,
} from './catalog-model.js';

/**
 * A function's name in messages and plans, `schema.name(identity arguments)`, quoted where needed
 * (p: pg_proc, pn: its namespace).
 */
export const FUNCTION_NAME = `quote_ident(pn.nspname) || '.' || quote_ident(p.proname) || '(' || pg_get_function_identity_arguments(p.oid) || ')'`;

type Queryable = pg.Pool | pg.PoolClient | pg.Client;

/**
 * A row of DEPENDENTS_SQL (catalog-tables.ts): a dependent, its table, the dependent's own oid
 * (pg_depend.objid: the rewrite rule, policy, trigger, function or publication-table row) and, for
 * a view, the view's oid.
 */
export type DependentRow = Omit<ColumnDependent, 'on'> & {
  table_oid: number;
  objid: number;
  view_oid: number | null;
  on: ColumnDependent['on'] | null;
};

type Definitions = Pick<ColumnDependent, 'view' | 'policy' | 'trigger' | 'function' | 'publication'>;

/**
 * The dependents with what rewriting each needs attached: a view's definition (`view`), a policy's
 * expressions, a trigger's definition, a SQL-standard function's definition, a publication's
 * column list and row filter; for renameColumn to carry them to the new column.
 */
export async function withDefinitions(
  client: Queryable,
  rows: DependentRow[],
): Promise<(ColumnDependent & { table_oid: number })[]> {
  const of = (kind: ColumnDependent['kind']) => [
    ...new Set(rows.flatMap((r) => (r.kind === kind ? [kind === 'view' ? r.view_oid! : r.objid] : []))),
  ];
  const views = await withChains(client, await readDefinitions<DependentView>(client, VIEWS_SQL, of('view')));
  const policies = await readDefinitions<DependentPolicy>(client, POLICIES_SQL, of('policy'));
  const triggers = await readDefinitions<DependentTrigger>(client, TRIGGERS_SQL, of('trigger'));
  const functions = await readDefinitions<DependentFunction>(client, FUNCTIONS_SQL, of('function'));
  // Only PG 15+ has publication column lists and row filters: before, no publication depends on a column.
  const publications = await readDefinitions<DependentPublication>(client, PUBLICATIONS_SQL, of('publication'));
  return rows.map(({ view_oid, objid, on, ...r }) => {
    const found: Definitions & Pick<ColumnDependent, 'on'> = on ? { on } : {};
    if (r.kind === 'view' && view_oid && views.has(view_oid)) found.view = views.get(view_oid)!;
    if (r.kind === 'policy' && policies.has(objid)) found.policy = policies.get(objid)!;
    if (r.kind === 'trigger' && triggers.has(objid)) found.trigger = triggers.get(objid)!;
    if (r.kind === 'function' && functions.has(objid)) found.function = functions.get(objid)!;
    if (r.kind === 'publication' && publications.has(objid)) found.publication = publications.get(objid)!;
    return { ...r, ...found };
  });
}

/**
 * Each plain view's `chain`: the views built on it, and on those, in an order they can be created
 * in (by their longest path from it: a view comes after every view it reads).
 */
async function withChains(client: Queryable, views: Map<number, DependentView>): Promise<Map<number, DependentView>> {
  const roots = [...views].filter(([, v]) => v.relkind === 'v').map(([oid]) => oid);
  if (roots.length === 0) return views;
  const links = (await client.query<{ root: number; oid: number }>(CHAIN_SQL, [roots])).rows;
  const chained = await readDefinitions<DependentView>(client, VIEWS_SQL, [...new Set(links.map((l) => l.oid))]);
  for (const root of roots) {
    const chain = links.filter((l) => l.root === root && chained.has(l.oid)).map((l) => chained.get(l.oid)!);
    if (chain.length > 0) views.set(root, { ...views.get(root)!, chain });
  }
  return views;
}

const CHAIN_SQL = `WITH RECURSIVE chain(root, oid, depth) AS (
       SELECT v, v, 0 FROM unnest($1::oid[]) v
       UNION
       SELECT c.root, r.ev_class, c.depth + 1
         FROM chain c
         JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = c.oid
                         AND d.classid = 'pg_rewrite'::regclass AND d.deptype = 'n'
         JOIN pg_rewrite r ON r.oid = d.objid AND r.ev_class <> c.oid
        WHERE c.depth < 50)
     SELECT root::int AS root, oid::int AS oid FROM chain WHERE depth > 0
      GROUP BY root, oid ORDER BY root, max(depth), oid`;

const GRANTEE = `CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x.grantee)::text END`;

/** A view's ViewIdentity as one json object (c: its pg_class row). */
const IDENTITY_SQL = `json_build_object(
  'owner', pg_get_userbyid(c.relowner)::text,
  'comment', obj_description(c.oid, 'pg_class'),
  'grants', COALESCE((SELECT json_agg(json_build_object('grantee', ${GRANTEE}, 'privilege', x.privilege_type,
                        'grantable', x.is_grantable) ORDER BY 1)
                        FROM aclexplode(c.relacl) x WHERE x.grantee <> c.relowner), '[]'),
  'columnGrants', COALESCE((SELECT json_agg(json_build_object('column', a.attname, 'grantee', ${GRANTEE},
                        'privilege', x.privilege_type, 'grantable', x.is_grantable))
                        FROM pg_attribute a, aclexplode(a.attacl) x
                       WHERE a.attrelid = c.oid AND a.attnum > 0 AND x.grantee <> c.relowner), '[]'),
  'columnComments', COALESCE((SELECT json_agg(json_build_object('column', a.attname, 'comment', d.description))
                        FROM pg_attribute a JOIN pg_description d
                          ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = a.attnum
                       WHERE a.attrelid = c.oid AND a.attnum > 0), '[]'),
  'indexes', COALESCE((SELECT json_agg(json_build_object('name', i.relname, 'definition', pg_get_indexdef(i.oid)))
                        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = c.oid), '[]'),
  'dependents', ARRAY(
     SELECT pg_describe_object(d.classid, d.objid, d.objsubid) FROM pg_depend d
      WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = c.oid AND d.deptype IN ('n', 'a')
        AND NOT (d.classid = 'pg_rewrite'::regclass
                 AND EXISTS (SELECT FROM pg_rewrite r WHERE r.oid = d.objid AND r.ev_class = c.oid
                                AND r.rulename = '_RETURN'))
        AND NOT (d.classid = 'pg_class'::regclass
                 AND EXISTS (SELECT FROM pg_index x WHERE x.indexrelid = d.objid AND x.indrelid = c.oid))
        AND d.classid <> 'pg_type'::regclass
      ORDER BY 1))`;

const VIEWS_SQL = `SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind,
            pg_get_viewdef(c.oid) AS definition, COALESCE(c.reloptions, '{}')::text[] AS options,
            ARRAY(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0
                     AND NOT a.attisdropped ORDER BY a.attnum) AS columns,
            ${IDENTITY_SQL} AS identity, c.relispopulated AS populated, c.reltuples::float8 AS "estimatedRows"
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.oid IN (%s)`;

const POLICIES_SQL = `SELECT p.oid::int AS oid, json_build_object('schema', n.nspname, 'name', c.relname) AS "table",
            p.polname AS name, pg_get_expr(p.polqual, p.polrelid) AS using,
            pg_get_expr(p.polwithcheck, p.polrelid) AS "withCheck"
       FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE p.oid IN (%s)`;

const TRIGGERS_SQL = `SELECT t.oid::int AS oid, json_build_object('schema', n.nspname, 'name', c.relname) AS "table",
            t.tgname AS name, pg_get_triggerdef(t.oid) AS definition, t.tgenabled::text AS enabled,
            obj_description(t.oid, 'pg_trigger') AS comment, t.tgconstraint <> 0 AS constraint
       FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE t.oid IN (%s)`;

const FUNCTIONS_SQL = `SELECT p.oid::int AS oid, pg_get_functiondef(p.oid) AS definition,
            ARRAY(SELECT COALESCE(x, '') FROM unnest(p.proargnames) x) AS "argNames"
       FROM pg_proc p WHERE p.oid IN (%s)`;

const PUBLICATIONS_SQL = `SELECT r.oid::int AS oid, p.pubname AS name,
            CASE WHEN r.prattrs IS NOT NULL THEN ARRAY(SELECT a.attname::text FROM pg_attribute a
              WHERE a.attrelid = r.prrelid AND a.attnum = ANY(r.prattrs) ORDER BY a.attnum) END AS columns,
            pg_get_expr(r.prqual, r.prrelid) AS "rowFilter", p.pubupdate OR p.pubdelete AS "publishesChanges"
       FROM pg_publication_rel r JOIN pg_publication p ON p.oid = r.prpubid
      WHERE r.oid IN (%s)`;

/**
 * Definitions read with search_path = pg_catalog (SET LOCAL in the statements' own implicit
 * transaction), so pg_get_viewdef, pg_get_expr, pg_get_triggerdef and pg_get_functiondef qualify
 * every table, type and function outside pg_catalog and the text means the same whatever
 * search_path the executor later runs it with. readCatalog is given the pool (no transaction block
 * is open), so the setting ends with the statement.
 */
async function readDefinitions<T>(client: Queryable, sql: string, oids: number[]): Promise<Map<number, T>> {
  if (oids.length === 0) return new Map();
  const list = oids.map((o) => String(Math.trunc(o))).join(',');
  const results = (await client.query(
    `SET LOCAL search_path = pg_catalog; ${sql.replace('%s', list)}`,
  )) as unknown as pg.QueryResult<T & { oid: number }>[];
  const rows = results[results.length - 1]!.rows;
  return new Map(rows.map(({ oid, ...v }) => [oid, v as T]));
}

/**
 * Functions pg_depend does not tie to columns (their bodies are text until called) that may name
 * a column of the tables: those whose source names the table, and the functions of the tables'
 * triggers (NEW.column). C and internal functions are left out (no source to read). SQL-standard
 * bodies have an empty prosrc, so they are not matched (pg_depend tracks them). A partitioned
 * table's partitions too: a function may name a partition, or be a partition's own trigger's.
 */
const UNTRACKED_SQL = `${RELATIONS}
     SELECT rels.root::int AS table_oid,
            ${FUNCTION_NAME} AS name,
            l.lanname AS language, p.prosrc AS source,
            bool_or(EXISTS (SELECT FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgfoid = p.oid
                                AND (rels.rel = rels.root OR t.tgparentid = 0))) AS "triggerFunction",
            bool_or(rt.oid = ANY(p.proargtypes::oid[] || p.prorettype)
                    OR rt.typarray = ANY(p.proargtypes::oid[] || p.prorettype)) AS "rowType"
       FROM rels JOIN pg_class c ON c.oid = rels.rel
       JOIN pg_class rc ON rc.oid = rels.root
       JOIN pg_type rt ON rt.oid = rc.reltype
       JOIN pg_proc p ON p.prosrc <> '' AND (strpos(lower(p.prosrc), lower(c.relname)) > 0
            OR EXISTS (SELECT FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgfoid = p.oid
                                                 AND (rels.rel = rels.root OR t.tgparentid = 0))
            OR rt.oid = ANY(p.proargtypes::oid[] || p.prorettype) OR rt.typarray = ANY(p.proargtypes::oid[] || p.prorettype))
       JOIN pg_language l ON l.oid = p.prolang AND l.lanname NOT IN ('c', 'internal')
       JOIN pg_namespace pn ON pn.oid = p.pronamespace
      WHERE pn.nspname NOT IN ('pg_catalog', 'information_schema')
        AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid
                         AND e.deptype = 'e')
      GROUP BY rels.root, p.oid, pn.nspname, l.lanname
      ORDER BY 1, 2`;

export async function readUntrackedFunctions(
  client: Queryable,
  oids: number[],
): Promise<(UntrackedFunction & { table_oid: number })[]> {
  return (await client.query<UntrackedFunction & { table_oid: number }>(UNTRACKED_SQL, [oids])).rows;
}

/**
 * What depends on each table as a whole: `owned` is the table and what DROP TABLE drops with it
 * (auto and internal dependencies, followed down: row type and its array type, indexes,
 * constraints, owned sequences, partitions, triggers, rules, policies); the dependents are the
 * normal dependencies on any of those from outside that set, and on the domains over its row type
 * (and over those, and their array types: `through`), which Postgres follows as it checks a row
 * type's users (find_composite_type_dependencies): a column of such a domain stores rows of the
 * table like a column of the row type, and the domain itself stays a dependent (DROP TABLE needs it gone). Other tables' foreign keys are left
 * to referencedBy. Read with search_path = pg_catalog, so every name in a description is qualified.
 */
const TABLE_DEPENDENTS_SQL = `WITH RECURSIVE owned(root, classid, objid) AS (
       SELECT t, 'pg_class'::regclass::oid, t FROM unnest(ARRAY[%s]::oid[]) t
       UNION
       SELECT o.root, d.classid, d.objid FROM owned o
         JOIN pg_depend d ON d.refclassid = o.classid AND d.refobjid = o.objid AND d.deptype IN ('a', 'i')),
     through(root, classid, objid) AS (
       SELECT root, classid, objid FROM owned
       UNION
       SELECT t.root, d.classid, d.objid FROM through t
         JOIN pg_depend d ON d.refclassid = t.classid AND d.refobjid = t.objid
         JOIN pg_type ty ON d.classid = 'pg_type'::regclass AND ty.oid = d.objid
        WHERE t.classid = 'pg_type'::regclass AND (ty.typtype = 'd' OR d.deptype IN ('a', 'i'))),
     dep AS (
       SELECT DISTINCT o.root, d.classid, d.objid, d.objsubid FROM through o
         JOIN pg_depend d ON d.refclassid = o.classid AND d.refobjid = o.objid AND d.deptype = 'n'
        WHERE NOT EXISTS (SELECT FROM owned x WHERE x.root = o.root AND x.classid = d.classid AND x.objid = d.objid)
          AND NOT EXISTS (SELECT FROM pg_constraint f WHERE d.classid = 'pg_constraint'::regclass
                             AND f.oid = d.objid AND f.contype = 'f'))
     SELECT DISTINCT dep.root::int AS table_oid,
            CASE WHEN vc.oid IS NOT NULL THEN 'view' WHEN p.oid IS NOT NULL THEN 'function' ELSE 'other' END AS kind,
            CASE WHEN vc.oid IS NOT NULL THEN pg_describe_object('pg_class'::regclass, vc.oid, 0)
                 ELSE pg_describe_object(dep.classid, dep.objid, dep.objsubid) END AS description,
            COALESCE(vn.nspname || '.' || vc.relname,
                     ${FUNCTION_NAME},
                     rn.nspname || '.' || rc.relname, '') AS name,
            ra.attname::text AS column, COALESCE(rc.relkind IN ('r', 'p', 'm', 'c'), false) AS "storesRows"
       FROM dep
       LEFT JOIN pg_rewrite r ON dep.classid = 'pg_rewrite'::regclass AND r.oid = dep.objid
       LEFT JOIN pg_class vc ON vc.oid = r.ev_class AND r.rulename = '_RETURN' AND vc.relkind IN ('v', 'm')
       LEFT JOIN pg_namespace vn ON vn.oid = vc.relnamespace
       LEFT JOIN pg_proc p ON dep.classid = 'pg_proc'::regclass AND p.oid = dep.objid
       LEFT JOIN pg_namespace pn ON pn.oid = p.pronamespace
       LEFT JOIN pg_attrdef ad ON dep.classid = 'pg_attrdef'::regclass AND ad.oid = dep.objid
       LEFT JOIN pg_constraint co ON dep.classid = 'pg_constraint'::regclass AND co.oid = dep.objid
       LEFT JOIN pg_trigger tg ON dep.classid = 'pg_trigger'::regclass AND tg.oid = dep.objid
       LEFT JOIN pg_policy pol ON dep.classid = 'pg_policy'::regclass AND pol.oid = dep.objid
       LEFT JOIN pg_class rc ON rc.oid = COALESCE(CASE WHEN dep.classid = 'pg_class'::regclass THEN dep.objid END,
                                                  r.ev_class, ad.adrelid, co.conrelid, tg.tgrelid, pol.polrelid)
       LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
       LEFT JOIN pg_attribute ra ON ra.attrelid = rc.oid
             AND ra.attnum = COALESCE(ad.adnum, CASE WHEN dep.classid = 'pg_class'::regclass THEN dep.objsubid END)
      ORDER BY 1, 3`;

export async function readTableDependents(
  client: Queryable,
  oids: number[],
): Promise<(TableDependent & { table_oid: number })[]> {
  if (oids.length === 0) return [];
  const list = oids.map((o) => String(Math.trunc(o))).join(',');
  const results = (await client.query(
    `SET LOCAL search_path = pg_catalog; ${TABLE_DEPENDENTS_SQL.replace('%s', list)}`,
  )) as unknown as pg.QueryResult<TableDependent & { table_oid: number }>[];
  return results[results.length - 1]!.rows;
}

/**
 * What reads whole rows of each table (not a column dependent: Postgres records a whole-row Var as
 * no column, and drops the whole-table entry when the object also names a column, so any pg_depend
 * row on the table is a candidate): views
 * and rules (a row value, row_to_json(t), NEW / OLD), policies, triggers' WHEN and SQL-standard
 * function bodies whose stored expression has a whole-row Var (`:varattno 0`). A whole-row Var of
 * another relation of the same query matches too; the result only feeds plan notes. Postgres keeps
 * these working across ADD / DROP / RENAME COLUMN: the row value follows the table's row type.
 * prosqlbody (PG 14+) is read through to_jsonb, so the text is the same on every version.
 */
const WHOLE_ROW_SQL = `SELECT DISTINCT d.refobjid::int AS table_oid,
            CASE WHEN vc.oid IS NOT NULL THEN pg_describe_object('pg_class'::regclass, vc.oid, 0)
                 ELSE pg_describe_object(d.classid, d.objid, 0) END AS description
       FROM pg_depend d
       LEFT JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid
       LEFT JOIN pg_class vc ON vc.oid = r.ev_class AND r.rulename = '_RETURN' AND vc.relkind IN ('v', 'm')
       LEFT JOIN pg_policy pol ON d.classid = 'pg_policy'::regclass AND pol.oid = d.objid
       LEFT JOIN pg_trigger tg ON d.classid = 'pg_trigger'::regclass AND tg.oid = d.objid AND NOT tg.tgisinternal
       LEFT JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
      WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = ANY(ARRAY[%s]::oid[])
        AND concat(r.ev_action::text, r.ev_qual::text, pol.polqual::text, pol.polwithcheck::text, tg.tgqual::text,
                   to_jsonb(p) ->> 'prosqlbody') LIKE '%:varattno 0 %'
      ORDER BY 1, 2`;

export async function readWholeRowReaders(
  client: Queryable,
  oids: number[],
): Promise<{ table_oid: number; description: string }[]> {
  if (oids.length === 0) return [];
  const list = oids.map((o) => String(Math.trunc(o))).join(',');
  const results = (await client.query(
    `SET LOCAL search_path = pg_catalog; ${WHOLE_ROW_SQL.replace('%s', list)}`,
  )) as unknown as pg.QueryResult<{ table_oid: number; description: string }>[];
  return results[results.length - 1]!.rows;
}
