import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCatalog } from '../../src/db/catalog.js';
import pg from 'pg';
import { readSchemaScript } from '../../src/rehearse/schema.js';
import { buildRehearsalDatabase } from '../../src/rehearse/setup.js';
import { createTestDatabase, testLabel, withAdmin, withDatabase, type TestDatabase } from '../harness/database.js';
import { runCli } from '../helpers/cli.js';
import { tempMigrationsDir } from '../helpers/runner.js';

/**
 * `zdm plan --rehearse` against a target reached through a read-only role: the touched tables
 * (with their enum type, serial sequence, trigger and its function, foreign key to a parent,
 * dependent view, policy, publication, rule, and grants to a role the throwaway server lacks) are
 * recreated on a throwaway embedded Postgres, a sample is loaded, and the migration runs there
 * under the trace harness.
 */
let db: TestDatabase;
let dir: Awaited<ReturnType<typeof tempMigrationsDir>>;
let readerUrl: string;
const reader = `zdm_reader_${Math.random().toString(36).slice(2, 8)}`;
const clerk = `zdm_clerk_${Math.random().toString(36).slice(2, 8)}`;

beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
  dir = await tempMigrationsDir('rehearse');
  await db.query(`
    CREATE TYPE order_state AS ENUM ('new', 'paid');
    CREATE TABLE customers (id bigserial PRIMARY KEY, name text NOT NULL);
    CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers (id),
                         amount integer NOT NULL CHECK (amount >= 0), state order_state NOT NULL DEFAULT 'new',
                         updated_at timestamptz);
    CREATE INDEX orders_customer_idx ON orders (customer_id);
    CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
    CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch();
    CREATE FUNCTION touch_note() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.note := NEW.note || '.'; RETURN NEW; END $$;
    CREATE VIEW paid_orders AS SELECT id, customer_id FROM orders WHERE state = 'paid';
    ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
    CREATE POLICY orders_all ON orders USING (true);
    CREATE PUBLICATION orders_pub FOR TABLE orders;
    INSERT INTO customers (name) SELECT 'c' || g FROM generate_series(1, 500) g;
    INSERT INTO orders (customer_id, amount) SELECT 1 + g % 500, g FROM generate_series(1, 3000) g;
    CREATE TABLE docs (id bigserial PRIMARY KEY, body text NOT NULL);
    INSERT INTO docs (body) SELECT '{"n": ' || g || '}' FROM generate_series(1, 300) g;
    INSERT INTO docs (body) VALUES ('not json');
    CREATE RULE orders_keep_paid AS ON DELETE TO orders WHERE old.state = 'paid' DO INSTEAD NOTHING;
    CREATE TABLE prices (id bigserial PRIMARY KEY, amount numeric NOT NULL UNIQUE);
    INSERT INTO prices (amount) SELECT g FROM generate_series(1, 48) g;
    INSERT INTO prices (amount) VALUES (100.2), (100.4);
    -- A partitioned table whose partitions carry objects of their own (sub-partitioned too).
    CREATE TABLE events (id bigint NOT NULL, at date NOT NULL, kind text, note text, src text DEFAULT 'app')
      PARTITION BY RANGE (at);
    CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
    CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01') PARTITION BY HASH (id);
    CREATE TABLE events_2026_h0 PARTITION OF events_2026 FOR VALUES WITH (MODULUS 2, REMAINDER 0);
    CREATE TABLE events_2026_h1 PARTITION OF events_2026 FOR VALUES WITH (MODULUS 2, REMAINDER 1);
    CREATE INDEX events_at ON ONLY events (at);
    CREATE INDEX events_2025_events_at ON events_2025 (at);
    ALTER INDEX events_at ATTACH PARTITION events_2025_events_at;
    CREATE INDEX events_2026_events_at ON ONLY events_2026 (at);
    CREATE INDEX events_2026_h0_events_at ON events_2026_h0 (at);
    CREATE INDEX events_2026_h1_events_at ON events_2026_h1 (at);
    ALTER INDEX events_2026_events_at ATTACH PARTITION events_2026_h0_events_at;
    ALTER INDEX events_2026_events_at ATTACH PARTITION events_2026_h1_events_at;
    ALTER INDEX events_at ATTACH PARTITION events_2026_events_at;
    CREATE INDEX events_2025_kind ON events_2025 (kind);
    ALTER TABLE events_2025 ADD CONSTRAINT events_2025_kind_check CHECK (kind <> 'none');
    ALTER TABLE events_2025 ALTER COLUMN note SET NOT NULL, ALTER COLUMN src SET DEFAULT 'old';
    CREATE TRIGGER events_2025_touch BEFORE UPDATE ON events_2025 FOR EACH ROW EXECUTE FUNCTION touch_note();
    ALTER TABLE events_2025 ENABLE ROW LEVEL SECURITY;
    CREATE POLICY events_2025_kind ON events_2025 USING (kind IS DISTINCT FROM 'secret') WITH CHECK (kind <> 'secret');
    CREATE STATISTICS events_2025_stats (dependencies) ON kind, note FROM events_2025;
    CREATE VIEW events_2025_kinds AS SELECT id, kind FROM events_2025;
    COMMENT ON TABLE events_2025 IS 'the year 2025';
    COMMENT ON COLUMN events_2026_h0.kind IS 'kind, hash 0';
    -- insert only: the table has no replica identity, with which Postgres refuses UPDATEs of a published table
    CREATE PUBLICATION events_2025_pub FOR TABLE events_2025 (id, at, kind) WITH (publish = 'insert');
    CREATE PUBLICATION events_root_pub FOR TABLE events (id, at, kind) WITH (publish = 'insert', publish_via_partition_root = true);
    INSERT INTO events SELECT g, date '2025-06-01' + (g % 400), CASE WHEN g % 3 = 0 THEN NULL ELSE 'k' END, 'n', 'app'
      FROM generate_series(1, 400) g;
    ANALYZE;`);
  await withAdmin(db.url, async (c) => {
    await c.query(`CREATE ROLE ${reader} LOGIN PASSWORD 'r' IN ROLE pg_read_all_data`);
    await c.query(`ALTER ROLE ${reader} SET default_transaction_read_only = on`);
    await c.query(`CREATE ROLE ${clerk} NOLOGIN`);
    await c.query(`GRANT SELECT, INSERT ON orders TO ${clerk};
                   GRANT UPDATE (amount) ON orders TO ${clerk};
                   GRANT SELECT ON paid_orders TO ${clerk};
                   GRANT USAGE ON SEQUENCE orders_id_seq TO ${clerk};
                   GRANT SELECT ON events_2025 TO ${clerk};
                   GRANT UPDATE (note) ON events_2026_h1 TO ${clerk};
                   GRANT SELECT ON events_2025_kinds TO ${clerk}`);
  });
  const url = new URL(db.url);
  url.username = reader;
  url.password = 'r';
  readerUrl = url.toString();
});
afterAll(async () => {
  await dir?.remove();
  if (db)
    await withAdmin(db.url, (c) =>
      c.query(`DROP OWNED BY ${clerk}; DROP ROLE ${clerk}; DROP ROLE IF EXISTS ${reader}`),
    );
  await db?.drop();
});

/** What a write to the target would change: its catalog, its tables' files and rows, a zdm state schema. */
async function targetState(): Promise<unknown> {
  return db.query(`
    SELECT (SELECT md5(string_agg(c.relname || ':' || c.relfilenode || ':' || c.relkind::text, ',' ORDER BY c.relname))
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')) AS relations,
           (SELECT md5(string_agg(attrelid::regclass || '.' || attname || ':' || atttypid, ',' ORDER BY attrelid::regclass::text, attnum))
              FROM pg_attribute WHERE attrelid::regclass::text IN ('orders', 'customers', 'docs', 'prices')) AS columns,
           (SELECT md5(string_agg(conname || pg_get_constraintdef(oid), ',' ORDER BY conname)) FROM pg_constraint WHERE connamespace = 'public'::regnamespace) AS constraints,
           (SELECT md5(string_agg(o::text, ',' ORDER BY o.id)) FROM orders o) AS orders,
           (SELECT md5(string_agg(d::text, ',' ORDER BY d.id)) FROM docs d) AS docs,
           (SELECT md5(string_agg(p::text, ',' ORDER BY p.id)) FROM prices p) AS prices,
           (SELECT md5(string_agg(relname || coalesce(relacl::text, ''), ',' ORDER BY relname)) FROM pg_class WHERE relnamespace = 'public'::regnamespace) AS grants,
           (SELECT count(*) FROM pg_namespace WHERE nspname = 'zdm') AS zdm_schema`);
}

describe('zdm plan --rehearse', () => {
  it('rehearses a type change on a sample: every step observed as planned, forward and rolled back, nothing written', async () => {
    const file = await dir.write(
      '0001_amount_bigint.yaml',
      'operations:\n  - op: changeColumnType\n    table: orders\n    column: amount\n    type: bigint\n',
    );
    const before = await targetState();
    // On a system Postgres target (the pg15-system project) the rehearsal runs on that same install,
    // chosen with --rehearse-bin-dir; on the embedded one, on the embedded package's (the default).
    const system = `/usr/lib/postgresql/${db.major}/bin`;
    const binDir = db.major !== 18 && existsSync(system) ? ['--rehearse-bin-dir', system] : [];
    const r = await runCli([
      'plan',
      file,
      '--rehearse',
      '--rehearse-rows',
      '1000',
      ...binDir,
      '--json',
      '--database-url',
      readerUrl,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as {
      rehearsalVersion: string;
      ok: boolean;
      sample: { table: string; rows: number }[];
      notes: string[];
      runs: { name: string; failure: unknown; steps: { id: string; undo: boolean; mismatches: string[] }[] }[];
    };
    expect(report.ok).toBe(true);
    expect(report.rehearsalVersion).toMatch(new RegExp(`\\b${binDir.length > 0 ? db.major : 18}\\.\\d+`));
    expect(report.sample).toContainEqual({ table: 'public.orders', rows: 1000 });
    expect(report.notes.filter((n) => n.startsWith('not recreated'))).toEqual([]);
    expect(report.runs.map((run) => [run.name, run.failure])).toEqual([
      ['forward', null],
      ['rollback', null],
    ]);
    expect(report.runs[0]!.steps.map((s) => s.id.split(':')[2])).toEqual(
      expect.arrayContaining(['expand', 'backfill', 'switch', 'contract']),
    );
    expect(report.runs[1]!.steps.some((s) => s.undo)).toBe(true);
    expect(await targetState()).toEqual(before);
  }, 180_000);

  it('a --rehearse-bin-dir that is not a Postgres bin directory is a configuration error (exit 2), nothing started', async () => {
    const file = await dir.write(
      '0009_bin_dir.yaml',
      'operations:\n  - op: changeColumnType\n    table: orders\n    column: amount\n    type: bigint\n',
    );
    const r = await runCli(['plan', file, '--rehearse', '--rehearse-bin-dir', dir.dir, '--database-url', readerUrl]);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain(`${dir.dir}/initdb not found: ${dir.dir} is not a Postgres bin directory`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 3 naming the step and the object when the cast fails on sampled rows, without writing to the target', async () => {
    const file = await dir.write(
      '0002_docs_jsonb.yaml',
      'operations:\n  - op: changeColumnType\n    table: docs\n    column: body\n    type: jsonb\n    using: body::jsonb\n    down: body::text\n',
    );
    const before = await targetState();
    const r = await runCli(['plan', file, '--rehearse', '--database-url', readerUrl]);
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stdout).toMatch(/FAILED at step change_column_type:public\.docs\.body:\w+:\d+ on public\.docs\.body/);
    expect(r.stdout).toContain('Rehearsal FAILED');
    expect(await targetState()).toEqual(before);
  }, 180_000);

  it('recreates the grants (to roles it creates there) and rules of what it rehearses, each named if it cannot', async () => {
    const pool = db.pool;
    const planned = await readCatalog(pool, { tables: [{ schema: 'public', name: 'orders' }] });
    const client = await pool.connect();
    try {
      const script = await readSchemaScript(client, planned, []);
      const late = script.late.map((l) => l.sql);
      expect(script.before).toContainEqual(expect.stringContaining(`CREATE ROLE ${clerk} NOLOGIN`));
      expect(late).toEqual(
        expect.arrayContaining([
          `GRANT SELECT ON TABLE public.orders TO ${clerk}`,
          `GRANT INSERT ON TABLE public.orders TO ${clerk}`,
          `GRANT UPDATE (amount) ON TABLE public.orders TO ${clerk}`,
          `GRANT SELECT ON TABLE public.paid_orders TO ${clerk}`,
          `GRANT USAGE ON SEQUENCE public.orders_id_seq TO ${clerk}`,
          expect.stringMatching(/^CREATE RULE orders_keep_paid AS\s+ON DELETE TO public\.orders/),
        ]),
      );
    } finally {
      client.release();
    }
    // The first test's rehearsal of orders ran them all on the throwaway server: no "not recreated" note.
  });

  it('exits 3 naming the step and the object when sampled values collide in a copied unique index, without writing to the target', async () => {
    // 100.2 and 100.4 are distinct numerics but both become 100 as integers: the plan cannot know
    // (it reads no data); the backfill into the shadow column hits its copy of the unique index.
    const file = await dir.write(
      '0003_prices_integer.yaml',
      'operations:\n  - op: changeColumnType\n    table: prices\n    column: amount\n    type: integer\n',
    );
    const before = await targetState();
    const plain = await runCli(['plan', file, '--database-url', readerUrl]);
    expect(plain.code, plain.stdout + plain.stderr).toBe(0);
    const r = await runCli(['plan', file, '--rehearse', '--database-url', readerUrl]);
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stdout).toMatch(
      /FAILED at step backfill:public\.prices:backfill:\d+ on prices_amount_key\w*: duplicate key value violates unique constraint "prices_amount_key\w*" \(Key \(amount\w*\)=\(100\) already exists/,
    );
    expect(r.stdout).toContain('Rehearsal FAILED');
    expect(await targetState()).toEqual(before);
  }, 180_000);

  it("carries a partitioned table's partition-level objects into its copy: own indexes (by name, attached), constraints, NOT NULL, defaults, triggers, policies, statistics, views, grants, comments, publications", async () => {
    const copy = `${db.name}_copy`;
    await withAdmin(db.url, (c) => c.query(`CREATE DATABASE ${copy}`));
    const source = await db.pool.connect();
    const target = new pg.Client({ connectionString: withDatabase(db.url, copy) });
    await target.connect();
    try {
      const planned = await readCatalog(db.pool, { tables: [{ schema: 'public', name: 'events' }] });
      const script = await readSchemaScript(source, planned, []);
      const built = await buildRehearsalDatabase(source, target, script, 1000);
      expect(built.notes).toEqual([]);
      const original = await partitionObjects(source);
      expect(original.indexes).toContainEqual(['events_2025_kind', expect.any(String), true, null]);
      expect(await partitionObjects(target)).toEqual(original);
    } finally {
      source.release();
      await target.end();
      await withAdmin(db.url, (c) => c.query(`DROP DATABASE IF EXISTS ${copy} WITH (FORCE)`));
    }
  });

  it("exits 3 when a partition's own constraint rejects what the backfill writes, as the real run would fail", async () => {
    // events_2025's own CHECK (kind <> 'none'): the parent's plan cannot see it fail (it reads no
    // data), the backfill giving NULL kinds 'none' hits it there.
    const file = await dir.write(
      '0004_events_kind.yaml',
      'operations:\n  - op: setNotNull\n    table: events\n    column: kind\n    up: "\'none\'"\n',
    );
    const before = await targetState();
    const r = await runCli(['plan', file, '--rehearse', '--database-url', readerUrl]);
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stdout).toMatch(/FAILED at step backfill:public\.events:backfill:\d+ .*events_2025_kind_check/);
    expect(await targetState()).toEqual(before);
  }, 180_000);
});

/** The partition-level objects of public.events' tree, each kind's list sorted, to compare between two databases. */
async function partitionObjects(client: pg.ClientBase): Promise<Record<string, unknown[]>> {
  const f = (await client.query<{ f: Record<string, unknown[] | null> }>(PARTITION_OBJECTS)).rows[0]!.f;
  return Object.fromEntries(
    Object.entries(f).map(([k, v]) => [
      k,
      (v ?? []).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    ]),
  );
}

const PARTITION_OBJECTS = `
  WITH tree AS (SELECT relid AS oid FROM pg_partition_tree('public.events'))
  SELECT json_build_object(
    'indexes', (SELECT json_agg(json_build_array(i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), i.indisvalid,
                  (SELECT inhparent::regclass::text FROM pg_inherits WHERE inhrelid = i.indexrelid)))
                  FROM pg_index i WHERE i.indrelid IN (SELECT oid FROM tree)),
    'constraints', (SELECT json_agg(json_build_array(c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.conislocal,
                      c.coninhcount)) FROM pg_constraint c WHERE c.conrelid IN (SELECT oid FROM tree)),
    'columns', (SELECT json_agg(json_build_array(a.attrelid::regclass::text, a.attname, a.attnotnull, pg_get_expr(d.adbin, d.adrelid),
                  col_description(a.attrelid, a.attnum), a.attacl::text))
                  FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                 WHERE a.attrelid IN (SELECT oid FROM tree) AND a.attnum > 0 AND NOT a.attisdropped),
    'relations', (SELECT json_agg(json_build_array(c.oid::regclass::text, c.relrowsecurity, c.relacl::text,
                    obj_description(c.oid, 'pg_class'), CASE WHEN c.relkind = 'v' THEN pg_get_viewdef(c.oid) END))
                    FROM pg_class c WHERE c.oid IN (SELECT oid FROM tree) OR c.oid = 'public.events_2025_kinds'::regclass),
    'triggers', (SELECT json_agg(pg_get_triggerdef(t.oid)) FROM pg_trigger t
                  WHERE t.tgrelid IN (SELECT oid FROM tree) AND NOT t.tgisinternal),
    'policies', (SELECT json_agg(json_build_array(tablename, policyname, qual, with_check)) FROM pg_policies
                  WHERE tablename LIKE 'events%'),
    'statistics', (SELECT json_agg(pg_get_statisticsobjdef(s.oid)) FROM pg_statistic_ext s
                    WHERE s.stxrelid IN (SELECT oid FROM tree)),
    'publications', (SELECT json_agg(json_build_array(p.pubname, p.pubviaroot, t.schemaname, t.tablename, t.attnames))
                      FROM pg_publication p JOIN pg_publication_tables t ON t.pubname = p.pubname
                     WHERE p.pubname LIKE 'events%')) AS f`;
