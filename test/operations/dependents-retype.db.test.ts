import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentPlan } from '../../src/runner/current-plan.js';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { startWorkload } from '../helpers/apps.js';
import { runLifecycle, withMigrations } from '../helpers/lifecycle.js';

/**
 * Dependent objects follow changeColumnType's shadow column (issue 12): the statistics object on the
 * retyped column (with its comment and sample target) is there after contract on the new column,
 * and untouched by rollback.
 */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
  await db.query(`CREATE TABLE parcels (id bigserial PRIMARY KEY, weight int NOT NULL, zone text);
    INSERT INTO parcels (weight, zone) SELECT g % 50, 'z' || (g % 7) FROM generate_series(1, 200) g;
    CREATE STATISTICS parcel_stats (ndistinct, dependencies) ON weight, zone FROM parcels;
    ALTER STATISTICS parcel_stats SET STATISTICS 500;
    COMMENT ON STATISTICS parcel_stats IS 'weight and zone go together'`);
});
afterAll(async () => {
  await db?.drop();
});

const statsFacts = () =>
  db.query(`SELECT pg_get_statisticsobjdef(oid) AS d, obj_description(oid, 'pg_statistic_ext') AS comment,
                   stxstattarget::int AS target
              FROM pg_statistic_ext WHERE stxname = 'parcel_stats'`);

describe('dependents of a column whose type changes through a shadow column', () => {
  it('keeps the statistics object (comment and target too) through the window, rollback and contract', async () => {
    const before = await statsFacts();
    expect(before).toHaveLength(1);
    const app = (name: string) => () =>
      startWorkload({
        url: db.url,
        name,
        queries: [
          (i) => ({ text: `INSERT INTO parcels (weight, zone) VALUES ($1, $2)`, values: [i % 50, `z${i % 7}`] }),
          (i) => ({ text: `UPDATE parcels SET weight = $1 WHERE id = (SELECT max(id) FROM parcels)`, values: [i % 9] }),
        ],
      });
    const migration = { operations: [{ op: 'changeColumnType', table: 'parcels', column: 'weight', type: 'bigint' }] };
    await withMigrations(db, { '0001_parcels.json': migration }, async (runner) => {
      expect(JSON.stringify(await currentPlan(runner))).toContain('statistics public.parcel_stats');
      await runLifecycle({
        db,
        runner,
        tables: ['parcels'],
        oldApp: app('old'),
        newApp: app('new'),
        check: async (point) => {
          if (point === 'rollback') expect(await statsFacts()).toEqual(before);
        },
      });
    });
    // The same object on the new column (listed in column order: the new column is the table's last).
    expect(await statsFacts()).toEqual([
      {
        d: 'CREATE STATISTICS public.parcel_stats (ndistinct, dependencies) ON zone, weight FROM parcels',
        comment: 'weight and zone go together',
        target: 500,
      },
    ]);
    expect(
      await db.query(`SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute
                       WHERE attrelid = 'parcels'::regclass AND attname = 'weight'`),
    ).toEqual([{ t: 'bigint' }]);
  });
});
