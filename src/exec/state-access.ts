import type pg from 'pg';
import { ConfigError } from '../errors.js';
import { quoteIdent } from '../db/quote.js';

interface Access {
  me: string;
  database: string;
  owner: string | null;
  usage: boolean | null;
  read: boolean | null;
  write: boolean | null;
  createDatabase: boolean;
}

/** Catalog reads only: they need no privilege on the schema itself. */
const ACCESS_SQL = `
  SELECT current_user::text AS me, current_database()::text AS database,
         n.nspowner::regrole::text AS owner,
         has_schema_privilege(n.oid, 'USAGE') AS usage,
         (SELECT coalesce(bool_and(c.relkind = 'S' OR has_table_privilege(c.oid, 'SELECT')), true)
            FROM pg_class c WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'S')) AS read,
         -- has_table_privilege with a list is true when ANY is held: each is asked on its own
         (SELECT coalesce(bool_and(CASE c.relkind WHEN 'S' THEN has_sequence_privilege(c.oid, 'USAGE')
                 ELSE has_table_privilege(c.oid, 'SELECT') AND has_table_privilege(c.oid, 'INSERT')
                  AND has_table_privilege(c.oid, 'UPDATE') AND has_table_privilege(c.oid, 'DELETE') END), true)
            FROM pg_class c WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'S')) AS write,
         has_database_privilege(current_database(), 'CREATE') AS "createDatabase"
    FROM (SELECT 1) AS one LEFT JOIN pg_namespace n ON n.nspname = $1`;

/**
 * Refuses, before any statement that would fail half-way with "permission denied", a role that
 * cannot use zdm's state schema: one another role created (a superuser's first run, then the
 * application's owner role in CI), or, to `write`, a role that cannot create it. Reading (plan,
 * status) needs USAGE and SELECT; writing (advance, rollback, ...) the grants the message lists. The message
 * names the role, the schema, its owner and the statements that grant what is missing (exit 2).
 */
export async function checkStateAccess(
  on: pg.Pool | pg.ClientBase,
  schema: string,
  mode: 'read' | 'write',
): Promise<void> {
  const { rows } = await on.query<Access>(ACCESS_SQL, [schema]);
  const a = rows[0]!;
  const s = quoteIdent(schema);
  const role = quoteIdent(a.me);
  if (a.owner === null) {
    if (mode === 'write' && !a.createDatabase)
      throw new ConfigError(
        `role ${a.me} cannot create zdm's state schema ${s} in database ${a.database}: ` +
          `GRANT CREATE ON DATABASE ${quoteIdent(a.database)} TO ${role}, or have an administrator create it ` +
          `for the role: CREATE SCHEMA ${s} AUTHORIZATION ${role}`,
      );
    return;
  }
  if (a.usage && (mode === 'read' ? a.read : a.write)) return;
  throw new ConfigError(
    `role ${a.me} cannot use zdm's state schema ${s} (owned by ${a.owner}, who ran zdm here first): ` +
      `ALTER SCHEMA ${s} OWNER TO ${role} and each of its tables and sequences (or run zdm as ${a.owner}), or grant it: ` +
      `GRANT USAGE ON SCHEMA ${s} TO ${role}; ` +
      `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${s} TO ${role}; ` +
      `GRANT USAGE ON ALL SEQUENCES IN SCHEMA ${s} TO ${role}`,
  );
}
