import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCatalog } from '../../src/db/catalog.js';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { runCli, startAdvance, waitFor } from '../helpers/cli.js';
import { renameEmailMigration, tempMigrationsDir } from '../helpers/runner.js';
import { startWorkload, stopAll, stopAfterWork } from '../helpers/workload.js';

/** Backfills of tables without a primary key: by a unique NOT NULL key, resumed after SIGKILL, with an old-app writer. */
let db: TestDatabase;
const dirs: { remove(): Promise<void> }[] = [];

beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
});
afterAll(async () => {
  await stopAll();
  for (const d of dirs) await d.remove();
  await db?.drop();
});

const ROWS = 4_000;
/** Whole lifecycles with an application writing: slow on a loaded machine. */
const LIFECYCLE_MS = 180_000;

/** `table` (a, b, user_email) with `keyDdl` as its only key, ROWS rows, and a renameColumn migration. */
async function scenario(table: string, keyDdl: string) {
  await db.query(`CREATE TABLE ${table} (a int NOT NULL, b text NOT NULL, user_email text)`);
  if (keyDdl) await db.query(keyDdl);
  await db.query(
    `INSERT INTO ${table} SELECT g % 50, 'b' || g, 'u' || g || '@example.com' FROM generate_series(1, ${ROWS}) g`,
  );
  await db.query(`ANALYZE ${table}`);
  return renameEmailMigration(table, db.url, dirs);
}

/** The old application: updates emails of existing rows and inserts new ones, writing only user_email. */
const oldApp = (table: string) =>
  startWorkload({
    url: db.url,
    name: 'old',
    step: (c, i) =>
      i % 3 === 0
        ? c.query(`INSERT INTO ${table} (a, b, user_email) VALUES ($1, $2, $3)`, [-i, `new${i}`, `n${i}@example.com`])
        : c.query(`UPDATE ${table} SET user_email = $2 WHERE b = $1`, [`b${1 + ((i * 7919) % ROWS)}`, `x${i}@ex.com`]),
  });

const backfill = async (migration: string) =>
  (
    await db.query<{ rows_scanned: number; done: boolean; last_key: string[] | null }>(
      `SELECT rows_scanned::int, done, last_key FROM zdm.backfills WHERE migration = $1`,
      [migration],
    )
  )[0];

/** Expand, a backfill SIGKILLed half-way under the old app's writes, a resumed run; every row must then agree. */
async function killedAndResumed(table: string, s: { migration: string; args: string[] }) {
  expect((await runCli(['advance', ...s.args])).code).toBe(0); // expand
  const app = oldApp(table);
  const run = startAdvance([
    ...s.args,
    '--batch-size',
    '300',
    '--target-batch-ms',
    '20',
    '--max-rows-per-second',
    '2000',
  ]);
  await waitFor(
    'a few committed batches',
    async () => ((await backfill(s.migration))?.rows_scanned ?? 0) >= 600 || undefined,
    120_000,
  );
  run.child.kill('SIGKILL');
  await run.exited;
  const atKill = (await backfill(s.migration))!;
  expect(atKill.done).toBe(false);
  const resumed = await runCli(['advance', ...s.args]);
  expect(resumed.code, resumed.stderr).toBe(0);
  expect((await backfill(s.migration))!.done).toBe(true);
  const stats = await stopAfterWork(app);
  expect(stats.errors).toEqual([]);
  const [{ n }] = (await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${table} WHERE email_address IS DISTINCT FROM user_email`,
  )) as [{ n: number }];
  expect(n).toBe(0);
  expect((await runCli(['advance', '--until', 'contract', ...s.args])).code).toBe(0);
  return atKill;
}

describe('tables without a primary key', () => {
  it('the catalog exposes the key columns of indexes that can order a walk, in index order', async () => {
    await db.query(`CREATE TABLE keys (a int NOT NULL, b text NOT NULL, c text)`);
    await db.query(`CREATE UNIQUE INDEX keys_ba ON keys (b, a)`);
    await db.query(`CREATE UNIQUE INDEX keys_lower ON keys (lower(b))`);
    await db.query(`CREATE UNIQUE INDEX keys_partial ON keys (c) WHERE c IS NOT NULL`);
    await db.query(`CREATE UNIQUE INDEX keys_pattern ON keys (b text_pattern_ops)`);
    await db.query(`CREATE UNIQUE INDEX keys_collated ON keys (b COLLATE "C")`);
    const catalog = await readCatalog(db.pool, { tables: [{ schema: 'public', name: 'keys' }] });
    const indexes = catalog.tables.get('public.keys')!.indexes;
    expect(Object.fromEntries(indexes.map((i) => [i.name, i.keyColumns]))).toEqual({
      keys_ba: ['b', 'a'],
      keys_lower: undefined,
      keys_partial: undefined,
      keys_pattern: undefined,
      keys_collated: undefined,
    });
  });

  it(
    'a table with only a composite unique NOT NULL key is backfilled on it and resumes after SIGKILL',
    async () => {
      const s = await scenario('uk', `ALTER TABLE uk ADD CONSTRAINT uk_ba UNIQUE (b, a)`);
      const plan = await runCli(['plan', ...s.args]);
      expect(plan.stdout).toContain('in keyset batches on (b, a) (unique index uk_ba: the table has no primary key)');
      const atKill = await killedAndResumed('uk', s);
      // The cursor is the (b, a) key of the last row of the last committed batch.
      expect(atKill.last_key).toHaveLength(2);
    },
    LIFECYCLE_MS,
  );

  it(
    'a table with no key at all is walked by block ranges (TID range scans) and resumes after SIGKILL',
    async () => {
      // An index that is not unique is no key: the walk is by physical position.
      const s = await scenario('nokey', `CREATE INDEX nokey_b ON nokey (b)`);
      const plan = await runCli(['plan', ...s.args]);
      expect(plan.stdout).toContain('in batches of physical position (ctid block ranges');
      expect(plan.stdout).toContain('the dual-write trigger writes their new columns itself');
      const explain = await db.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN UPDATE nokey SET b = b WHERE ctid >= '(1,0)'::tid AND ctid < '(3,0)'::tid`,
      );
      expect(explain.map((r) => r['QUERY PLAN']).join('\n')).toContain('Tid Range Scan');
      const atKill = await killedAndResumed('nokey', s);
      // The cursor is [next block, the table's block count when the backfill started].
      expect(atKill.last_key).toHaveLength(2);
      expect(Number(atKill.last_key![0])).toBeLessThan(Number(atKill.last_key![1]));
    },
    LIFECYCLE_MS,
  );

  it(
    'a primary-key type change works when a referencing table has no key',
    async () => {
      await db.query(`CREATE TABLE ev (id int PRIMARY KEY, title text)`);
      await db.query(`CREATE TABLE tk (event_id int NOT NULL REFERENCES ev (id), note text NOT NULL)`);
      await db.query(`INSERT INTO ev SELECT g, 't' || g FROM generate_series(1, 200) g`);
      await db.query(`INSERT INTO tk SELECT 1 + g % 200, (1 + g % 200)::text FROM generate_series(1, 2000) g`);
      await db.query(`ANALYZE ev; ANALYZE tk`);
      const dir = await tempMigrationsDir('pk_type');
      dirs.push(dir);
      await dir.write(`0001_ev_bigint.json`, {
        operations: [{ op: 'changeColumnType', table: 'ev', column: 'id', type: 'bigint' }],
      });
      const args = ['--migrations-dir', dir.dir, '--database-url', db.url];
      // The old application keeps adding and moving tickets; `note` says which event each one has.
      const app = startWorkload({
        url: db.url,
        name: 'old',
        step: (c, i) => {
          const event = 1 + ((i * 37) % 200);
          return i % 2 === 0
            ? c.query(`INSERT INTO tk VALUES ($1, $2)`, [event, String(event)])
            : c.query(`UPDATE tk SET event_id = $1, note = $2 WHERE note = $3`, [
                event,
                String(event),
                String(1 + (i % 200)),
              ]);
        },
      });
      const r = await runCli(['advance', '--until', 'contract', ...args]);
      expect(r.code, r.stderr + r.stdout).toBe(0);
      expect((await stopAfterWork(app)).errors).toEqual([]);
      const types = await db.query<{ table_name: string; data_type: string }>(
        `SELECT table_name, data_type FROM information_schema.columns
        WHERE (table_name, column_name) IN (('ev', 'id'), ('tk', 'event_id')) ORDER BY 1`,
      );
      expect(types).toEqual([
        { table_name: 'ev', data_type: 'bigint' },
        { table_name: 'tk', data_type: 'bigint' },
      ]);
      expect(await db.query(`SELECT count(*)::int AS n FROM tk WHERE event_id::text <> note`)).toEqual([{ n: 0 }]);
      const fk = await db.query<{ def: string; valid: boolean }>(
        `SELECT pg_get_constraintdef(oid) AS def, convalidated AS valid FROM pg_constraint WHERE conrelid = 'tk'::regclass AND contype = 'f'`,
      );
      expect(fk).toEqual([{ def: 'FOREIGN KEY (event_id) REFERENCES ev(id)', valid: true }]);
    },
    LIFECYCLE_MS,
  );
});
