import type pg from 'pg';
import { displayName, quoteIdent } from '../db/quote.js';
import type { Plan } from '../plan/types.js';

/** `CREATE [OR REPLACE] FUNCTION|TABLE|VIEW|MATERIALIZED VIEW [IF NOT EXISTS] schema.` in a step's SQL. */
const CREATES_IN =
  /^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:FUNCTION|TABLE|VIEW|MATERIALIZED\s+VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?("(?:[^"]|"")+"|[a-z_][a-z0-9_$]*)\./i;

/** The schemas the plan's steps create functions, tables or views in. */
function schemasCreatedIn(plan: Plan): string[] {
  const found = new Set<string>();
  for (const step of plan.steps) {
    if (step.kind !== 'sql') continue;
    for (const statement of step.statements) {
      const m = CREATES_IN.exec(statement);
      const schema = m && (m[1]!.startsWith('"') ? m[1]!.slice(1, -1).replace(/""/g, '"') : m[1]!.toLowerCase());
      // pg_temp: a session's own temporary schema (a switch probe's function), always writable.
      if (schema && !schema.startsWith('pg_temp')) found.add(schema);
    }
  }
  return [...found];
}

/**
 * What the connected role lacks to run `plan`, read from the catalog before the migration is
 * activated (nothing has run): ownership of each existing table it changes (ALTER TABLE, CREATE
 * TRIGGER and CREATE INDEX need the owner or a member of its role) and CREATE on each schema its
 * steps create functions, tables or views in. Each message names the role, the object and the grant.
 */
export async function missingPrivileges(client: pg.Pool | pg.ClientBase, plan: Plan): Promise<string[]> {
  const names = plan.tables.map((t) => `${quoteIdent(t.table.schema)}.${quoteIdent(t.table.name)}`);
  const { rows: tables } = await client.query<{ me: string; schema: string; name: string; owner: string }>(
    `SELECT current_user::text AS me, n.nspname AS schema, c.relname AS name, c.relowner::regrole::text AS owner
       FROM unnest($1::text[]) AS t(name) JOIN pg_class c ON c.oid = to_regclass(t.name)
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE NOT pg_has_role(c.relowner, 'USAGE')`,
    [names],
  );
  const { rows: schemas } = await client.query<{ me: string; schema: string }>(
    `SELECT current_user::text AS me, s AS schema
       FROM unnest($1::text[]) AS s JOIN pg_namespace n ON n.nspname = s
      WHERE NOT has_schema_privilege(n.oid, 'CREATE')`,
    [schemasCreatedIn(plan)],
  );
  return [
    ...tables.map(
      (t) =>
        `role ${t.me} does not own table ${displayName(t)} (owner: ${t.owner}) and is not a member of that ` +
        `role: zdm's ALTER TABLE, CREATE TRIGGER and CREATE INDEX on it need the owner. Run zdm as ${t.owner}, ` +
        `or make ${t.me} the owner (ALTER TABLE ${displayName(t)} OWNER TO ${quoteIdent(t.me)}) or a member ` +
        `of the owner's role (GRANT ${quoteIdent(t.owner)} TO ${quoteIdent(t.me)})`,
    ),
    ...schemas.map(
      (s) =>
        `role ${s.me} cannot create objects in schema ${quoteIdent(s.schema)}, where this migration creates ` +
        `functions, tables or views (zdm's trigger functions live beside their table): ` +
        `GRANT CREATE ON SCHEMA ${quoteIdent(s.schema)} TO ${quoteIdent(s.me)}`,
    ),
  ];
}
