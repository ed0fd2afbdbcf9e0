import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startCluster, type Cluster } from '../../src/embedded/cluster.js';
import { loadMigrations } from '../../src/migration/load.js';
import { rehearse } from '../../src/rehearse/rehearse.js';
import { advance } from '../../src/runner/advance.js';
import { createTestDatabase, onSecondaryBackend, testLabel } from '../harness/database.js';
import { TEST_SETTINGS, testRunner } from '../helpers/runner.js';

/**
 * `zdm plan --rehearse` over every example in migrations-examples/: each migration, rehearsed
 * against the example's database (its setup.sql), reports observed = predicted for every step of
 * expand -> backfill -> switch -> contract and of every undo of expand -> rollback. One throwaway
 * cluster serves every rehearsal (each in databases of its own). A later migration of an example
 * is rehearsed after the earlier ones are applied to its database. from-pgroll/ (57 migrations in
 * one sequence, planned without a database by from-pgroll.plan.test.ts) is left out: two traced
 * runs per migration would make it this file's longest part by far.
 *
 * It runs on the suite's embedded server only: the rehearsal itself always runs on the embedded
 * Postgres (whatever the target's major), and reading a PG 15 target's catalog is covered by
 * rehearse.db.test.ts on both majors; on PG 15 this file took 100 s of an idle run for the same proof.
 * The examples are rehearsed concurrently (databases of their own on the shared cluster): one after
 * another they took 123 s of an idle run.
 */
const secondary = onSecondaryBackend();
const root = path.resolve('migrations-examples');
const examples = readdirSync(root)
  .filter((name) => statSync(path.join(root, name)).isDirectory() && name !== 'from-pgroll')
  .sort();

let cluster: Cluster;
beforeAll(async () => {
  if (!secondary) cluster = await startCluster({ replica: false, fast: true });
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
});

describe.skipIf(secondary)('zdm plan --rehearse on migrations-examples', () => {
  it.concurrent.for(examples)(
    '%s: every step and undo observed as planned',
    { timeout: 180_000 },
    async (example, { expect }) => {
      const dir = path.join(root, example);
      const db = await createTestDatabase(`${testLabel(import.meta.url)}_${example}`);
      const runner = testRunner(db.url, dir, { batchSize: 200, targetBatchMs: 1 });
      try {
        const setup = path.join(dir, 'setup.sql');
        if (existsSync(setup)) await db.query(readFileSync(setup, 'utf8'));
        await db.query('ANALYZE');
        const migrations = await loadMigrations(dir);
        for (const [i, migration] of migrations.entries()) {
          const report = await rehearse(runner.conn.pool, migration, {
            rows: 1000,
            settings: TEST_SETTINGS,
            log: pino({ level: 'silent' }),
            signal: new AbortController().signal,
            cluster,
          });
          const problems = report.runs.flatMap((run) => [
            ...(run.failure ? [`${run.name}: ${run.failure.step}: ${run.failure.message}`] : []),
            ...run.steps.flatMap((s) => s.mismatches.map((m) => `${run.name}: ${m}`)),
            // An undo's claim is exact too (a forward step's may state the worst case: reported as
            // overstated), but for a lock on what an earlier undo already dropped (IF EXISTS: nothing to lock).
            ...run.steps.flatMap((s) =>
              s.undo ? s.overstated.filter((m) => !m.endsWith('observed none')).map((m) => `${run.name}: ${m}`) : [],
            ),
          ]);
          expect(problems, migration.name).toEqual([]);
          expect(report.ok).toBe(true);
          expect(report.runs.map((r) => r.name)).toEqual(['forward', 'rollback']);
          expect(report.notes.filter((n) => n.startsWith('not recreated'))).toEqual([]);
          // The next migration is planned against this one's result.
          if (i < migrations.length - 1)
            expect(await advance(runner, { until: 'contract' })).toMatchObject({ complete: true });
        }
      } finally {
        await runner.close();
        await db.drop();
      }
    },
  );
});
