import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advance } from '../../src/runner/advance.js';
import { currentPlan } from '../../src/runner/current-plan.js';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { startWorkload } from '../helpers/apps.js';
import { count, runLifecycle, withMigrations } from '../helpers/lifecycle.js';

/**
 * Dependent objects follow renameColumn (issue 12): a view on the renamed column keeps working for
 * the old and the new application through the window (it reads the old column, which the trigger
 * keeps equal), and is recreated on the new column at contract, the same object with the same
 * output columns, options, grants, comment and the views built on it; rollback leaves it as it was.
 * What reads whole rows of a table (no column dependency in pg_depend) is named in a plan note by
 * every column change: Postgres keeps it working, its output follows the row (README, "Whole-row readers").
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
    COMMENT ON STATISTICS venue_stats IS 'city and name go together';
    CREATE TABLE stock (id bigserial PRIMARY KEY, qty int, note text);
    INSERT INTO stock (qty, note) SELECT g, 'n' || g FROM generate_series(1, 20) g;
    CREATE VIEW stock_rows AS SELECT s AS r FROM stock s;
    CREATE VIEW stock_json AS SELECT row_to_json(s) AS j FROM stock s;
    CREATE TABLE stock_log (j json);
    CREATE RULE stock_logged AS ON UPDATE TO stock DO ALSO INSERT INTO stock_log VALUES (row_to_json(NEW));
    CREATE FUNCTION stock_ok(stock) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1.id > 0';
    ALTER TABLE stock ENABLE ROW LEVEL SECURITY;
    CREATE POLICY stock_visible ON stock USING (stock_ok(stock));
    CREATE TABLE stock_audit (at timestamptz DEFAULT now());
    CREATE FUNCTION stock_touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN INSERT INTO stock_audit DEFAULT VALUES; RETURN NULL; END';
    CREATE TRIGGER stock_changed AFTER UPDATE ON stock FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION stock_touch()`);
  // SQL-standard function bodies: PG14+.
  if (db.major >= 14)
    await db.query(`CREATE FUNCTION stock_all() RETURNS SETOF json LANGUAGE sql STABLE
      BEGIN ATOMIC SELECT row_to_json(x) FROM public.stock x ORDER BY x.id; END`);
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

describe('whole-row readers (a row value, row_to_json, NEW / OLD compared whole, f(t)) are named in a plan note', () => {
  const readers = () => [
    'view public.stock_json',
    'view public.stock_rows',
    'rule stock_logged on table public.stock',
    'policy stock_visible on table public.stock',
    'trigger stock_changed on table public.stock',
    ...(db.major >= 14 ? ['function public.stock_all()'] : []),
  ];
  const changes = [
    {
      operation: { op: 'renameColumn', table: 'stock', from: 'qty', to: 'amount' },
      says: 'from expand each row also carries amount (NULL until the backfill) beside qty; from contract amount takes the place of qty',
    },
    {
      operation: { op: 'changeColumnType', table: 'stock', column: 'qty', type: 'bigint' },
      says: 'from expand each row also carries qty_zdm_new (bigint, NULL until the backfill); from switch qty is that bigint value and qty_zdm_old the old one; from contract qty_zdm_old is gone',
    },
    {
      operation: {
        op: 'transformColumn',
        table: 'stock',
        from: ['qty'],
        to: [{ name: 'dozens', type: 'numeric', up: 'qty / 12.0' }],
        down: { qty: '(dozens * 12)::int' },
        dropOld: true,
      },
      says: 'from expand each row also carries dozens (NULL until the backfill); from contract qty are gone',
    },
    {
      operation: { op: 'dropColumn', table: 'stock', column: 'qty' },
      says: 'from contract rows no longer carry qty (a json consumer',
    },
  ];

  it.for(changes)('$operation.op: the note names each reader and what it sees when', async ({ operation, says }) => {
    await withMigrations(db, { [`0002_stock_${operation.op}.json`]: { operations: [operation] } }, async (runner) => {
      const plan = await currentPlan(runner);
      const notes = plan.kind === 'planned' ? plan.plan.notes.map((n) => n.text) : [];
      const note = notes.find((n) => n.includes('read(s) whole rows of public.stock'));
      expect(note, notes.join('\n')).toBeDefined();
      expect(note).toContain(`${[...readers()].sort().join(', ')}: read(s)`);
      expect(note).toContain(says);
      expect(note!.includes('the backfill updates every row')).toBe(operation.op !== 'dropColumn');
    });
  });

  it('changeColumnType runs to contract: each reader keeps working and gives what the note says', async () => {
    const keys = async () =>
      (await db.query<{ k: string[] }>(`SELECT ARRAY(SELECT json_object_keys(j)) AS k FROM stock_json LIMIT 1`))[0]!.k;
    const operation = { op: 'changeColumnType', table: 'stock', column: 'qty', type: 'bigint' };
    await withMigrations(db, { '0003_stock_retype.json': { operations: [operation] } }, async (runner) => {
      await advance(runner, { until: 'expand' });
      expect(await keys()).toEqual(['id', 'qty', 'note', 'qty_zdm_new']);
      await advance(runner, { until: 'switch' });
      expect(await keys()).toEqual(['id', 'qty_zdm_old', 'note', 'qty']);
      // The backfill's updates fired the trigger and the rule for every row (the new column changed).
      expect(await count(db, `SELECT count(*) AS n FROM stock_audit`)).toBe(20);
      expect(await count(db, `SELECT count(*) AS n FROM stock_log`)).toBe(20);
      expect(await advance(runner, { until: 'contract' })).toMatchObject({ complete: true });
    });
    expect(await keys()).toEqual(['id', 'note', 'qty']);
    expect(await db.query(`SELECT (r).qty, pg_typeof((r).qty)::text AS type FROM stock_rows WHERE (r).id = 3`)).toEqual(
      [{ qty: 3, type: 'bigint' }],
    );
    await db.query(`UPDATE stock SET qty = qty + 1 WHERE id = 3`);
    expect(await db.query(`SELECT j->>'qty' AS qty FROM stock_log ORDER BY ctid DESC LIMIT 1`)).toEqual([{ qty: '4' }]);
    expect(await count(db, `SELECT count(*) AS n FROM stock_audit`)).toBe(21);
    if (db.major >= 14)
      expect(await db.query(`SELECT x->>'qty' AS qty FROM stock_all() x LIMIT 1`)).toEqual([{ qty: '1' }]);
  });
});
