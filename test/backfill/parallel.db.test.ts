import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { runCli, startAdvance, waitFor } from '../helpers/cli.js';
import { rollBackAfterFailure } from '../helpers/lifecycle.js';
import { renameEmailMigration } from '../helpers/runner.js';

/** Parallel backfill workers: in one process (--workers N), across processes (--join), after SIGKILL. */
let db: TestDatabase;
const dirs: { remove(): Promise<void> }[] = [];

beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
});
// A failed case's runners are killed and its migration rolled back: the next case starts clean.
rollBackAfterFailure(() => db);
afterAll(async () => {
  for (const d of dirs) await d.remove();
  await db?.drop();
});

async function scenario(table: string, rows: number, key: 'single' | 'composite' = 'single') {
  if (key === 'single') {
    await db.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, user_email text NOT NULL)`);
    await db.query(`INSERT INTO ${table} SELECT g, 'u' || g || '@example.com' FROM generate_series(1, ${rows}) g`);
  } else {
    await db.query(`CREATE TABLE ${table} (tenant int, id bigint, user_email text NOT NULL, PRIMARY KEY (tenant, id))`);
    await db.query(
      `INSERT INTO ${table} SELECT g % 7, g, 'u' || g || '@example.com' FROM generate_series(1, ${rows}) g`,
    );
  }
  await db.query(`ANALYZE ${table}`);
  return renameEmailMigration(table, db.url, dirs);
}

const chunks = (migration: string) =>
  db.query<{ chunk: number; done: boolean; claimed_by: string | null; rows_scanned: number }>(
    `SELECT chunk, done, claimed_by, rows_scanned::int FROM zdm.backfill_chunks WHERE migration = $1 ORDER BY chunk`,
    [migration],
  );
const disagreeing = async (table: string) =>
  (
    await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${table} WHERE email_address IS DISTINCT FROM user_email`,
    )
  )[0]!.n;

describe('parallel backfill workers', () => {
  it('--workers 3 splits the key range into chunks, every chunk is done by some worker and no row is left', async () => {
    const s = await scenario('par_workers', 30_000);
    expect((await runCli(['advance', ...s.args])).code).toBe(0); // expand
    const r = await runCli(['advance', ...s.args, '--workers', '3', '--batch-size', '500', '--target-batch-ms', '20']);
    expect(r.stderr + r.stdout).toContain('ran backfill');
    expect(r.code).toBe(0);
    const rows = await chunks(s.migration);
    expect(rows.length).toBeGreaterThanOrEqual(6);
    expect(rows.every((c) => c.done)).toBe(true);
    expect(new Set(rows.map((c) => c.claimed_by)).size).toBe(3); // all three workers claimed chunks
    expect(await disagreeing('par_workers')).toBe(0);
    const [bf] = await db.query<{ done: boolean; rows_scanned: number }>(
      `SELECT done, rows_scanned::int FROM zdm.backfills WHERE migration = $1`,
      [s.migration],
    );
    expect(bf).toMatchObject({ done: true });
    expect(bf!.rows_scanned).toBeGreaterThanOrEqual(30_000);
    expect((await runCli(['advance', ...s.args, '--until', 'contract'])).code).toBe(0);
  });

  it('works on a composite primary key', async () => {
    const s = await scenario('par_composite', 12_000, 'composite');
    expect((await runCli(['advance', ...s.args])).code).toBe(0);
    expect((await runCli(['advance', ...s.args, '--workers', '2', '--batch-size', '300'])).code).toBe(0);
    expect((await chunks(s.migration)).every((c) => c.done)).toBe(true);
    expect(await disagreeing('par_composite')).toBe(0);
    expect((await runCli(['advance', ...s.args, '--until', 'contract'])).code).toBe(0);
  });

  it('a second process joins with --join and claims chunks; a SIGKILLed runner is resumed without missing a row', async () => {
    const s = await scenario('par_join', 12_000);
    expect((await runCli(['advance', ...s.args])).code).toBe(0); // expand
    const batches = ['--batch-size', '200', '--target-batch-ms', '10'];
    const first = startAdvance([...s.args, '--workers', '2', ...batches, '--max-rows-per-second', '1000']);
    await waitFor('chunks created and claimed', async () =>
      (await chunks(s.migration)).some((c) => c.claimed_by) ? true : undefined,
    );
    // Paused, the first runner holds its chunks but covers no more rows: chunks are left for the
    // joiner however long it takes to start on a busy machine (workers claim, then wait on the pause).
    expect((await runCli(['pause', ...s.args])).code).toBe(0);
    // Nothing to do for a second plain runner: it is locked out (exit 4), but --join helps.
    const joiner = startAdvance([...s.args, '--join', '--workers', '2', ...batches]);
    await waitFor(
      'the joiner claims a chunk',
      async () => ((await chunks(s.migration)).some((c) => c.claimed_by?.includes('--join')) ? true : undefined),
      60_000,
    );
    first.child.kill('SIGKILL');
    await first.exited;
    expect((await runCli(['resume', ...s.args])).code).toBe(0);
    // The joiner finishes the chunks, including the killed runner's (its backend is gone).
    expect(await joiner.exited).toBe(0);
    expect(joiner.output()).toContain('helped backfill');
    // Its progress counts every worker's rows (zdm.backfills), not only its own.
    const progress = joiner
      .output()
      .split('\n')
      .filter((l) => l.includes('"backfill-progress"'))
      .map((l) => JSON.parse(l) as { progress: { rowsScanned: number; done: boolean } });
    expect(progress.at(-1)?.progress.done).toBe(true);
    expect(progress.at(-1)!.progress.rowsScanned).toBeGreaterThanOrEqual(12_000);
    // Its final tally is the rows the workers of both processes covered, as recorded with their batches.
    const [bf] = await db.query<{ rows_scanned: number }>(
      `SELECT rows_scanned::int FROM zdm.backfills WHERE migration = $1`,
      [s.migration],
    );
    expect(progress.at(-1)!.progress.rowsScanned).toBe(bf!.rows_scanned);
    const rows = await chunks(s.migration);
    expect(rows.every((c) => c.done)).toBe(true);
    expect(await disagreeing('par_join')).toBe(0);
    // The resumed runner finds the backfill done and moves on to the switch.
    const resumed = await runCli(['advance', ...s.args, '--until', 'switch']);
    expect(resumed.code).toBe(0);
    const [m] = await db.query<{ phase: string }>(`SELECT phase FROM zdm.migrations WHERE name = $1`, [s.migration]);
    expect(m!.phase).toBe('switch');
    expect((await runCli(['advance', ...s.args, '--until', 'contract'])).code).toBe(0);
  }, 120_000);

  it('--join without a parallel backfill running says so and exits 0', async () => {
    const r = await runCli(['advance', '--database-url', db.url, '--join']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('nothing to join');
  });

  it('zdm tune lifts the rate cap of a running backfill without a restart', async () => {
    const s = await scenario('par_tune', 30_000);
    expect((await runCli(['advance', ...s.args])).code).toBe(0);
    // At 500 rows/s this backfill would take a minute.
    const run = startAdvance([...s.args, '--workers', '2', '--batch-size', '100', '--max-rows-per-second', '500']);
    await waitFor('a few batches', async () =>
      (await chunks(s.migration)).some((c) => c.rows_scanned > 0) ? true : undefined,
    );
    const tuned = await runCli(['tune', ...s.args, '--batch-size', '2000', '--max-rows-per-second', 'off']);
    expect(tuned.stderr).toBe('');
    expect(tuned.code).toBe(0);
    expect(tuned.stdout).toContain('"batchSize":2000');
    expect(await run.exited).toBe(0);
    // The running backfill took the change without a restart (not timed: a busy machine is slow anyway).
    const events = run
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events).toContainEqual(
      expect.objectContaining({ event: 'backfill-control', change: 'tune', batchSize: 2000, maxRowsPerSecond: null }),
    );
    expect(await disagreeing('par_tune')).toBe(0);
    expect((await runCli(['advance', ...s.args, '--until', 'contract'])).code).toBe(0);
  });
});
