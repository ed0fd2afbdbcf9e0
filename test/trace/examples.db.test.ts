import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { advance } from '../../src/runner/advance.js';
import { compareStep, mismatchText } from '../../src/trace/compare.js';
import { Tracer } from '../../src/trace/tracer.js';
import { createTestDatabase, testLabel } from '../harness/database.js';
import { testRunner } from '../helpers/runner.js';

/**
 * Predicted = observed: every example in migrations-examples/ runs through all four phases with
 * the trace harness watching each step, and each step's plan `impact` (strongest lock per
 * relation, rewrite yes/no, scan yes/no) must equal what its sessions were seen doing.
 */
const root = path.resolve('migrations-examples');
const examples = readdirSync(root)
  .filter((name) => statSync(path.join(root, name)).isDirectory())
  .sort();

/**
 * Mismatches found by this trace and not fixed yet, each a bug in the plan's claims (reported to
 * the lead), listed so that any other mismatch, or a fix, fails the test. Same on PG 15 and 18.
 */
const KNOWN: Record<string, string[]> = {
  // The verify query reads through the unique index on the checked column: no sequential scan.
  // The plan claims a scan for every verify step (the worst case: no usable index).
  'add-column-volatile-default': ['add_column:public.devices.token:switch:1 scan: plan yes, observed no'],
  'add-primary-key': ['add_primary_key:public.audit_events:switch:1 scan: plan yes, observed no'],
  // VALIDATE of a foreign key reads the referenced table (ACCESS SHARE), which the plan does not name;
  // the backfill of a referencing column checks each row's key (ROW SHARE on the referenced table,
  // scanned on a table this small).
  'add-column-constraints': [
    'backfill:public.purchases:backfill:1 lock on public.buyers: plan none, observed ROW SHARE',
    'backfill:public.purchases:backfill:1 scan: plan no, observed yes (public.purchases, public.buyers)',
    'add_column:public.purchases.buyer_id:switch:1 lock on public.buyers: plan none, observed ACCESS SHARE',
  ],
  'add-foreign-key': [
    'add_foreign_key:public.invoices.invoices_customer_fk:switch:1 lock on public.customers: plan none, observed ACCESS SHARE',
  ],
  // Raw SQL steps claim ACCESS EXCLUSIVE and no scan whatever the statements are: CREATE INDEX
  // CONCURRENTLY and VALIDATE CONSTRAINT take SHARE UPDATE EXCLUSIVE and scan.
  'sql-raw-statements': [
    'sql:0:expand:1 lock on public.members: plan ACCESS EXCLUSIVE, observed SHARE UPDATE EXCLUSIVE',
    'sql:0:expand:1 scan: plan no, observed yes (public.members)',
    'sql:1:switch:1 lock on public.members: plan ACCESS EXCLUSIVE, observed SHARE UPDATE EXCLUSIVE',
  ],
};

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn();
});

describe('trace: plan impact = observed, on every example', () => {
  it.each(examples)('%s', async (example) => {
    const dir = path.join(root, example);
    const db = await createTestDatabase(`${testLabel(import.meta.url)}_${example}`);
    const runner = testRunner(db.url, dir, { batchSize: 200, targetBatchMs: 1 });
    cleanup.push(
      () => db.drop(),
      () => runner.close(),
    );
    const setup = path.join(dir, 'setup.sql');
    if (existsSync(setup)) await db.query(readFileSync(setup, 'utf8'));
    await db.query('ANALYZE');
    const tracer = new Tracer(runner.conn.pool, runner.stateSchema);
    runner.observer = tracer;
    for (;;) {
      const r = await advance(runner, { until: 'contract' });
      if (r.kind === 'nothing-pending') break;
    }
    expect(tracer.traces.length).toBeGreaterThan(0);
    const mismatches = tracer.traces.flatMap((t) => compareStep(t.step, t).map(mismatchText));
    expect(mismatches).toEqual(KNOWN[example] ?? []);
    // A deliberately wrong claim is caught: every step's rewrite flag flipped is a mismatch.
    for (const t of tracer.traces) {
      const wrong = { ...t.step, impact: { ...t.step.impact, rewritesTable: !t.step.impact.rewritesTable } };
      expect(compareStep(wrong, t).map((m) => m.what)).toContain('rewrite');
    }
  });
});
