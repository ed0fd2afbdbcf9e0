import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { runCli } from '../helpers/cli.js';
import { renameEmailMigration } from '../helpers/runner.js';

/**
 * A batch sends its bound query with the cursor written in as literals (one message with BEGIN
 * and the settings): keys holding quotes, backslashes, semicolons, comment markers and non-ASCII
 * text, with timestamptz and numeric parts, must walk the whole table, in one worker and in chunks.
 */
let db: TestDatabase;
const dirs: { remove(): Promise<void> }[] = [];

beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
});
afterAll(async () => {
  for (const d of dirs) await d.remove();
  await db?.drop();
});

const TENANTS = [`O'Brien`, `back\\slash`, `two\\\\ends'`, `semi; DROP TABLE x; --`, `naïve 🙂`, `"quoted"`, `$1`, ` `];
const PER_TENANT = 300;

async function scenario(table: string) {
  await db.query(
    `CREATE TABLE ${table} (tenant text, at timestamptz, seq numeric, user_email text,
       PRIMARY KEY (tenant, at, seq))`,
  );
  await db.query(
    `INSERT INTO ${table} SELECT t, timestamptz '2026-01-01 00:00:00.123456+00' + g * interval '1 second', g / 7.0,
            'u' || g || '@example.com'
       FROM unnest($1::text[]) t, generate_series(1, ${PER_TENANT}) g`,
    [TENANTS],
  );
  await db.query(`ANALYZE ${table}`);
  return renameEmailMigration(table, db.url, dirs);
}

const disagreeing = async (table: string) =>
  (
    await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${table} WHERE email_address IS DISTINCT FROM user_email`,
    )
  )[0]!.n;

describe('batch bounds written as literals', () => {
  it.each([
    ['one worker', 'lit_seq', []],
    ['two workers (chunk ceilings)', 'lit_par', ['--workers', '2']],
  ])('%s: every row of a table keyed by odd text, timestamptz and numeric is backfilled', async (_, table, extra) => {
    const s = await scenario(table);
    expect((await runCli(['advance', ...s.args])).code).toBe(0); // expand
    const r = await runCli(['advance', ...s.args, ...extra, '--batch-size', '100', '--target-batch-ms', '1']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('ran backfill');
    const [bf] = await db.query<{ done: boolean; batches: number; rows_updated: number }>(
      `SELECT done, batches::int, rows_updated::int FROM zdm.backfills WHERE migration = $1`,
      [s.migration],
    );
    // Small batches: the cursor passed through many of the odd keys.
    expect(bf!.done).toBe(true);
    expect(bf!.batches).toBeGreaterThanOrEqual(10);
    expect(bf!.rows_updated).toBe(TENANTS.length * PER_TENANT);
    expect(await disagreeing(table)).toBe(0);
    expect((await runCli(['advance', ...s.args, '--until', 'contract'])).code).toBe(0);
    expect(await db.query(`SELECT count(*)::int AS n FROM ${table} WHERE email_address IS NULL`)).toEqual([{ n: 0 }]);
  });
});
