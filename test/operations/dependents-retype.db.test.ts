import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advance } from '../../src/runner/advance.js';
import { currentPlan } from '../../src/runner/current-plan.js';
import { rollback } from '../../src/runner/rollback.js';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { startWorkload } from '../helpers/apps.js';
import { expectRollbackFrom, runLifecycle, withMigrations } from '../helpers/lifecycle.js';

/**
 * Dependent objects follow changeColumnType's shadow column (issue 12): the statistics object on the
 * retyped column (with its comment and sample target) and a view on it are there after contract on
 * the new column, with everything a user set on them; through the window both application versions
 * use the view; rollback leaves both as they were. A materialized view on it is copied after the swap
 * (reading the new column) and takes its place at contract: storage option, unique index (REFRESH
 * ... CONCURRENTLY works), owner, grant and comment kept, its columns of the new type. A view built on
 * the view is recreated with it, in build order.
 * Views on a column transformColumn replaces read the old column through the window and its `down`
 * over the new column from contract on (same view, output types, options, grants, comments); a
 * materialized view is copied at switch on that query.
 */
let db: TestDatabase;
let reader: string;
beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
  reader = `${db.name}_reader`;
  await db.query(`CREATE TABLE parcels (id bigserial PRIMARY KEY, weight int NOT NULL, zone text);
    INSERT INTO parcels (weight, zone) SELECT g % 50, 'z' || (g % 7) FROM generate_series(1, 200) g;
    CREATE STATISTICS parcel_stats (ndistinct, dependencies) ON weight, zone FROM parcels;
    ALTER STATISTICS parcel_stats SET STATISTICS 500;
    COMMENT ON STATISTICS parcel_stats IS 'weight and zone go together';
    CREATE VIEW heavy_parcels WITH (security_barrier) AS
      SELECT p.id, p.weight, p.weight * 2 AS doubled, p.zone FROM parcels p WHERE p.weight >= 10 WITH CASCADED CHECK OPTION;
    CREATE ROLE ${reader};
    GRANT SELECT ON heavy_parcels TO ${reader};
    GRANT UPDATE (zone) ON heavy_parcels TO ${reader};
    COMMENT ON VIEW heavy_parcels IS 'parcels of 10 and more';
    COMMENT ON COLUMN heavy_parcels.doubled IS 'twice the weight';
    CREATE VIEW heavy_zones AS SELECT zone, max(weight) AS heaviest, max(doubled) AS doubled FROM heavy_parcels GROUP BY zone;
    GRANT SELECT ON heavy_zones TO ${reader};
    COMMENT ON VIEW heavy_zones IS 'built on heavy_parcels';
    CREATE MATERIALIZED VIEW zone_weights WITH (fillfactor = 70) AS
      SELECT zone, max(weight) AS heaviest, count(*) AS n FROM parcels GROUP BY zone;
    CREATE UNIQUE INDEX zone_weights_zone ON zone_weights (zone);
    GRANT SELECT ON zone_weights TO ${reader};
    COMMENT ON MATERIALIZED VIEW zone_weights IS 'per zone'`);
  await db.query(`CREATE TABLE shipments (id bigserial PRIMARY KEY, grams int NOT NULL, note text);
    INSERT INTO shipments (grams, note) SELECT g * 37, 'n' || (g % 5) FROM generate_series(1, 200) g;
    CREATE VIEW heavy_shipments WITH (security_barrier) AS
      SELECT s.id, s.grams, s.note FROM shipments s WHERE s.grams >= 1000 WITH CASCADED CHECK OPTION;
    GRANT SELECT ON heavy_shipments TO ${reader};
    GRANT UPDATE (note) ON heavy_shipments TO ${reader};
    COMMENT ON VIEW heavy_shipments IS 'a kilo and more';
    COMMENT ON COLUMN heavy_shipments.grams IS 'in grams';
    CREATE VIEW heavy_notes AS SELECT note, max(grams) AS heaviest FROM heavy_shipments GROUP BY note;
    GRANT SELECT ON heavy_notes TO ${reader};
    CREATE MATERIALIZED VIEW note_grams WITH (fillfactor = 70) AS
      SELECT note, sum(grams) AS total FROM shipments GROUP BY note;
    CREATE UNIQUE INDEX note_grams_note ON note_grams (note);
    GRANT SELECT ON note_grams TO ${reader};
    COMMENT ON MATERIALIZED VIEW note_grams IS 'grams per note'`);
});
afterAll(async () => {
  if (!db) return;
  await db.query(`DROP OWNED BY ${reader}; DROP ROLE ${reader}`).catch(() => undefined);
  await db.drop();
});

const statsFacts = () =>
  db.query(`SELECT pg_get_statisticsobjdef(oid) AS d, obj_description(oid, 'pg_statistic_ext') AS comment,
                   stxstattarget::int AS target
              FROM pg_statistic_ext WHERE stxname = 'parcel_stats'`);

/** What a user checks on the view: options, owner, comments, grants and its columns with their types. */
const viewFacts = () =>
  db.query(
    `SELECT c.reloptions, pg_get_userbyid(c.relowner) AS owner, obj_description(c.oid, 'pg_class') AS comment,
            col_description(c.oid, 3) AS doubled_comment,
            has_table_privilege('${reader}', c.oid, 'SELECT') AS readable,
            has_column_privilege('${reader}', c.oid, 'zone', 'UPDATE') AS zone_updatable,
            has_column_privilege('${reader}', c.oid, 'weight', 'UPDATE') AS weight_updatable,
            ARRAY(SELECT attname || ' ' || format_type(atttypid, atttypmod) FROM pg_attribute
                   WHERE attrelid = c.oid AND attnum > 0 ORDER BY attnum) AS columns
       FROM pg_class c WHERE c.oid = 'heavy_parcels'::regclass`,
  );

/** The view built on the view: grant, comment, column types. */
const topFacts = () =>
  db.query(
    `SELECT obj_description(c.oid, 'pg_class') AS comment, has_table_privilege('${reader}', c.oid, 'SELECT') AS readable,
            ARRAY(SELECT attname || ' ' || format_type(atttypid, atttypmod) FROM pg_attribute
                   WHERE attrelid = c.oid AND attnum > 0 ORDER BY attnum) AS columns
       FROM pg_class c WHERE c.oid = 'heavy_zones'::regclass`,
  );

/** The materialized view: what a user set on it, its column types, and whether a leftover copy exists. */
const matviewFacts = () =>
  db.query(
    `SELECT c.reloptions, pg_get_userbyid(c.relowner) AS owner, obj_description(c.oid, 'pg_class') AS comment,
            has_table_privilege('${reader}', c.oid, 'SELECT') AS readable,
            ARRAY(SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = c.oid) AS indexes,
            ARRAY(SELECT attname || ' ' || format_type(atttypid, atttypmod) FROM pg_attribute
                   WHERE attrelid = c.oid AND attnum > 0 ORDER BY attnum) AS columns,
            to_regclass('zone_weights_zdm') IS NOT NULL AS copy_left
       FROM pg_class c WHERE c.oid = 'zone_weights'::regclass`,
  );

describe('dependents of a column whose type changes through a shadow column', () => {
  it('keep working through the window, rollback and contract: statistics (comment, target), a view, a view on it and a materialized view', async () => {
    const [stats, view, matview, top] = [await statsFacts(), await viewFacts(), await matviewFacts(), await topFacts()];
    expect(stats).toHaveLength(1);
    const app = (name: string) => () =>
      startWorkload({
        url: db.url,
        name,
        queries: [
          (i) => ({ text: `INSERT INTO parcels (weight, zone) VALUES ($1, $2)`, values: [i % 50, `z${i % 7}`] }),
          (i) => ({
            text: `UPDATE parcels SET weight = $1 WHERE id = (SELECT max(id) FROM parcels)`,
            values: [i % 90],
          }),
          (i) => ({ text: `INSERT INTO heavy_parcels (weight, zone) VALUES ($1, $2)`, values: [10 + (i % 40), name] }),
          () => ({ text: `SELECT id, weight, doubled FROM heavy_parcels WHERE id = (SELECT max(id) FROM parcels)` }),
          () => ({ text: `SELECT zone, heaviest FROM zone_weights WHERE zone = 'z1'` }),
          () => ({ text: `SELECT zone, heaviest, doubled FROM heavy_zones WHERE zone = 'z2'` }),
        ],
      });
    const migration = { operations: [{ op: 'changeColumnType', table: 'parcels', column: 'weight', type: 'bigint' }] };
    await withMigrations(db, { '0001_parcels.json': migration }, async (runner) => {
      const plan = JSON.stringify(await currentPlan(runner));
      expect(plan).toContain('statistics public.parcel_stats');
      expect(plan).toContain(
        'view public.heavy_parcels, view public.heavy_zones, materialized view public.zone_weights recreated on the new column',
      );
      expect(plan).toContain('build a copy of materialized view public.zone_weights reading the new column(s)');
      await runLifecycle({
        db,
        runner,
        tables: ['parcels'],
        oldApp: app('old'),
        newApp: app('new'),
        check: async (point) => {
          if (point === 'rollback') {
            expect(await statsFacts()).toEqual(stats);
            expect(await viewFacts()).toEqual(view);
            expect(await matviewFacts()).toEqual(matview);
            expect(await topFacts()).toEqual(top);
          }
        },
      });
    });
    // The same statistics object on the new column (listed in column order: the new column is the table's last).
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
    // The view: everything as before, its weight columns now bigint; every row reads right through it.
    expect(await viewFacts()).toEqual([
      {
        ...(view[0] as object),
        columns: ['id bigint', 'weight bigint', 'doubled bigint', 'zone text'],
      },
    ]);
    expect(
      await db.query(`SELECT p.id FROM parcels p LEFT JOIN heavy_parcels h ON h.id = p.id
                       WHERE (p.weight >= 10) <> (h.id IS NOT NULL) OR h.doubled IS DISTINCT FROM (CASE WHEN p.weight >= 10 THEN p.weight * 2 END)`),
    ).toEqual([]);
    // The view built on it: recreated with it, its columns of the new type.
    expect(await topFacts()).toEqual([
      { ...(top[0] as object), columns: ['zone text', 'heaviest bigint', 'doubled bigint'] },
    ]);
    // The materialized view: the copy took its place, its heaviest column now bigint; it refreshes
    // concurrently (its unique index is there) with a value only the new type holds.
    expect(await matviewFacts()).toEqual([
      { ...(matview[0] as object), columns: ['zone text', 'heaviest bigint', 'n bigint'] },
    ]);
    await db.query(`INSERT INTO heavy_parcels (weight, zone) VALUES (3000000000, 'big')`);
    await db.query(`REFRESH MATERIALIZED VIEW CONCURRENTLY zone_weights`);
    expect(await db.query(`SELECT heaviest::text AS h FROM zone_weights WHERE zone = 'big'`)).toEqual([
      { h: '3000000000' },
    ]);
    await expect(db.query(`INSERT INTO heavy_parcels (weight, zone) VALUES (1, 'light')`)).rejects.toThrow(
      /check option/,
    );
  });
});

/** What a user checks on a view or materialized view: options, owner, comments, grants, indexes, column types. */
const relationFacts = (name: string) =>
  db.query(
    `SELECT c.reloptions, pg_get_userbyid(c.relowner) AS owner, obj_description(c.oid, 'pg_class') AS comment,
            col_description(c.oid, 2) AS second_comment, has_table_privilege('${reader}', c.oid, 'SELECT') AS readable,
            has_any_column_privilege('${reader}', c.oid, 'UPDATE') AS updatable,
            ARRAY(SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = c.oid) AS indexes,
            ARRAY(SELECT attname || ' ' || format_type(atttypid, atttypmod) FROM pg_attribute
                   WHERE attrelid = c.oid AND attnum > 0 ORDER BY attnum) AS columns
       FROM pg_class c WHERE c.oid = '${name}'::regclass`,
  );
const shipmentViews = async () => [
  await relationFacts('heavy_shipments'),
  await relationFacts('heavy_notes'),
  await relationFacts('note_grams'),
];

describe('views on a column transformColumn replaces', () => {
  it('read it through the window and its "down" from contract on, for old and new clients; rollback leaves them', async () => {
    const before = await shipmentViews();
    const read = () => ({
      text: `SELECT id, grams, note FROM heavy_shipments WHERE id = (SELECT max(id) FROM shipments)`,
    });
    const touch = (name: string) => () => ({
      text: `UPDATE heavy_shipments SET note = $1 WHERE id = (SELECT max(id) FROM heavy_shipments WHERE note IN ('old', 'new'))`,
      values: [name],
    });
    const app = (name: string, insert: (i: number) => { text: string; values: unknown[] }) => () =>
      startWorkload({
        url: db.url,
        name,
        queries: [
          insert,
          read,
          touch(name),
          () => ({ text: `SELECT note, heaviest FROM heavy_notes WHERE note = 'n1'` }),
          () => ({ text: `SELECT total FROM note_grams WHERE note = 'n2'` }),
        ],
      });
    const oldApp = app('old', (i) => ({
      text: `INSERT INTO ${i % 2 ? 'heavy_shipments' : 'shipments'} (grams, note) VALUES ($1, 'old')`,
      values: [1000 + i],
    }));
    const newApp = app('new', (i) => ({
      text: `INSERT INTO shipments (kg, note) VALUES ($1, 'new')`,
      values: [2 + i / 1000],
    }));
    const migration = {
      operations: [
        {
          op: 'transformColumn',
          table: 'shipments',
          from: ['grams'],
          to: [{ name: 'kg', type: 'numeric(10,3)', up: 'grams / 1000.0' }],
          down: { grams: '(kg * 1000)::int' },
          dropOld: true,
        },
      ],
    };
    await withMigrations(db, { '0002_shipments.json': migration }, async (runner) => {
      const plan = JSON.stringify(await currentPlan(runner));
      expect(plan).toContain('view public.heavy_shipments: recreated in the contract step');
      expect(plan).toContain('build a copy of materialized view public.note_grams reading the new columns');
      // Rolled back after switch (views probed, the materialized view copied): every view as it was, no copy left.
      await expectRollbackFrom({ db, runner, tables: ['shipments'] }, 'switch');
      expect(await shipmentViews()).toEqual(before);
      expect(await db.query(`SELECT to_regclass('note_grams_zdm') IS NULL AS gone`)).toEqual([{ gone: true }]);
      await runLifecycle({
        db,
        runner,
        tables: ['shipments'],
        oldApp,
        newApp,
        check: async (point) => {
          if (point === 'rollback') expect(await shipmentViews()).toEqual(before);
        },
      });
    });
    // The same views, same output types, options, owner, grants and comments; the copy took the matview's place.
    expect(await shipmentViews()).toEqual(before);
    expect(await db.query(`SELECT pg_get_viewdef('heavy_shipments'::regclass) ~ 'kg' AS on_kg`)).toEqual([
      { on_kg: true },
    ]);
    expect(
      await db.query(`SELECT attname FROM pg_attribute WHERE attrelid = 'shipments'::regclass AND attnum > 0
                         AND NOT attisdropped ORDER BY attnum`),
    ).toEqual([{ attname: 'id' }, { attname: 'note' }, { attname: 'kg' }]);
    // Every row reads through the view as the old column would hold it: the rows from before as they were.
    expect(
      await db.query(`SELECT s.id FROM shipments s LEFT JOIN heavy_shipments h ON h.id = s.id
                       WHERE (s.kg >= 1) <> (h.id IS NOT NULL) OR h.grams IS DISTINCT FROM (CASE WHEN s.kg >= 1 THEN (s.kg * 1000)::int END)
                          OR (s.id <= 200 AND s.kg * 1000 <> s.id * 37)`),
    ).toEqual([]);
    await db.query(`REFRESH MATERIALIZED VIEW CONCURRENTLY note_grams`);
    expect(await db.query(`SELECT total::int FROM note_grams WHERE note = 'n0'`)).toEqual([
      { total: Array.from({ length: 40 }, (_, i) => (i + 1) * 5 * 37).reduce((a, b) => a + b) },
    ]);
    await expect(db.query(`UPDATE heavy_shipments SET note = 'x' WHERE id = 1`)).resolves.toBeDefined();
    await expect(db.query(`INSERT INTO shipments (kg, note) VALUES (0.5, 'light')`)).resolves.toBeDefined();
  });

  it('a "down" that would change a view\'s output column fails the switch, which rollback undoes, never contract', async () => {
    await db.query(`CREATE TABLE tags (id bigserial PRIMARY KEY, label text);
      INSERT INTO tags (label) SELECT 't' || g FROM generate_series(1, 20) g;
      CREATE VIEW tag_labels AS SELECT id, label FROM tags`);
    const view = await relationFacts('tag_labels');
    const migration = {
      operations: [
        {
          op: 'transformColumn',
          table: 'tags',
          from: ['label'],
          to: [{ name: 'tag', type: 'text', up: 'lower(label)' }],
          down: { label: 'tag COLLATE "C"' },
          dropOld: true,
        },
      ],
    };
    await withMigrations(db, { '0003_tags.json': migration }, async (runner) => {
      await advance(runner, { until: 'backfill' });
      await expect(advance(runner, { until: 'switch' })).rejects.toThrow(
        /cannot change collation of view column "label"/,
      );
      await rollback(runner);
    });
    expect(await relationFacts('tag_labels')).toEqual(view);
    expect(await db.query(`SELECT label FROM tag_labels WHERE id = 2`)).toEqual([{ label: 't2' }]);
  });
});
