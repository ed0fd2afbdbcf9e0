import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentPlan } from '../../src/runner/current-plan.js';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { startWorkload } from '../helpers/apps.js';
import { spawnCli } from '../helpers/cli.js';
import { runLifecycle, withMigrations } from '../helpers/lifecycle.js';
import { tableSnapshot } from '../helpers/schema.js';

/**
 * Migrations whose operations depend on each other (issue 11): each later operation plans against
 * the schema as the earlier ones leave it (the virtual schema), and runs through every phase with
 * the old and the new application version writing, and rolls back exactly.
 */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
});
afterAll(async () => db?.drop());

const rows = async (sql: string) => db.query<Record<string, unknown>>(sql);

describe('operations that build on each other, under old- and new-app writes', () => {
  it('rename a column, then index and constrain it under the new name', async () => {
    await db.query(`CREATE TABLE accounts (id bigserial PRIMARY KEY, holder text NOT NULL);
      INSERT INTO accounts (holder) SELECT 'holder ' || g FROM generate_series(1, 2000) g; ANALYZE accounts`);
    const migration = {
      operations: [
        { op: 'renameColumn', table: 'accounts', from: 'holder', to: 'owner_name' },
        { op: 'createIndex', table: 'accounts', name: 'accounts_owner_lower_idx', columns: ['lower(owner_name)'] },
        { op: 'addCheck', table: 'accounts', name: 'accounts_owner_len', expression: 'length(owner_name) < 200' },
      ],
    };
    const app = (name: string, column: string) => () =>
      startWorkload({
        url: db.url,
        name,
        queries: [
          (i) => ({ text: `INSERT INTO accounts (${column}) VALUES ($1)`, values: [`${name} ${i}`] }),
          (i) => ({
            text: `UPDATE accounts SET ${column} = $1 WHERE id = (SELECT max(id) - 5 FROM accounts)`,
            values: [`${name} update ${i}`],
          }),
          () => ({ text: `SELECT ${column} FROM accounts WHERE id = (SELECT max(id) FROM accounts)` }),
        ],
      });
    await withMigrations(db, { '0002_owner_name.json': migration }, async (runner) => {
      const { after } = await runLifecycle({
        db,
        runner,
        tables: ['accounts'],
        oldApp: app('old', 'holder'),
        newApp: app('new', 'owner_name'),
        check: async (point) => {
          if (point === 'rollback' || point === 'expand') return;
          // Every row has the same value under both names (the sync trigger and the backfill).
          if (point !== 'contract')
            expect(await rows(`SELECT id FROM accounts WHERE owner_name IS DISTINCT FROM holder`)).toEqual([]);
        },
      });
      expect(after.accounts!.columns.map((c) => c.split(' ')[0])).toEqual(['id', 'owner_name']);
      expect(after.accounts!.indexes).toContain(
        'CREATE INDEX accounts_owner_lower_idx ON public.accounts USING btree (lower(owner_name))',
      );
      expect(after.accounts!.constraints).toContain('accounts_owner_len CHECK ((length(owner_name) < 200))');
    });
  });

  it('a raw sql step drops the view that used a column, then dropColumn drops the column', async () => {
    await db.query(`CREATE TABLE parcels (id bigserial PRIMARY KEY, weight int NOT NULL, legacy_code text NOT NULL);
      INSERT INTO parcels (weight, legacy_code) SELECT g, 'L' || g FROM generate_series(1, 1000) g;
      CREATE VIEW parcel_codes AS SELECT id, legacy_code FROM parcels`);
    const migration = {
      operations: [
        { op: 'sql', phase: 'contract', sql: 'DROP VIEW parcel_codes', allow: ['drop-view'] },
        { op: 'dropColumn', table: 'parcels', column: 'legacy_code', down: "'n/a'" },
      ],
    };
    const oldApp = () =>
      startWorkload({
        url: db.url,
        name: 'old',
        queries: [
          (i) => ({ text: `INSERT INTO parcels (weight, legacy_code) VALUES ($1, $2)`, values: [i, `old ${i}`] }),
          () => ({ text: `SELECT legacy_code FROM parcel_codes WHERE id = (SELECT max(id) FROM parcels)` }),
        ],
      });
    const newApp = () =>
      startWorkload({
        url: db.url,
        name: 'new',
        queries: [(i) => ({ text: `INSERT INTO parcels (weight) VALUES ($1)`, values: [i] })],
      });
    await withMigrations(db, { '0003_drop_legacy_code.json': migration }, async (runner) => {
      const { after } = await runLifecycle({ db, runner, tables: ['parcels'], oldApp, newApp });
      expect(after.parcels!.columns.map((c) => c.split(' ')[0])).toEqual(['id', 'weight']);
      expect(await rows(`SELECT to_regclass('parcel_codes') AS v`)).toEqual([{ v: null }]);
    });
  });
});

describe('a table spelled with capitals and referenced by foreign keys', () => {
  it('changeColumnType on "Orders".id plans the key-less referencing table\'s column too', async () => {
    await db.query(`CREATE TABLE "Orders" (id serial PRIMARY KEY, note text, status text, updated_at timestamptz);
      CREATE TABLE order_lines (order_id int NOT NULL REFERENCES "Orders"(id), sku text);
      CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
      CREATE TRIGGER "Touch" BEFORE UPDATE ON "Orders" FOR EACH ROW EXECUTE FUNCTION touch();
      CREATE TRIGGER audit AFTER UPDATE ON "Orders" FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
        EXECUTE FUNCTION touch();
      CREATE TRIGGER per_statement AFTER UPDATE ON "Orders" FOR EACH STATEMENT EXECUTE FUNCTION touch();
      CREATE TRIGGER status_only BEFORE UPDATE OF status ON "Orders" FOR EACH ROW EXECUTE FUNCTION touch();
      CREATE TRIGGER off BEFORE UPDATE ON "Orders" FOR EACH ROW EXECUTE FUNCTION touch();
      ALTER TABLE "Orders" DISABLE TRIGGER off`);
    const migration = { operations: [{ op: 'changeColumnType', table: 'Orders', column: 'id', type: 'bigint' }] };
    await withMigrations(db, { '0001_widen_orders.json': migration }, async (runner) => {
      // Before the fix the referencing tables were looked up as "orders" (folded) and the plan
      // failed with "table public.order_lines does not exist".
      const plan = JSON.stringify(await currentPlan(runner));
      expect(plan).toContain('the referencing column(s) public.order_lines.order_id change to bigint too');
      // The table's own UPDATE triggers fire for every row the backfill copies: the plan names them
      // (not UPDATE OF another column, not a disabled one) and how to keep one out.
      expect(plan).toContain(
        'the backfill of public.\\"Orders\\" updates every row, which fires its trigger(s) ' +
          '\\"Touch\\" (BEFORE UPDATE, for each row), audit (AFTER UPDATE, for each row, when its WHEN holds), ' +
          'per_statement (AFTER UPDATE, once per batch): ',
      );
      expect(plan).toContain("current_setting('zdm.backfill', true) = 'on'");
      expect(plan).not.toMatch(/status_only \(|off \(/);
    });
  });

  it('a partitioned referencing table: its column changes too, its foreign key re-created partition by partition', async () => {
    await db.query(`CREATE TABLE "Carts" (id serial PRIMARY KEY);
      CREATE TABLE cart_payments (paid_on date NOT NULL, cart_id int REFERENCES "Carts"(id)) PARTITION BY RANGE (paid_on);
      CREATE TABLE cart_payments_2026 PARTITION OF cart_payments FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')`);
    const migration = { operations: [{ op: 'changeColumnType', table: 'Carts', column: 'id', type: 'bigint' }] };
    await withMigrations(db, { '0001_widen_carts.json': migration }, async (runner) => {
      const plan = JSON.stringify(await currentPlan(runner));
      expect(plan).toContain('the referencing column(s) public.cart_payments.cart_id change to bigint too');
      expect(plan).toContain(
        'add foreign key cart_payments_cart_id_fkey_zdm NOT VALID on partition public.cart_payments_2026',
      );
      expect(plan).toContain(
        'add foreign key cart_payments_cart_id_fkey_zdm on partitioned table public.cart_payments',
      );
    });
  });
});

describe('constraining, indexing and referencing a new column; names spelled exactly', () => {
  it('addColumn then addCheck / createIndex / addForeignKey on "Invoices", leaving its twin invoices alone', async () => {
    // Two tables whose names differ only in case, with the same columns: the file names "Invoices".
    await db.query(`CREATE TABLE customers (id bigserial PRIMARY KEY, name text NOT NULL);
      INSERT INTO customers (name) SELECT 'c' || g FROM generate_series(1, 50) g;
      CREATE TABLE "Invoices" (id bigserial PRIMARY KEY, total numeric NOT NULL);
      CREATE TABLE invoices (id bigserial PRIMARY KEY, total numeric NOT NULL);
      INSERT INTO "Invoices" (total) SELECT g FROM generate_series(1, 500) g;
      INSERT INTO invoices (total) SELECT g FROM generate_series(1, 500) g; ANALYZE "Invoices"`);
    const migration = {
      operations: [
        { op: 'addColumn', table: 'Invoices', column: { name: 'currency', type: 'char(3)', default: "'EUR'" } },
        {
          op: 'addCheck',
          table: 'Invoices',
          name: 'invoices_currency_upper',
          expression: 'currency = upper(currency)',
        },
        { op: 'createIndex', table: 'Invoices', name: 'invoices_currency_idx', columns: ['currency'] },
        { op: 'addColumn', table: 'Invoices', column: { name: 'customer_id', type: 'bigint' } },
        {
          op: 'addForeignKey',
          table: 'Invoices',
          name: 'invoices_customer_fk',
          columns: ['customer_id'],
          references: { table: 'customers', columns: ['id'] },
        },
      ],
    };
    const twinBefore = await tableSnapshot(db.pool, 'invoices');
    const oldApp = () =>
      startWorkload({
        url: db.url,
        name: 'old',
        queries: [
          (i) => ({ text: `INSERT INTO "Invoices" (total) VALUES ($1)`, values: [i] }),
          (i) => ({
            text: `UPDATE "Invoices" SET total = $1 WHERE id = (SELECT max(id) - 3 FROM "Invoices")`,
            values: [i],
          }),
        ],
      });
    const newApp = () =>
      startWorkload({
        url: db.url,
        name: 'new',
        queries: [
          (i) => ({
            text: `INSERT INTO "Invoices" (total, currency, customer_id) VALUES ($1, 'USD', $2)`,
            values: [i, 1 + (i % 50)],
          }),
          () => ({ text: `SELECT currency FROM "Invoices" WHERE currency = 'USD' LIMIT 1` }),
        ],
      });
    await withMigrations(db, { '0004_invoice_currency.json': migration }, async (runner) => {
      const { after } = await runLifecycle({ db, runner, tables: ['"Invoices"'], oldApp, newApp });
      const invoices = after['"Invoices"']!;
      expect(invoices.columns.map((c) => c.split(' collation')[0])).toEqual([
        'id bigint not null default nextval(\'"Invoices_id_seq"\'::regclass)',
        'total numeric not null',
        "currency character(3) default 'EUR'::bpchar",
        'customer_id bigint',
      ]);
      expect(invoices.indexes).toContain(
        'CREATE INDEX invoices_currency_idx ON public."Invoices" USING btree (currency)',
      );
      expect(invoices.constraints).toEqual(
        expect.arrayContaining([
          'invoices_currency_upper CHECK (((currency)::text = upper((currency)::text)))',
          'invoices_customer_fk FOREIGN KEY (customer_id) REFERENCES customers(id)',
        ]),
      );
      expect(await rows(`SELECT count(*)::int AS n FROM "Invoices" WHERE currency IS NULL`)).toEqual([{ n: 0 }]);
      // The lower-case twin is exactly as it was.
      expect(await tableSnapshot(db.pool, 'invoices')).toEqual(twinBefore);
    });
  });

  it('an overlap is refused by `zdm plan` with exit 3 naming both operations, before anything runs', async () => {
    await db.query(`CREATE TABLE members (id bigserial PRIMARY KEY, name text)`);
    await withMigrations(
      db,
      {
        '0005_overlap.json': {
          operations: [
            { op: 'dropColumn', table: 'members', column: 'name' },
            { op: 'renameColumn', table: 'members', from: 'name', to: 'full_name' },
          ],
        },
      },
      async (_runner, dir) => {
        const r = await spawnCli(['plan', '--migrations-dir', dir, '--database-url', db.url]);
        expect(r.code, r.stderr + r.stdout).toBe(3);
        expect(r.stderr).toContain('0005_overlap.json');
        expect(r.stderr).toContain(
          'operations[1].from: column public.members.name is dropped by operations[0] (dropColumn)',
        );
      },
    );
    // Nothing ran: the table keeps its column and has no zdm trigger.
    expect((await tableSnapshot(db.pool, 'members')).columns.map((c) => c.split(' ')[0])).toEqual(['id', 'name']);
    expect((await tableSnapshot(db.pool, 'members')).triggers).toEqual([]);
  });
});

describe('a primary key type change together with the explicit change of its referencing column', () => {
  it('runs through every phase and rolls back exactly', { timeout: 240_000 }, async () => {
    await db.query(`CREATE TABLE shows (id int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, title text NOT NULL);
      CREATE TABLE seats (id bigserial PRIMARY KEY, show_id int NOT NULL REFERENCES shows (id), label text);
      INSERT INTO shows (title) SELECT 'show ' || g FROM generate_series(1, 200) g;
      INSERT INTO seats (show_id, label) SELECT 1 + g % 200, 'seat ' || g FROM generate_series(1, 400) g;
      ANALYZE shows; ANALYZE seats`);
    const migration = {
      operations: [
        { op: 'changeColumnType', table: 'shows', column: 'id', type: 'bigint' },
        { op: 'changeColumnType', table: 'seats', column: 'show_id', type: 'bigint' },
      ],
    };
    const app = (name: string) => () =>
      startWorkload({
        url: db.url,
        name,
        thinkMs: 5,
        queries: [
          (i) => ({ text: `INSERT INTO shows (title) VALUES ($1)`, values: [`${name} ${i}`] }),
          (i) => ({
            text: `INSERT INTO seats (show_id, label) VALUES ((SELECT max(id) FROM shows), $1)`,
            values: [`${name} ${i}`],
          }),
          () => ({
            text: `UPDATE seats SET show_id = (SELECT min(id) FROM shows) WHERE id = (SELECT max(id) FROM seats)`,
          }),
        ],
      });
    await withMigrations(db, { '0006_show_bigint.json': migration }, async (runner) => {
      const { after } = await runLifecycle({
        db,
        runner,
        tables: ['shows', 'seats'],
        oldApp: app('old'),
        newApp: app('new'),
      });
      expect(after.shows!.columns.find((c) => c.startsWith('id '))).toMatch(/^id bigint not null/);
      expect(after.seats!.columns.find((c) => c.startsWith('show_id '))).toMatch(/^show_id bigint not null/);
      expect(after.seats!.constraints).toContain('seats_show_id_fkey FOREIGN KEY (show_id) REFERENCES shows(id)');
      expect([...after.shows!.triggers, ...after.seats!.triggers, ...after.shows!.functions]).toEqual([]);
    });
  });
});
