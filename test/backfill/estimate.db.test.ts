import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { runCli } from '../helpers/cli.js';
import { tempMigrationsDir } from '../helpers/runner.js';

/** The row count behind progress and the ETA (rows left / rate) when the statistics are stale or missing. */
let db: TestDatabase;
let dir: Awaited<ReturnType<typeof tempMigrationsDir>>;

beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
  dir = await tempMigrationsDir('estimate');
});
afterAll(async () => {
  await dir?.remove();
  await db?.drop();
});

interface Progress {
  rowsScanned: number;
  totalEstimate: number;
  done: boolean;
}

/** The first and the last progress event of the backfill, as `zdm advance --json` prints them. */
async function backfillOf(table: string, file: string): Promise<{ first: Progress; last: Progress }> {
  await dir.write(file, { operations: [{ op: 'renameColumn', table, from: 'user_email', to: 'email_address' }] });
  const args = ['--migrations-dir', dir.dir, '--database-url', db.url];
  const advance = async (until: string) => {
    const r = await runCli(['advance', '--until', until, '--json', '--batch-size', '1000', ...args]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    return r.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { event: string; progress?: Progress })
      .filter((e) => e.event === 'backfill-progress')
      .map((e) => e.progress!);
  };
  const events = await advance('backfill');
  expect(events.length).toBeGreaterThan(1);
  await advance('contract'); // done, so the next test's migration is the next one
  return { first: events[0]!, last: events.at(-1)! };
}

describe('the backfill row estimate', () => {
  it('scales the last ANALYZE to the pages the table has now, so a table that doubled since is not read as half its size', async () => {
    await db.query(
      `CREATE TABLE grown (id bigint PRIMARY KEY, user_email text NOT NULL) WITH (autovacuum_enabled = off)`,
    );
    await db.query(`INSERT INTO grown SELECT g, 'user' || g || '@example.com' FROM generate_series(1, 10000) g`);
    await db.query(`ANALYZE grown`);
    await db.query(`INSERT INTO grown SELECT g, 'user' || g || '@example.com' FROM generate_series(10001, 20000) g`);
    const [stats] = await db.query<{ reltuples: number }>(
      `SELECT reltuples::float8 AS reltuples FROM pg_class WHERE relname = 'grown'`,
    );
    expect(stats!.reltuples).toBe(10000); // what the estimate used to be

    const { first, last } = await backfillOf('grown', '0001_grown.json');
    expect(first.rowsScanned).toBeLessThan(10000);
    expect(first.totalEstimate).toBeGreaterThan(19000); // reltuples alone: 10,000, so 50% read as 100%
    expect(first.totalEstimate).toBeLessThan(21000);
    expect(last).toMatchObject({ done: true, rowsScanned: 20000 });
  });

  it('counts the rows of a table that was never analyzed', async () => {
    await db.query(
      `CREATE TABLE fresh (id bigint PRIMARY KEY, user_email text NOT NULL) WITH (autovacuum_enabled = off)`,
    );
    await db.query(`INSERT INTO fresh SELECT g, 'user' || g || '@example.com' FROM generate_series(1, 7000) g`);
    const { first, last } = await backfillOf('fresh', '0002_fresh.json');
    expect(first.rowsScanned).toBeLessThan(7000);
    expect(first.totalEstimate).toBe(7000);
    expect(last).toMatchObject({ done: true, rowsScanned: 7000 });
  });
});
