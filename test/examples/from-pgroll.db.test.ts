import path from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/db/connect.js';
import { createRunnerContext } from '../../src/exec/context.js';
import { loadMigrations, type MigrationFile } from '../../src/migration/load.js';
import { advance } from '../../src/runner/advance.js';
import { rollback } from '../../src/runner/rollback.js';
import { createTestDatabase, onSecondaryBackend, testLabel, type TestDatabase } from '../harness/database.js';
import { expectNoLongLockWait } from '../helpers/apps.js';
import { TEST_SETTINGS } from '../helpers/runner.js';
import { tableSnapshot } from '../helpers/schema.js';
import { startSchemaWriter, type KeptReference, type SchemaWriter } from '../helpers/schema-writer.js';
import { stopAll } from '../helpers/workload.js';

/**
 * The phase gate samples replica lag over a second before every phase; 57 migrations run ~280
 * phases, so here it takes its samples back to back (the window itself is tested by
 * test/runner/phase-gate.lag.test.ts).
 */
const GATE_PACING = { sampleWindowMs: 0 };

/**
 * migrations-examples/from-pgroll/, all 57 in order on one database: each through expand ->
 * rollback (every table it names, and the list of relations and types, exactly as before) ->
 * expand -> backfill -> switch -> contract, with an old application writing every table as it
 * was before the migration (inserts and updates) from before the first expand until contract,
 * without one error. One backend is enough for what this shows (every operation's lifecycle runs
 * on both majors in test/operations/), and the sequence is the suite's longest: it runs on the
 * run's embedded (or external / container) server and is skipped on the other majors.
 */
const secondary = onSecondaryBackend();

/** References pgroll's examples add a foreign key for later (21, 47): the application keeps them from the start. */
const KEPT: KeptReference[] = [
  { table: 'posts', columns: ['user_id'], references: { table: 'users', columns: ['id'] } },
  {
    table: 'tickets',
    columns: ['sellers_name', 'sellers_zip'],
    references: { table: 'sellers', columns: ['name', 'zip'] },
  },
];

let db: TestDatabase | undefined;
afterAll(async () => {
  await stopAll();
  await db?.drop();
});

/** The tables a migration names (all of the schema's when it runs raw SQL). */
function namedTables(m: MigrationFile, all: string[]): string[] {
  const names = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        if (k === 'table' && typeof x === 'string') names.add(x);
        else walk(x);
      }
  };
  for (const op of m.spec.operations) {
    if (op.op === 'sql') return all;
    if (op.op === 'renameTable') names.add(op.from).add(op.to);
    walk(op);
  }
  return [...names];
}

async function schemaSnapshot(d: TestDatabase, m: MigrationFile) {
  const relations = (
    await d.query<{ v: string }>(
      `SELECT c.relname || ' ' || c.relkind::text AS v FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace ORDER BY 1`,
    )
  ).map((r) => r.v);
  const types = (
    await d.query<{ v: string }>(
      `SELECT t.typname || ' ' || coalesce(string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder), '') AS v
         FROM pg_type t LEFT JOIN pg_enum e ON e.enumtypid = t.oid
        WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('e', 'd', 'c') GROUP BY t.typname ORDER BY 1`,
    )
  ).map((r) => r.v);
  const tables = relations.filter((r) => r.endsWith(' r')).map((r) => r.slice(0, -2));
  const named = namedTables(m, tables);
  const snapshots = await Promise.all(named.map((t) => tableSnapshot(d.pool, t)));
  return { relations, types, tables: Object.fromEntries(named.map((t, i) => [t, snapshots[i]])) };
}

describe.skipIf(secondary)('migrations-examples/from-pgroll on a database', () => {
  it('all 57 run in order through all four phases, each rolled back once after expand, the old app never failing', async () => {
    db = await createTestDatabase(testLabel(import.meta.url));
    const migrations = await loadMigrations(path.resolve('migrations-examples/from-pgroll'));
    expect(migrations).toHaveLength(57);
    const conn = connect(db.url, 'zdm test runner');
    const runner = createRunnerContext(conn, {
      migrationsDir: 'migrations-examples/from-pgroll',
      migrations,
      settings: { ...TEST_SETTINGS, batchSize: 200 },
      gatePacing: GATE_PACING,
      log: pino({ level: process.env.ZDM_TEST_LOG ?? 'silent' }),
    });
    const counter = { n: 1_000_000 };
    const step = async (m: MigrationFile, phase: string, app: SchemaWriter, run: () => Promise<unknown>) => {
      const result = await run();
      await app.round();
      expect(app.stats.errors.slice(0, 5), `${m.name} old-app errors after ${phase}`).toEqual([]);
      return result;
    };
    try {
      for (const m of migrations) {
        const app = await startSchemaWriter({ url: db.url, kept: KEPT, counter });
        await app.round();
        const before = await schemaSnapshot(db, m);
        const ran = (phase: string) => ({ kind: 'advanced', migration: m.name, ran: [phase] });
        expect(await step(m, 'expand', app, () => advance(runner))).toMatchObject(ran('expand'));
        await step(m, 'rollback', app, () => rollback(runner));
        expect(await schemaSnapshot(db, m), `${m.name}: rolled back exactly`).toEqual(before);
        for (const phase of ['expand', 'backfill', 'switch'])
          expect(await step(m, phase, app, () => advance(runner))).toMatchObject(ran(phase));
        const stats = await app.stop();
        expect(stats.errors.slice(0, 5), `${m.name} old-app errors`).toEqual([]);
        // Five rounds were awaited, each inserting into every table the old application knows.
        for (const [table, rows] of app.inserted)
          expect(rows, `${m.name}: old-app rows in ${table}`).toBeGreaterThanOrEqual(5);
        expectNoLongLockWait(stats, TEST_SETTINGS.lockTimeoutMs, `${m.name} old app`);
        expect(await advance(runner), m.name).toMatchObject({ ...ran('contract'), complete: true });
      }
      expect(await advance(runner)).toEqual({ kind: 'nothing-pending' });
    } finally {
      await conn.close();
    }
  }, 900_000);
});
