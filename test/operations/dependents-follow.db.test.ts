import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentPlan } from '../../src/runner/current-plan.js';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { startWorkload } from '../helpers/apps.js';
import { runLifecycle, withMigrations } from '../helpers/lifecycle.js';

/**
 * Dependent objects follow renameColumn (issue 12): a view on the renamed column keeps working for
 * the old and the new application through the window (it reads the old column, which the trigger
 * keeps equal), and is recreated on the new column at contract, the same object with the same
 * output columns, options, grants, comment and the views built on it; rollback leaves it as it was.
 */
let db: TestDatabase;
let reader: string;
beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
  reader = `${db.name}_reader`;
  await db.query(`CREATE TABLE venues (id bigserial PRIMARY KEY, name text NOT NULL DEFAULT 'unnamed', city text);
    INSERT INTO venues (name, city) SELECT 'v' || g, 'c' || (g % 7) FROM generate_series(1, 200) g;
    CREATE VIEW venue_cities WITH (security_barrier) AS
      SELECT v.id, v.city, upper(v.city) AS loud FROM venues v WHERE v.city IS NOT NULL WITH CASCADED CHECK OPTION;
    CREATE VIEW city_counts AS SELECT city, count(*) AS n FROM venue_cities GROUP BY city;
    CREATE ROLE ${reader};
    GRANT SELECT ON venue_cities TO ${reader};
    COMMENT ON VIEW venue_cities IS 'venues with a city';
    CREATE STATISTICS venue_stats (ndistinct) ON city, name FROM venues;
    COMMENT ON STATISTICS venue_stats IS 'city and name go together'`);
});
afterAll(async () => {
  if (!db) return;
  await db.query(`DROP OWNED BY ${reader}; DROP ROLE ${reader}`).catch(() => undefined);
  await db.drop();
});

/** What a user checks on the view: its columns, options, comment and grants. */
async function viewFacts(): Promise<unknown> {
  return db.query(
    `SELECT c.reloptions, obj_description(c.oid, 'pg_class') AS comment,
            has_table_privilege('${reader}', c.oid, 'SELECT') AS readable,
            ARRAY(SELECT attname::text FROM pg_attribute WHERE attrelid = c.oid AND attnum > 0 ORDER BY attnum) AS columns
       FROM pg_class c WHERE c.oid = 'venue_cities'::regclass`,
  );
}

describe('a view on a renamed column follows the rename', () => {
  it('is recreated on the new column at contract, keeping columns, options, grants, comment and views on it', async () => {
    const before = await viewFacts();
    const app = (name: string, city: string) => () =>
      startWorkload({
        url: db.url,
        name,
        queries: [
          (i) => ({ text: `INSERT INTO venues (name, ${city}) VALUES ($1, $2)`, values: [`${name}${i}`, `c${i % 5}`] }),
          (i) => ({ text: `INSERT INTO venue_cities (city) VALUES ($1)`, values: [`${name}-view-${i}`] }),
          () => ({ text: `SELECT id, city, loud FROM venue_cities WHERE id = (SELECT max(id) FROM venues)` }),
          () => ({ text: `SELECT n FROM city_counts WHERE city = 'c1'` }),
        ],
      });
    const migration = { operations: [{ op: 'renameColumn', table: 'venues', from: 'city', to: 'town' }] };
    await withMigrations(db, { '0001_venues.json': migration }, async (runner) => {
      const plan = await currentPlan(runner);
      const contract = JSON.stringify(plan);
      expect(contract).toContain('view public.venue_cities recreated on town');
      await runLifecycle({
        db,
        runner,
        tables: ['venues'],
        oldApp: app('old', 'city'),
        newApp: app('new', 'town'),
        check: async (point) => {
          if (point === 'rollback') expect(await viewFacts()).toEqual(before);
        },
      });
    });
    expect(await viewFacts()).toEqual(before);
    const definition = await db.query<{ d: string }>(`SELECT pg_get_viewdef('venue_cities'::regclass) AS d`);
    expect(definition[0]!.d).toMatch(/town AS city,\s+upper\((v\.)?town\) AS loud/);
    // Every row written through the lifecycle, by either version or through the view, reads right.
    const wrong = await db.query(
      `SELECT v.id FROM venues v LEFT JOIN venue_cities c ON c.id = v.id
        WHERE v.town IS NOT NULL AND (c.city IS DISTINCT FROM v.town OR c.loud IS DISTINCT FROM upper(v.town))`,
    );
    expect(wrong).toEqual([]);
    await expect(db.query(`INSERT INTO venue_cities (city) VALUES (NULL)`)).rejects.toThrow(/check option/);
    // The statistics object, dropped with the old column, is there on the new one with its comment.
    expect(
      await db.query(`SELECT pg_get_statisticsobjdef(oid) AS d, obj_description(oid, 'pg_statistic_ext') AS comment
                        FROM pg_statistic_ext WHERE stxname = 'venue_stats'`),
    ).toEqual([
      {
        d: 'CREATE STATISTICS public.venue_stats (ndistinct) ON name, town FROM venues',
        comment: 'city and name go together',
      },
    ]);
    expect(await db.query(`SELECT sum(n)::int AS n FROM city_counts`)).toEqual(
      await db.query(`SELECT count(*)::int AS n FROM venues WHERE town IS NOT NULL`),
    );
  });
});
