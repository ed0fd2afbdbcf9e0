import type pg from 'pg';
import { quoteIdent, quoteQualified, type QualifiedName } from '../db/quote.js';
import type { SchemaScript } from './schema.js';

type ForeignKey = SchemaScript['foreignKeyColumns'][number];

export interface SampleResult {
  /** Rows loaded per table (`schema.name`). */
  rows: Map<string, number>;
  /** Rows removed because the rows they reference were not in the sample (a multi-column key). */
  dangling: number;
}

/**
 * Loads up to `limit` rows of each table from the target (a plain SELECT in a read-only
 * snapshot, rows as their text form so every type round-trips), then the rows single-column
 * foreign keys of the sample reference, then drops sampled rows whose references are still
 * missing, so the foreign keys can be added as the target has them.
 */
export async function loadSample(
  target: pg.ClientBase,
  rehearsal: pg.ClientBase,
  script: SchemaScript,
  limit: number,
): Promise<SampleResult> {
  const rows = new Map<string, number>();
  await target.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    for (const table of script.sampled) {
      const found = await target.query<{ r: string }>(`SELECT x::text AS r FROM ${quoteQualified(table)} x LIMIT $1`, [
        limit,
      ]);
      rows.set(
        quoteQualified(table),
        await insertRows(
          rehearsal,
          table,
          found.rows.map((r) => r.r),
        ),
      );
    }
    for (let pass = 0; pass < 2; pass++)
      for (const fk of script.foreignKeyColumns.filter((f) => f.columns.length === 1)) {
        const added = await topUp(target, rehearsal, fk, limit);
        const key = quoteQualified(fk.parent);
        rows.set(key, (rows.get(key) ?? 0) + added);
      }
    await target.query('COMMIT');
  } catch (err) {
    await target.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  return { rows, dangling: await dropDangling(rehearsal, script.foreignKeyColumns) };
}

async function insertRows(rehearsal: pg.ClientBase, table: QualifiedName, texts: string[]): Promise<number> {
  if (texts.length === 0) return 0;
  const q = quoteQualified(table);
  const { rows } = await rehearsal.query<{ name: string }>(
    `SELECT attname AS name FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 ` +
      `AND NOT attisdropped AND attgenerated = '' ORDER BY attnum`,
    [q],
  );
  const cols = rows.map((r) => quoteIdent(r.name)).join(', ');
  const res = await rehearsal.query(
    `INSERT INTO ${q} (${cols}) OVERRIDING SYSTEM VALUE SELECT ${cols} FROM (SELECT (u.r::${q}).* ` +
      `FROM unnest($1::text[]) AS u(r)) s`,
    [texts],
  );
  return res.rowCount ?? 0;
}

/** Copies the referenced rows the sample lacks (up to `limit`), looked up by the referenced key on the target. */
async function topUp(target: pg.ClientBase, rehearsal: pg.ClientBase, fk: ForeignKey, limit: number): Promise<number> {
  const child = quoteQualified(fk.child);
  const parent = quoteQualified(fk.parent);
  const col = quoteIdent(fk.columns[0]!);
  const pcol = quoteIdent(fk.parentColumns[0]!);
  const missing = await rehearsal.query<{ k: string }>(
    `SELECT DISTINCT c.${col}::text AS k FROM ${child} c
      WHERE c.${col} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${parent} p WHERE p.${pcol} = c.${col}) LIMIT $1`,
    [limit],
  );
  if (missing.rows.length === 0) return 0;
  const type = await rehearsal.query<{ t: string }>(
    `SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = $1::regclass AND attname = $2`,
    [parent, fk.parentColumns[0]],
  );
  const found = await target.query<{ r: string }>(
    `SELECT x::text AS r FROM ${parent} x WHERE x.${pcol} = ANY($1::${type.rows[0]!.t}[])`,
    [missing.rows.map((r) => r.k)],
  );
  return insertRows(
    rehearsal,
    fk.parent,
    found.rows.map((r) => r.r),
  );
}

async function dropDangling(rehearsal: pg.ClientBase, fks: ForeignKey[]): Promise<number> {
  let total = 0;
  for (let pass = 0; pass < 5; pass++) {
    let removed = 0;
    for (const fk of fks) {
      const set = fk.columns.map((c) => `c.${quoteIdent(c)} IS NOT NULL`).join(' AND ');
      const match = fk.columns
        .map((c, i) => `p.${quoteIdent(fk.parentColumns[i]!)} = c.${quoteIdent(c)}`)
        .join(' AND ');
      const res = await rehearsal.query(
        `DELETE FROM ${quoteQualified(fk.child)} c WHERE ${set} AND NOT EXISTS (SELECT 1 ` +
          `FROM ${quoteQualified(fk.parent)} p WHERE ${match})`,
      );
      removed += res.rowCount ?? 0;
    }
    total += removed;
    if (removed === 0) break;
  }
  return total;
}
