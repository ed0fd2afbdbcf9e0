import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advance } from '../../src/runner/advance.js';
import { currentPlan } from '../../src/runner/current-plan.js';
import { rollback } from '../../src/runner/rollback.js';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { withMigrations } from '../helpers/lifecycle.js';
import { tableSnapshot } from '../helpers/schema.js';

/**
 * A table whose row type other tables store (a column of type orders, one of orders[]) or a
 * function takes (issue 12). Postgres refuses to change a column's type on such a table and to add
 * a column with a default ("cannot alter table because column archive.x uses its row type"), and a
 * copy column taking over a column's name reads NULL in the stored rows: refused at plan time,
 * naming the columns; what Postgres allows runs to contract with the stored rows intact.
 */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
  await db.query(`CREATE TABLE orders (id bigint PRIMARY KEY, qty int NOT NULL DEFAULT 1, code varchar(10), note text);
    INSERT INTO orders SELECT g, g, 'c' || g, 'n' || g FROM generate_series(1, 50) g;
    CREATE TABLE archive (id bigint PRIMARY KEY, x orders);
    INSERT INTO archive SELECT id, o FROM orders o;
    CREATE TABLE batches (id int PRIMARY KEY, xs orders[]);
    INSERT INTO batches SELECT 1, array_agg(o ORDER BY id) FROM orders o;
    CREATE TABLE items (id bigint PRIMARY KEY, qty int NOT NULL, note text);
    INSERT INTO items SELECT g, g, 'i' || g FROM generate_series(1, 50) g;
    CREATE FUNCTION item_label(i items) RETURNS text LANGUAGE sql STABLE RETURN (i).note || '/' || (i).id;
    CREATE FUNCTION item_qty(i items) RETURNS bigint LANGUAGE plpgsql AS $$ BEGIN RETURN i.qty; END $$;
    CREATE TABLE parcels (id bigint PRIMARY KEY, weight int NOT NULL, label text);
    INSERT INTO parcels SELECT g, g, 'p' || g FROM generate_series(1, 20) g;
    CREATE DOMAIN parcel_row AS parcels CHECK ((VALUE).weight > 0);
    CREATE DOMAIN parcel_row_2 AS parcel_row;
    CREATE TABLE parcel_log (id bigint PRIMARY KEY, p parcel_row);
    INSERT INTO parcel_log SELECT id, p::parcel_row FROM parcels p;
    CREATE TABLE parcel_batches (id int PRIMARY KEY, ps parcel_row_2[]);`);
});
afterAll(async () => db?.drop());

async function planError(operation: object): Promise<string> {
  return withMigrations(db, { '0001_row_type.json': { operations: [operation] } }, async (runner) => {
    const error = await currentPlan(runner).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error, 'the plan is refused').toBeDefined();
    return error!.message;
  });
}

/** The stored rows of orders, read through archive.x and batches.xs, as they were stored. */
async function storedRowsIntact(): Promise<void> {
  const wrong = await db.query(`SELECT a.id FROM archive a
     WHERE (a.x).id IS DISTINCT FROM a.id OR (a.x).qty IS DISTINCT FROM a.id::int OR (a.x).note IS DISTINCT FROM 'n' || a.id`);
  expect(wrong).toEqual([]);
  expect(await db.query(`SELECT (xs[3]).qty, (xs[3]).note FROM batches`)).toEqual([{ qty: 3, note: 'n3' }]);
}

describe('a table whose row type another table stores', () => {
  const stored = ['column x of table public.archive', 'column xs of table public.batches'];
  it.for([
    { op: 'changeColumnType', table: 'orders', column: 'qty', type: 'bigint' },
    { op: 'changeColumnType', table: 'orders', column: 'code', type: 'varchar(20)' },
    { op: 'changeColumnType', table: 'orders', column: 'code', type: 'text' },
  ])('changeColumnType is refused at plan time, naming the columns ($column to $type)', async (op) => {
    const message = await planError(op);
    expect(message).toContain(`operations[0].column: public.orders.${op.column} cannot change type`);
    for (const column of stored) expect(message).toContain(column);
    expect(message).toContain('Change those columns to another type (or drop them) first');
  });

  it('renameColumn is refused at plan time: its copy would read NULL in the stored rows', async () => {
    const message = await planError({ op: 'renameColumn', table: 'orders', from: 'note', to: 'remark' });
    expect(message).toContain('operations[0].from: public.orders.note cannot be renamed the expand/contract way');
    for (const column of stored) expect(message).toContain(column);
    expect(message).toContain('A plain ALTER TABLE ... RENAME COLUMN in a "sql" operation keeps those values');
  });

  it('addCheck with `up` (a copy of the column taking over its name) is refused at plan time', async () => {
    const message = await planError({
      op: 'addCheck',
      table: 'orders',
      name: 'orders_note_long',
      expression: 'length(note) > 2',
      up: { note: "rpad(note, 3, '-')" },
    });
    expect(message).toContain('operations[0].up: "up" puts each of its columns in a copy');
    for (const column of stored) expect(message).toContain(column);
  });

  it('addColumn with a default, dropColumn and setNotNull run to contract (the default set, then backfilled); rollback exact; the stored rows still read', async () => {
    const before = await tableSnapshot(db.pool, 'orders');
    const migration = {
      operations: [
        { op: 'addColumn', table: 'orders', column: { name: 'kind', type: 'text', default: "'std'", nullable: false } },
        { op: 'addColumn', table: 'orders', column: { name: 'twice', type: 'int' }, up: 'qty * 2' },
        { op: 'dropColumn', table: 'orders', column: 'code' },
        { op: 'setNotNull', table: 'orders', column: 'note' },
      ],
    };
    await withMigrations(db, { '0002_orders_allowed.json': migration }, async (runner) => {
      const plan = await currentPlan(runner);
      expect(JSON.stringify(plan)).toContain(
        'Postgres refuses ADD COLUMN with a default there, so the default is set for new rows (SET DEFAULT)',
      );
      expect(await advance(runner, { until: 'expand' })).toMatchObject({ kind: 'advanced' });
      await rollback(runner);
      expect(await tableSnapshot(db.pool, 'orders')).toEqual(before);
      await storedRowsIntact();
      expect(await advance(runner, { until: 'contract' })).toMatchObject({ complete: true });
    });
    expect(await db.query(`SELECT count(*)::int AS n FROM orders WHERE kind = 'std' AND twice = qty * 2`)).toEqual([
      { n: 50 },
    ]);
    await db.query(`INSERT INTO orders (id, qty, note) VALUES (51, 51, 'n51')`);
    expect(await db.query(`SELECT kind FROM orders WHERE id = 51`)).toEqual([{ kind: 'std' }]);
    // Rows stored before: their values where they were (the new columns NULL, the dropped one gone).
    await storedRowsIntact();
    expect(await db.query(`SELECT count(*)::int AS n FROM archive WHERE (x).kind IS NULL`)).toEqual([{ n: 50 }]);
    // The dependents still take new rows of the new shape.
    await db.query(`INSERT INTO archive SELECT id, o FROM orders o WHERE id = 51`);
    expect(await db.query(`SELECT (x).kind, (x).twice FROM archive WHERE id = 51`)).toEqual([
      { kind: 'std', twice: null },
    ]);
  });
  it('the way out: a sql operation before it that changes those columns to jsonb lets changeColumnType run', async () => {
    const migration = {
      operations: [
        {
          op: 'sql',
          phase: 'expand',
          sql: `ALTER TABLE archive ALTER COLUMN x TYPE jsonb USING to_jsonb(x);
                ALTER TABLE batches ALTER COLUMN xs TYPE jsonb USING to_jsonb(xs)`,
          rollback: '',
          allow: ['change-column-type'],
        },
        { op: 'changeColumnType', table: 'orders', column: 'qty', type: 'bigint' },
      ],
    };
    await withMigrations(db, { '0004_orders_qty.json': migration }, async (runner) => {
      expect(await advance(runner, { until: 'contract' })).toMatchObject({ complete: true });
    });
    expect(
      await db.query(
        `SELECT x->>'qty' AS qty, pg_typeof(o.qty)::text AS t FROM archive JOIN orders o USING (id) WHERE id = 9`,
      ),
    ).toEqual([{ qty: '9', t: 'bigint' }]);
  });
});

describe('a table whose row type a domain wraps, and another table stores that domain (or an array of a domain over it)', () => {
  const stored = ['column p of table public.parcel_log', 'column ps of table public.parcel_batches'];
  it('changeColumnType and renameColumn are refused at plan time, naming the columns (Postgres follows domains too)', async () => {
    const retype = await planError({ op: 'changeColumnType', table: 'parcels', column: 'weight', type: 'bigint' });
    expect(retype).toContain('operations[0].column: public.parcels.weight cannot change type');
    for (const column of stored) expect(retype).toContain(column);
    const rename = await planError({ op: 'renameColumn', table: 'parcels', from: 'label', to: 'tag' });
    expect(rename).toContain('operations[0].from: public.parcels.label cannot be renamed the expand/contract way');
    for (const column of stored) expect(rename).toContain(column);
    // What the refusal spares: Postgres itself refuses the type change at run time.
    await expect(db.query('ALTER TABLE parcels ALTER COLUMN weight TYPE bigint')).rejects.toThrow(
      /because column "parcel_(log\.p|batches\.ps)" uses (its row type|it)/,
    );
  });

  it('addColumn with a default: the default set for new rows and the existing ones backfilled, run to contract', async () => {
    const migration = {
      operations: [{ op: 'addColumn', table: 'parcels', column: { name: 'kind', type: 'text', default: "'std'" } }],
    };
    await withMigrations(db, { '0006_parcels_kind.json': migration }, async (runner) => {
      expect(JSON.stringify(await currentPlan(runner))).toContain('Postgres refuses ADD COLUMN with a default there');
      expect(await advance(runner, { until: 'contract' })).toMatchObject({ complete: true });
    });
    expect(await db.query(`SELECT count(*)::int AS n FROM parcels WHERE kind = 'std'`)).toEqual([{ n: 20 }]);
    expect(await db.query(`SELECT (p).label, (p).kind FROM parcel_log WHERE id = 3`)).toEqual([
      { label: 'p3', kind: null },
    ]);
  });
});

describe('a table whose row type a function takes', () => {
  it('renameColumn of a column the function reads through that parameter is refused at plan time (contract could not drop it)', async () => {
    const message = await planError({ op: 'renameColumn', table: 'items', from: 'note', to: 'label' });
    expect(message).toContain('function public.item_label(i items)');
    expect(message).toContain("it takes the table's row type (parameter i)");
  });

  it('renameColumn of a column a PL/pgSQL function reads through that parameter: the plan warns, naming it', async () => {
    const migration = { operations: [{ op: 'renameColumn', table: 'items', from: 'qty', to: 'quantity' }] };
    const plan = await withMigrations(db, { '0005_items_qty.json': migration }, (runner) => currentPlan(runner));
    expect(JSON.stringify(plan)).toContain(
      `warning: function public.item_qty(i items) (plpgsql, taking the table's row type) names \\"qty\\"`,
    );
  });

  it('changeColumnType of another column and addColumn with a default run to contract; the function still works', async () => {
    const migration = {
      operations: [
        { op: 'changeColumnType', table: 'items', column: 'qty', type: 'bigint' },
        { op: 'addColumn', table: 'items', column: { name: 'kind', type: 'text', default: "'std'" } },
      ],
    };
    await withMigrations(db, { '0003_items.json': migration }, async (runner) => {
      expect(await advance(runner, { until: 'expand' })).toMatchObject({ kind: 'advanced' });
      await rollback(runner);
      expect(await advance(runner, { until: 'contract' })).toMatchObject({ complete: true });
    });
    expect(await db.query(`SELECT item_label(i) AS v, pg_typeof(i.qty)::text AS t FROM items i WHERE id = 7`)).toEqual([
      { v: 'i7/7', t: 'bigint' },
    ]);
  });
});
