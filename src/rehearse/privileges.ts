import type pg from 'pg';
import { createRoleSql } from './objects.js';

/**
 * Grants and rules of what the rehearsal recreates, so the plan made there is the target's (zdm
 * copies a column's privileges to its copy, a rule can turn a backfill's UPDATE into something
 * else). The relations: the touched tables, their partitions, the views over them (by name, as
 * viewsSql prints them) and the sequences their columns use.
 */
const RELATIONS = `
  WITH rel AS (
    SELECT x AS oid FROM unnest($1::oid[]) AS x
    UNION SELECT t.relid FROM unnest($1::oid[]) AS x CROSS JOIN LATERAL pg_partition_tree(x) AS t
    UNION SELECT to_regclass(v)::oid FROM unnest($2::text[]) AS v
    UNION SELECT d.refobjid FROM pg_depend d JOIN pg_attrdef ad ON d.classid = 'pg_attrdef'::regclass AND ad.oid = d.objid
           WHERE d.refclassid = 'pg_class'::regclass AND ad.adrelid = ANY($1::oid[])
    UNION SELECT d.objid FROM pg_depend d
           WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
             AND d.refobjid = ANY($1::oid[]) AND d.deptype IN ('a', 'i'))`;

/**
 * Privileges granted to anyone but the owner (who owns nothing on the throwaway server: every
 * object there belongs to the rehearsal's superuser), on the relations and on their columns.
 */
const GRANTS_SQL = `${RELATIONS}
  SELECT a.grantee, 'GRANT ' || a.privilege_type ||
         CASE WHEN c.relkind = 'S' THEN ' ON SEQUENCE ' ELSE ' ON TABLE ' END || c.oid::regclass::text || ' TO ' ||
         CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END ||
         CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END AS sql
    FROM rel JOIN pg_class c ON c.oid = rel.oid AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
    CROSS JOIN LATERAL aclexplode(c.relacl) AS a
   WHERE a.grantee <> c.relowner
  UNION ALL
  SELECT a.grantee, 'GRANT ' || a.privilege_type || ' (' || quote_ident(att.attname) || ') ON TABLE ' ||
         c.oid::regclass::text || ' TO ' ||
         CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END ||
         CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END
    FROM rel JOIN pg_class c ON c.oid = rel.oid
    JOIN pg_attribute att ON att.attrelid = c.oid AND att.attnum > 0 AND NOT att.attisdropped AND att.attacl IS NOT NULL
    CROSS JOIN LATERAL aclexplode(att.attacl) AS a
   WHERE a.grantee <> c.relowner`;

/**
 * The grants, with the roles they name created first (NOLOGIN, as for policies: roles are the
 * cluster's, so they may not exist on the throwaway one; predefined pg_* roles do). A grant that
 * still fails is a note naming it (buildRehearsalDatabase), never dropped silently.
 */
export async function grantsSql(
  client: pg.ClientBase,
  oids: number[],
  views: string[],
): Promise<{ roles: string[]; grants: string[] }> {
  const { rows } = await client.query<{ grantee: number; sql: string }>(GRANTS_SQL, [oids, views]);
  const { rows: roles } = await client.query<{ name: string }>(
    `SELECT rolname AS name FROM pg_roles WHERE oid = ANY($1::oid[]) AND rolname NOT LIKE 'pg\\_%' ORDER BY 1`,
    [[...new Set(rows.map((r) => r.grantee).filter((g) => g !== 0))]],
  );
  return { roles: roles.map((r) => createRoleSql(r.name)), grants: rows.map((r) => r.sql) };
}

/** Rules (not a view's own _RETURN) on the tables and views, disabled or replica-only ones set so again. */
export async function rulesSql(client: pg.ClientBase, oids: number[], views: string[]): Promise<string[]> {
  const { rows } = await client.query<{ sql: string; rel: string; name: string; enabled: string }>(
    `SELECT pg_get_ruledef(r.oid) AS sql, r.ev_class::regclass::text AS rel, quote_ident(r.rulename) AS name,
            r.ev_enabled::text AS enabled
       FROM pg_rewrite r
      WHERE r.rulename <> '_RETURN'
        AND (r.ev_class = ANY($1::oid[]) OR r.ev_class IN (SELECT to_regclass(v) FROM unnest($2::text[]) AS v))
      ORDER BY r.oid`,
    [oids, views],
  );
  const state: Record<string, string> = { D: 'DISABLE RULE', R: 'ENABLE REPLICA RULE', A: 'ENABLE ALWAYS RULE' };
  return rows.flatMap((r) => {
    const sql = r.sql.replace(/;\s*$/, '');
    const change = state[r.enabled];
    return change ? [sql, `ALTER TABLE ${r.rel} ${change} ${r.name}`] : [sql];
  });
}
