import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advance } from '../../src/runner/advance.js';
import { currentPlan } from '../../src/runner/current-plan.js';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { withMigrations } from '../helpers/lifecycle.js';

/**
 * Dependents Postgres would refuse a DROP COLUMN for, read from the real catalog: a migration that
 * would fail at contract because of them (the old column is dropped there) is refused at plan
 * time, naming the object (issue 12). Only plans, but for two migrations run to contract: a
 * statistics object on a column retyped to box, which CREATE STATISTICS refuses, and (PG 18) a
 * virtual generated column's rename after a setNotNull adding a CHECK until its own contract.
 */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
  await db.query(`CREATE TABLE members (id bigserial PRIMARY KEY, email text NOT NULL, nick text, city text, code text,
      zip text);
    CREATE VIEW member_cities AS SELECT id, city FROM members;
    CREATE VIEW member_pairs AS SELECT a.id FROM members a JOIN members b USING (code);
    CREATE TABLE parcels (id bigserial PRIMARY KEY, grams int, kilos numeric GENERATED ALWAYS AS (grams / 1000.0) STORED);
    CREATE TABLE labels (id bigserial PRIMARY KEY, body text, lang text);
    INSERT INTO labels (body, lang) SELECT '(' || g || ',' || g || '),(0,0)', 'l' || (g % 3) FROM generate_series(1, 50) g;
    CREATE STATISTICS label_stats (ndistinct) ON body, lang FROM labels;
    CREATE STATISTICS lang_stats (ndistinct) ON id, lang FROM labels;
    CREATE TABLE people (id bigserial PRIMARY KEY, name text, nick text);
    INSERT INTO people (name, nick) SELECT 'name ' || g, 'nick ' || g FROM generate_series(1, 20) g;
    CREATE VIEW people_labels AS SELECT id, name AS label FROM people`);
  if (db.major >= 18)
    await db.query(`CREATE TABLE boxes (id bigserial PRIMARY KEY, side int CHECK (side > 0),
      volume int GENERATED ALWAYS AS (side * side * side) VIRTUAL);
      CREATE TABLE tiles (id bigserial PRIMARY KEY, side int, note text, area int GENERATED ALWAYS AS (side * side) VIRTUAL);
      INSERT INTO tiles (side, note) SELECT g, 'n' FROM generate_series(1, 20) g`);
  // Publication column lists: PG15+; SQL-standard function bodies: PG14+.
  if (db.major >= 15) await db.query(`CREATE PUBLICATION member_feed FOR TABLE members (id, email)`);
  if (db.major >= 14)
    await db.query(`CREATE FUNCTION member_nick(bigint) RETURNS text LANGUAGE sql STABLE
      BEGIN ATOMIC SELECT nick FROM members WHERE id = $1; END;
      CREATE FUNCTION member_by_zip(zip text) RETURNS bigint LANGUAGE sql STABLE
      BEGIN ATOMIC SELECT max(id) FROM members m WHERE m.zip = member_by_zip.zip; END`);
});
afterAll(async () => db?.drop());

async function planError(operation: object | object[]): Promise<string> {
  const operations = Array.isArray(operation) ? operation : [operation];
  return withMigrations(db, { '0001_dependent.json': { operations } }, async (runner) => {
    const error = await currentPlan(runner).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error, 'the plan is refused').toBeDefined();
    return error!.message;
  });
}

const changes = (column: string) => [
  { op: 'renameColumn', table: 'members', from: column, to: `${column}_2` },
  { op: 'dropColumn', table: 'members', column },
  { op: 'changeColumnType', table: 'members', column, type: 'varchar(100)' },
];

describe('a change that would fail at contract because of a dependent is refused at plan time', () => {
  // changeColumnType states the column list again in its swap (retype-dependents.db.test.ts).
  it.for(changes('email').slice(1, 2))('publication column list: $op', async (op, ctx) => {
    if (db.major < 15) ctx.skip();
    expect(await planError(op)).toMatch(/is used by publication member_feed \(its column list or row filter/);
  });

  it('publication column list: renameColumn of a replica identity column names it and the reason', async (ctx) => {
    if (db.major < 15) ctx.skip();
    expect(await planError(changes('id')[0]!)).toMatch(
      /is used by publication member_feed \("id" is in the replica identity, which the publication's columns must cover/,
    );
  });

  it('BEGIN ATOMIC function: renameColumn of a column a parameter is named like names it and the reason', async (ctx) => {
    if (db.major < 14) ctx.skip();
    expect(await planError(changes('zip')[0]!)).toMatch(
      /is used by function public\.member_by_zip\(zip text\) \(a parameter is named "zip" like the column\)/,
    );
  });

  it.for(changes('nick').slice(1, 2))('BEGIN ATOMIC function: $op', async (op, ctx) => {
    if (db.major < 14) ctx.skip();
    expect(await planError(op)).toMatch(
      /is used by function public\.member_nick\(bigint\) \(a SQL-standard BEGIN ATOMIC/,
    );
  });

  it.for(changes('city').slice(1, 2))('view: $op', async (op) => {
    expect(await planError(op)).toMatch(/is used by view public\.member_cities/);
  });

  it('a view whose query cannot be rewritten for sure: renameColumn names it and the reason', async () => {
    expect(await planError(changes('code')[0]!)).toMatch(
      /is used by view public\.member_pairs \(it joins USING \("code"\), which cannot name two different columns\)/,
    );
  });

  const parcelChanges = [
    { op: 'renameColumn', table: 'parcels', from: 'grams', to: 'weight_g' },
    { op: 'dropColumn', table: 'parcels', column: 'grams' },
    { op: 'changeColumnType', table: 'parcels', column: 'grams', type: 'bigint' },
    {
      op: 'transformColumn',
      table: 'parcels',
      from: ['grams'],
      to: [{ name: 'mg', type: 'bigint', up: 'grams * 1000' }],
      down: { grams: 'mg / 1000' },
      dropOld: true,
    },
  ];
  it.for(parcelChanges)('stored generated column: $op names it, the reason and the way out', async (op) => {
    const message = await planError(op);
    expect(message).toMatch(
      /is used by generated column kilos \(a stored generated column: recreating it over the changed column rewrites the whole table under an ACCESS EXCLUSIVE lock/,
    );
    expect(message).toContain('ALTER TABLE public.parcels ALTER COLUMN kilos DROP EXPRESSION');
  });

  it('virtual generated column (PG 18): renameColumn on a table with a CHECK constraint names it', async (ctx) => {
    if (db.major < 18) ctx.skip();
    expect(await planError({ op: 'renameColumn', table: 'boxes', from: 'side', to: 'edge' })).toMatch(
      /is used by generated column volume \(a virtual generated column, whose expression Postgres changes \(SET EXPRESSION\) only on a table without CHECK constraints, and public\.boxes has "?boxes_side_check/,
    );
  });

  const renameSide = { op: 'renameColumn', table: 'tiles', from: 'side', to: 'edge' };
  const laterChecks = [
    { op: 'setNotNull', table: 'tiles', column: 'note' },
    { op: 'addCheck', table: 'tiles', name: 'tiles_note_short', expression: 'length(note) < 10' },
  ];
  it.for(laterChecks)(
    'virtual generated column (PG 18): a CHECK a later $op adds before the contract step is refused, naming it',
    async (later, ctx) => {
      if (db.major < 18) ctx.skip('virtual generated columns are PG 18+');
      const message = await planError([renameSide, later]);
      expect(message).toContain('operations[0]');
      expect(message).toMatch(
        new RegExp(
          `changes a virtual generated column of public\\.tiles \\(SET EXPRESSION\\), which Postgres refuses on a ` +
            `table with a CHECK constraint, and "?tiles_note_\\w+"? \\(added by operations\\[1\\], ${later.op}\\)`,
        ),
      );
    },
  );

  it('virtual generated column (PG 18): with the setNotNull first in the file the rename runs to contract', async (ctx) => {
    if (db.major < 18) ctx.skip('virtual generated columns are PG 18+');
    await withMigrations(db, { '0001_tiles.json': { operations: [laterChecks[0], renameSide] } }, async (runner) => {
      await advance(runner, { until: 'contract' });
    });
    expect(
      await db.query(`SELECT pg_get_expr(d.adbin, d.adrelid) AS expression FROM pg_attrdef d
        JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
        WHERE a.attname = 'area' AND d.adrelid = 'tiles'::regclass`),
    ).toEqual([{ expression: '(edge * edge)' }]);
    expect(await db.query(`SELECT id::int, area FROM tiles WHERE id = 3`)).toEqual([{ id: 3, area: 9 }]);
  });

  it('the way out: DROP EXPRESSION in a sql step before the rename lets it plan', async () => {
    const plan = await withMigrations(
      db,
      {
        '0001_plain.json': {
          operations: [
            { op: 'sql', phase: 'expand', sql: 'ALTER TABLE parcels ALTER COLUMN kilos DROP EXPRESSION', rollback: '' },
            parcelChanges[0],
          ],
        },
      },
      (runner) => currentPlan(runner),
    );
    expect(plan.kind).toBe('planned');
  });

  // box has an = operator (the trigger and the backfill compare values with it) but no btree operator class.
  it('statistics on a column retyped to box (no default btree operator class): dropped with a warning, the contract runs', async () => {
    const migration = { operations: [{ op: 'changeColumnType', table: 'labels', column: 'body', type: 'box' }] };
    await withMigrations(db, { '0001_labels.json': migration }, async (runner) => {
      const plan = JSON.stringify(await currentPlan(runner));
      expect(plan).toMatch(
        /warning: statistics public\.label_stats is dropped with the old column public\.labels\.body and not recreated: its new type (pg_catalog\.)?box has no default btree operator class/,
      );
      expect(plan, 'no statement recreates it').not.toContain('"CREATE STATISTICS');
      for (let i = 0; i < 4; i++) await advance(runner);
    });
    expect(
      await db.query(`SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute
                       WHERE attrelid = 'labels'::regclass AND attname = 'body'`),
    ).toEqual([{ type: 'box' }]);
    expect(await db.query(`SELECT stxname FROM pg_statistic_ext WHERE stxrelid = 'labels'::regclass`)).toEqual([
      { stxname: 'lang_stats' },
    ]);
  });

  it('a sql step that drops the function and the publication first lets the drop plan', async (ctx) => {
    if (db.major < 15) ctx.skip();
    const plan = await withMigrations(
      db,
      {
        '0001_unblocked.json': {
          operations: [
            { op: 'sql', phase: 'contract', sql: 'DROP PUBLICATION member_feed; DROP FUNCTION member_nick' },
            { op: 'dropColumn', table: 'members', column: 'email', down: "''" },
            { op: 'dropColumn', table: 'members', column: 'nick' },
          ],
        },
      },
      (runner) => currentPlan(runner),
    );
    expect(plan.kind).toBe('planned');
  });

  it("a sql step's CREATE OR REPLACE VIEW: what the view reads from then on decides what later operations see", async () => {
    // The view no longer reads "name": the drop plans and runs to contract.
    const unblocked = [
      {
        op: 'sql',
        phase: 'contract',
        sql: 'CREATE OR REPLACE VIEW people_labels AS SELECT id, nick AS label FROM people',
      },
      { op: 'dropColumn', table: 'people', column: 'name' },
    ];
    await withMigrations(db, { '0004_people.json': { operations: unblocked } }, async (runner) => {
      expect(await advance(runner, { until: 'contract' })).toMatchObject({ complete: true });
    });
    expect(await db.query(`SELECT label FROM people_labels WHERE id = 3`)).toEqual([{ label: 'nick 3' }]);
    // A view created on "nick" makes the drop a refusal at plan time, instead of a DROP COLUMN failing at contract.
    const created = {
      op: 'sql',
      phase: 'expand',
      sql: 'CREATE VIEW people_nicks AS SELECT p.id, upper(p.nick) AS shout FROM people p',
      rollback: 'DROP VIEW people_nicks',
    };
    expect(await planError([created, { op: 'dropColumn', table: 'people', column: 'nick' }])).toMatch(
      /people\.nick is used by view public\.people_labels, view public\.people_nicks; change or drop those first/,
    );
  });
});
