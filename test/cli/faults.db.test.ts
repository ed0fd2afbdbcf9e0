import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { runCli, startAdvance, waitFor } from '../helpers/cli.js';
import { renameEmailMigration } from '../helpers/runner.js';

let db: TestDatabase;
const dirs: { remove(): Promise<void> }[] = [];

beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
});
afterAll(async () => {
  for (const d of dirs) await d.remove();
  await db?.drop();
});

async function scenario(table: string, rows: number) {
  await db.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, user_email text NOT NULL)`);
  await db.query(`INSERT INTO ${table} SELECT g, 'u' || g || '@example.com' FROM generate_series(1, ${rows}) g`);
  await db.query(`ANALYZE ${table}`);
  return renameEmailMigration(table, db.url, dirs);
}

const backfillRow = async (migration: string) =>
  (
    await db.query<{ rows_scanned: number; batches: number; last_key: string[] | null; done: boolean }>(
      `SELECT rows_scanned::int, batches, last_key, done FROM zdm.backfills WHERE migration = $1`,
      [migration],
    )
  )[0];

describe('faults', () => {
  it('a runner killed with SIGKILL mid-backfill resumes from the saved cursor; the data ends equal', async () => {
    const s = await scenario('killed', 20_000);
    expect((await runCli(['advance', ...s.args])).code).toBe(0); // expand
    // Slow batches so the kill lands in the middle of the table.
    const run = startAdvance([
      ...s.args,
      '--batch-size',
      '1000',
      '--target-batch-ms',
      '20',
      '--max-rows-per-second',
      '4000',
    ]);
    const before = await waitFor('a few committed batches', async () => {
      const row = await backfillRow('0001_rename_killed');
      return row && row.rows_scanned >= 4000 ? row : undefined;
    });
    run.child.kill('SIGKILL');
    await run.exited;
    const atKill = (await backfillRow('0001_rename_killed'))!;
    expect(atKill.done).toBe(false);
    expect(atKill.rows_scanned).toBeGreaterThanOrEqual(before.rows_scanned);
    expect(atKill.rows_scanned).toBeLessThan(20_000);
    // The cursor is the key of the last row of the last committed batch.
    expect(Number(atKill.last_key![0])).toBe(atKill.rows_scanned);

    const resumed = await runCli(['advance', ...s.args]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = (await backfillRow('0001_rename_killed'))!;
    expect(after.done).toBe(true);
    // No row skipped, none redone: the killed batch rolled back and the next run started after the cursor.
    expect(after.rows_scanned).toBe(20_000);
    const differing = await db.query(
      `SELECT count(*)::int AS n FROM killed WHERE email_address IS DISTINCT FROM user_email`,
    );
    expect(differing).toEqual([{ n: 0 }]);
    expect((await runCli(['advance', '--until', 'contract', ...s.args])).code).toBe(0);
  });

  it('a second runner exits 4 naming the one that holds the lock; nothing runs twice', async () => {
    const s = await scenario('locked', 20_000);
    expect((await runCli(['advance', ...s.args])).code).toBe(0);
    const first = startAdvance([...s.args, '--batch-size', '500', '--max-rows-per-second', '3000']);
    await waitFor('the first runner to be backfilling', async () =>
      (await backfillRow('0001_rename_locked'))?.batches ? true : undefined,
    );
    const second = await runCli(['advance', ...s.args]);
    expect(second.code).toBe(4);
    expect(second.stderr).toMatch(
      /another zdm runner holds the migration lock: "zdm advance [^"]+@[^"]+:\d+" \(backend pid \d+/,
    );
    expect(second.stderr).toContain('nothing was changed');
    // Waiting for the lock instead: the second runner proceeds once the first is done.
    const waiting = runCli(['advance', '--lock-wait', '60s', ...s.args]);
    expect(await first.exited).toBe(0);
    expect((await waiting).code).toBe(0);
    const steps = await db.query<{ step_id: string; attempts: number }>(
      `SELECT step_id, attempts FROM zdm.steps WHERE migration = '0001_rename_locked' ORDER BY step_id`,
    );
    expect(steps.every((s) => s.attempts === 1)).toBe(true);
    const phase = await db.query(`SELECT phase FROM zdm.migrations WHERE name = '0001_rename_locked'`);
    expect(phase).toEqual([{ phase: 'switch' }]);
    // One active migration per schema: finish it so the next scenario can start.
    expect((await runCli(['advance', ...s.args])).code).toBe(0);
  });

  it('a migration file changed after activation is drift: exit 3, nothing runs', async () => {
    const s = await scenario('drifted', 100);
    expect((await runCli(['advance', ...s.args])).code).toBe(0);
    const dir = dirs.at(-1)! as unknown as { write(n: string, c: object): Promise<string> };
    await dir.write('0001_rename_drifted.json', {
      operations: [{ op: 'renameColumn', table: 'drifted', from: 'user_email', to: 'mail' }],
    });
    const r = await runCli(['advance', ...s.args]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('0001_rename_drifted.json: changed since it was activated');
    const status = await runCli(['status', '--json', ...s.args]);
    const report = JSON.parse(status.stdout) as { migrations: { name: string; drift: boolean; phase: string }[] };
    expect(report.migrations.find((m) => m.name === '0001_rename_drifted')).toMatchObject({
      drift: true,
      phase: 'expand',
    });
    // Rolling back is always possible, and re-planning the changed file starts it afresh.
    expect((await runCli(['rollback', ...s.args])).code).toBe(0);
    expect((await runCli(['advance', '--until', 'contract', ...s.args])).code).toBe(0);
    expect(
      await db.query(
        `SELECT attname FROM pg_attribute WHERE attrelid = 'drifted'::regclass AND attnum > 1 AND NOT attisdropped`,
      ),
    ).toEqual([{ attname: 'mail' }]);
  });

  it('rollback is refused once contract has run, and when nothing is active', async () => {
    const s = await scenario('contracted', 100);
    expect((await runCli(['advance', '--until', 'contract', ...s.args])).code).toBe(0);
    const r = await runCli(['rollback', ...s.args]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no active migration to roll back');
  });

  it('a lock held by the application: DDL waits at most lock_timeout per attempt, then fails cleanly and can be retried', async () => {
    const s = await scenario('busy', 100);
    const app = new pg.Client({ connectionString: db.url, application_name: 'long report' });
    app.on('error', () => undefined);
    await app.connect();
    await app.query('BEGIN');
    await app.query('SELECT count(*) FROM busy'); // ACCESS SHARE, held until COMMIT: ALTER TABLE must wait
    const started = Date.now();
    const r = await runCli(['advance', '--lock-timeout', '200ms', '--lock-retries', '2', ...s.args]);
    const elapsed = Date.now() - started;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /could not get its lock within lock_timeout 200ms after 3 attempts \(pid \d+ \(long report, idle in transaction/,
    );
    // Nothing was applied: the expand transaction rolled back.
    const cols = await db.query(
      `SELECT attname FROM pg_attribute WHERE attrelid = 'busy'::regclass AND attname = 'email_address'`,
    );
    expect(cols).toEqual([]);
    // Meanwhile other sessions were never stuck behind us for longer than one lock_timeout.
    expect(elapsed).toBeLessThan(30_000);
    await app.query('COMMIT');
    await app.end();
    const retried = await runCli(['advance', ...s.args]);
    expect(retried.code, retried.stderr).toBe(0);
  });
});
