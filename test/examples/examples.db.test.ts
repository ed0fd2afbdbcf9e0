import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLiveCatalog } from '../../src/lint/index.js';
import { lintPlan } from '../../src/lint/plan-lint.js';
import { loadMigrations } from '../../src/migration/load.js';
import { advance } from '../../src/runner/advance.js';
import { planFile } from '../../src/runner/session.js';
import { compareStep, mismatchText } from '../../src/trace/compare.js';
import { Tracer } from '../../src/trace/tracer.js';
import { createTestDatabase, testLabel } from '../harness/database.js';
import { unjustified } from '../helpers/plan-lint-exceptions.js';
import { testRunner } from '../helpers/runner.js';

/**
 * Every example in migrations-examples/ (a folder with an optional setup.sql and its migration
 * files) runs through expand, backfill, switch and contract on a database of its own, and the plan
 * zdm generates for each of its migrations is lint-clean against that database's live catalog
 * (exceptions are justified in test/helpers/plan-lint-exceptions.ts). The trace harness
 * (src/trace) watches every step: its plan `impact` (strongest lock per relation, rewrite yes/no,
 * scan yes/no) must equal what its sessions were seen doing. The examples run concurrently (each
 * on its own database, the tracer watching only its own runner's sessions): the file waits on the
 * server most of the time, and one after another they took 53-63 s of an idle run.
 */
const root = path.resolve('migrations-examples');
// from-pgroll/ is one sequence of 57 migrations, run by from-pgroll.db.test.ts (with an old
// application writing and a rollback of each).
const examples = readdirSync(root)
  .filter((name) => statSync(path.join(root, name)).isDirectory() && name !== 'from-pgroll')
  .sort();

/**
 * Observations that differ from run to run, the plan claiming the worst case. The NULL check of
 * a backfilled unique column reads through its index, whose dead NULL entries (one per row the
 * backfill updated, until VACUUM or an earlier scan marks them dead) make it a full pass or not.
 */
const VARIES = ['add_column:public.devices.token:switch:1 scan: plan yes, observed no'];

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn();
});

describe('migrations-examples', () => {
  it('has an example for every operation', () => expect(examples.length).toBeGreaterThanOrEqual(19));

  it.concurrent.for(examples)(
    '%s runs through all four phases, its plans lint-clean',
    { timeout: 180_000 },
    async (example, { expect }) => {
      const dir = path.join(root, example);
      const db = await createTestDatabase(`${testLabel(import.meta.url)}_${example}`);
      // Batches small against these tables (1,000-5,000 rows): a batch covering a large share of a
      // small table is read by a sequential scan, which Postgres rightly prefers there.
      const runner = testRunner(db.url, dir, { batchSize: 200, targetBatchMs: 1 });
      const tracer = new Tracer(runner.conn.pool, runner.stateSchema);
      runner.observer = tracer;
      cleanup.push(
        () => db.drop(),
        () => runner.close(),
      );
      const setup = path.join(dir, 'setup.sql');
      if (existsSync(setup)) await db.query(readFileSync(setup, 'utf8'));
      await db.query('ANALYZE');
      // The setup's own scans reach the statistics when its session flushes them (up to seconds later on
      // a busy server): flushed now, so none lands in the first step's before/after scan counters.
      await db.query('SELECT pg_stat_force_next_flush()');
      const migrations = await loadMigrations(dir);
      expect(migrations.length).toBeGreaterThan(0);
      for (const migration of migrations) {
        const plan = await planFile(runner.conn.pool, migration);
        const findings = await lintPlan(plan, {
          catalog: await createLiveCatalog(runner.conn.pool),
          pgVersion: db.major,
        });
        expect(unjustified(findings).map((f) => `${migration.name} ${f.stepId} ${f.rule}: ${f.message}`)).toEqual([]);
        expect(await advance(runner, { until: 'contract' })).toMatchObject({
          kind: 'advanced',
          migration: migration.name,
          complete: true,
        });
      }
      expect(await advance(runner)).toEqual({ kind: 'nothing-pending' });
      expect(tracer.traces.length).toBeGreaterThan(0);
      const mismatches = tracer.traces.flatMap((t) => compareStep(t.step, t).map(mismatchText));
      expect(mismatches.filter((m) => !VARIES.includes(m))).toEqual([]);
      // A deliberately wrong claim is caught: any step's rewrite flag flipped is a mismatch.
      for (const t of tracer.traces) {
        const wrong = { ...t.step, impact: { ...t.step.impact, rewritesTable: !t.step.impact.rewritesTable } };
        expect(compareStep(wrong, t).map((m) => m.what)).toContain('rewrite');
      }
    },
  );
});
