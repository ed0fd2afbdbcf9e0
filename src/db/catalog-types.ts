import type pg from 'pg';

type Queryable = pg.Pool | pg.PoolClient | pg.Client;

/** A type named in a migration file, as the server resolves it (through the search_path). */
export interface TypeInfo {
  oid: number;
  /** format_type: `bigint`, `character varying(200)`, `public.status`. */
  name: string;
}

/**
 * What a foreign key needs to know about a column type: the btree operator family of its default
 * operator class (of its base type, for a domain; null when it has none of its own: varchar,
 * enums, arrays) and the types it casts to implicitly.
 */
export interface TypeFacts {
  family: number | null;
  implicitTo: number[];
  /**
   * The type has a default btree operator class as Postgres looks one up for it (its own, one of a
   * type it casts to implicitly without conversion, or the enum / range / array-of-such / record
   * one): CREATE STATISTICS refuses a column of a type without one (json, xml, point, json[]).
   * Absent from catalogs built without a server.
   */
  sortable?: boolean;
}

/** TypeFacts.sortable of `t` (GetDefaultOpClass for btree; an array by its element; a composite: true). */
const SORTABLE_SQL = `EXISTS (SELECT 1 FROM pg_type b
            JOIN pg_type e ON e.oid = CASE WHEN b.typcategory = 'A' AND b.typelem <> 0 THEN b.typelem ELSE b.oid END
            JOIN pg_type eb ON eb.oid = coalesce(nullif(e.typbasetype, 0), e.oid)
            JOIN pg_opclass oc ON oc.opcdefault AND oc.opcmethod = (SELECT oid FROM pg_am WHERE amname = 'btree')
           WHERE b.oid = coalesce(nullif(t.typbasetype, 0), t.oid)
             AND (oc.opcintype = eb.oid
                  OR EXISTS (SELECT 1 FROM pg_cast c WHERE c.castsource = eb.oid AND c.casttarget = oc.opcintype
                                AND c.castmethod = 'b' AND c.castcontext = 'i')
                  OR (eb.typtype = 'e' AND oc.opcintype = 'anyenum'::regtype)
                  OR (eb.typtype = 'r' AND oc.opcintype = 'anyrange'::regtype)
                  OR (eb.typtype = 'm' AND oc.opcintype::regtype::text = 'anymultirange')
                  OR (eb.typtype = 'c' AND oc.opcintype = 'record'::regtype)))`;

/** Resolves type names as written (`bigint`, `varchar(200)`, `status`); a name that does not resolve is absent. */
export async function readTypes(client: Queryable, texts: string[]): Promise<Map<string, TypeInfo>> {
  const out = new Map<string, TypeInfo>();
  for (const text of new Set(texts.map((t) => t.trim()))) {
    try {
      const { rows } = await client.query<{ oid: number | null; name: string | null }>(
        `SELECT to_regtype($1)::oid::int AS oid, format_type(to_regtype($1), NULL) AS name`,
        [text],
      );
      if (rows[0]?.oid) out.set(text, { oid: Number(rows[0].oid), name: rows[0].name! });
    } catch {
      // Not even a type name (the planner's parse reports why): absent.
    }
  }
  return out;
}

export async function readTypeFacts(client: Queryable, oids: number[]): Promise<Map<number, TypeFacts>> {
  const { rows } = await client.query<{ oid: number; family: number | null; implicit: number[]; sortable: boolean }>(
    `SELECT t.oid::int AS oid,
            (SELECT oc.opcfamily::int FROM pg_opclass oc JOIN pg_am am ON am.oid = oc.opcmethod
              WHERE am.amname = 'btree' AND oc.opcdefault
                AND oc.opcintype = coalesce(nullif(t.typbasetype, 0), t.oid) LIMIT 1) AS family,
            ARRAY(SELECT c.casttarget::int FROM pg_cast c
                   WHERE c.castsource = coalesce(nullif(t.typbasetype, 0), t.oid) AND c.castcontext = 'i') AS implicit,
            ${SORTABLE_SQL} AS sortable
       FROM pg_type t WHERE t.oid = ANY ($1::oid[])`,
    [[...new Set(oids)]],
  );
  return new Map(
    rows.map((r) => [Number(r.oid), { family: r.family, implicitTo: r.implicit.map(Number), sortable: r.sortable }]),
  );
}

/**
 * Whether Postgres can implement a foreign key from a `from` column onto a `to` key column: false
 * only when both types have their own btree family, the families differ, and `from` does not cast
 * implicitly to `to` (numeric onto bigint: "Key columns are of incompatible types"). Unknown: true.
 */
export function foreignKeyTypesCompatible(facts: Map<number, TypeFacts>, from: number, to: number): boolean {
  if (from === to) return true;
  const a = facts.get(from);
  const b = facts.get(to);
  if (!a || !b || a.family === null || b.family === null) return true;
  return a.family === b.family || a.implicitTo.includes(to);
}
