import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { runCli, startAdvance, waitFor } from '../helpers/cli.js';
import { tempMigrationsDir } from '../helpers/runner.js';

/** zdm status, in another process, shows what the running backfill's progress bar shows. */
let db: TestDatabase;
let dir: Awaited<ReturnType<typeof tempMigrationsDir>>;

beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
  dir = await tempMigrationsDir('status-live');
});
afterAll(async () => {
  await dir?.remove();
  await db?.drop();
});

interface LiveJson {
  rowsPerSecond: number;
  etaSeconds: number | null;
  batchSize: number;
  paused: string | null;
  pausedMs: number;
  ageSeconds: number;
  lag: unknown[];
}

describe('zdm status while a backfill runs', () => {
  it('shows rate, ETA, lag and batch size, the pause reason and for how long, and a runner that stopped reporting', async () => {
    await db.query(`CREATE TABLE accounts (id bigint PRIMARY KEY, user_email text NOT NULL)`);
    await db.query(`INSERT INTO accounts SELECT g, 'u' || g FROM generate_series(1, 20000) g`);
    await db.query(`ANALYZE accounts`);
    await db.query(`CREATE TABLE hold (why text)`);
    await dir.write('0001_rename.json', {
      operations: [{ op: 'renameColumn', table: 'accounts', from: 'user_email', to: 'email_address' }],
    });
    const args = ['--migrations-dir', dir.dir, '--database-url', db.url];
    expect((await runCli(['advance', ...args])).code).toBe(0); // expand
    const run = startAdvance([
      ...args,
      '--batch-size',
      '200',
      '--max-rows-per-second',
      '2000',
      '--throttle-query',
      'SELECT count(*) FROM hold',
    ]);
    const live = async () => {
      const r = await runCli(['status', '--json', ...args]);
      const report = JSON.parse(r.stdout) as { migrations: { backfills: { live: LiveJson | null }[] }[] };
      return report.migrations[0]?.backfills[0]?.live ?? undefined;
    };
    try {
      // Progress is reported after the rate cap's sleep, so even the first report shows the cap
      // (2,000 rows/s); it once read 3,826 when it came right after the first batch.
      const running = await waitFor('a live progress report', async () => {
        const l = await live();
        return l && l.rowsPerSecond > 0 && l.etaSeconds !== null ? l : undefined;
      });
      expect(running.rowsPerSecond).toBeLessThan(2100);
      expect(running.paused).toBeNull();
      expect(running.ageSeconds).toBeLessThan(5);
      expect(running.etaSeconds!).toBeGreaterThan(1);
      expect(running.batchSize).toBeGreaterThan(0);
      expect(Array.isArray(running.lag)).toBe(true);
      const text = (await runCli(['status', ...args])).stdout;
      expect(text).toMatch(
        /backfill public\.accounts: [\d,]+\/20,000 rows \([\d.]+%\), \d+ batches, batch size \d+, [\d,]+ rows\/s, ETA \S+, lag /,
      );

      expect(text).toMatch(/^active\s+0001_rename {2}backfill running now \(expand done\) {2}\(/m);

      // zdm tune / pause / resume from another terminal show in the runner's output (JSON lines off a terminal).
      const shows = (what: string, pattern: RegExp) =>
        waitFor(`the runner to show ${what}`, () => Promise.resolve(pattern.test(run.output()) || undefined));
      expect((await runCli(['tune', '--batch-size', '300', ...args])).code).toBe(0);
      await shows('zdm tune', /"event":"backfill-control",.*"change":"tune","batchSize":300/);
      expect((await runCli(['pause', '--reason', 'deploy window', ...args])).code).toBe(0);
      await shows('zdm pause', /"event":"backfill-control",.*"change":"pause","reason":"deploy window"/);
      expect((await runCli(['resume', ...args])).code).toBe(0);
      await shows('zdm resume', /"event":"backfill-control",.*"change":"resume"/);

      await db.query(`INSERT INTO hold VALUES ('peak traffic')`);
      const paused = await waitFor('the pause to show in status', async () => {
        const l = await live();
        return l?.paused && l.pausedMs >= 1000 ? l : undefined;
      });
      expect(paused.paused).toBe('the throttle query returned 1 (pauses on true or a number > 0)');
      expect((await runCli(['status', ...args])).stdout).toMatch(
        /\[PAUSED \d+\.\d\ds: the throttle query returned 1 \(pauses on true or a number > 0\)\]/,
      );

      // The runner dies: its last report ages, and status says so instead of showing it as current.
      run.child.kill('SIGKILL');
      await run.exited;
      await db.query(`UPDATE zdm.backfills SET live = jsonb_set(live, '{at}', to_jsonb(now() - interval '2 minutes'))`);
      const stale = await waitFor('the runner lock to be released', async () => {
        const out = (await runCli(['status', ...args])).stdout;
        return out.includes('runner lock held') ? undefined : out;
      });
      expect(stale).toMatch(
        /^active\s+0001_rename {2}backfill started, not running now \(expand done; zdm advance continues it\)/m,
      );
      expect(stale).toMatch(
        /rows\/s on average, ETA \S+ at that rate; no runner has reported for 2m\d\ds \(zdm advance continues it\)/,
      );
      expect(stale).not.toContain('PAUSED');

      await db.query(`DELETE FROM hold`);
      const finish = await runCli(['advance', ...args]);
      expect(finish.code, finish.stdout + finish.stderr).toBe(0);
      expect(
        (
          await db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM accounts WHERE email_address IS DISTINCT FROM user_email`,
          )
        )[0]!.n,
      ).toBe(0);
      expect(await live()).toBeUndefined(); // done: no live view
    } finally {
      run.child.kill('SIGKILL');
    }
  });
});
