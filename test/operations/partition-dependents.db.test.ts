import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advance } from '../../src/runner/advance.js';
import { currentPlan } from '../../src/runner/current-plan.js';
import { rollback } from '../../src/runner/rollback.js';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { runLifecycle, withMigrations, type LifecyclePoint } from '../helpers/lifecycle.js';
import { startWorkload } from '../helpers/workload.js';
import type { TestRunner } from '../helpers/runner.js';

/**
 * Objects on a column of a PARTITION (not of the partitioned table) follow a change of the table's
 * column like those on the table itself (issue 12): a view, a row-level-security policy, an UPDATE OF trigger, a statistics
 * object, a column privilege and a column comment on a partition, a statistics object on a
 * sub-partition's leaf. They were invisible to planning: contract failed on the view and policy (the
 * migration then stuck), and the rest were lost with the old column. No traffic here (the lifecycles
 * under traffic are partitioned.db and dependents-follow.db): each check is what a user would look at.
 */
let db: TestDatabase;
let reader: string;
beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
  reader = `${db.name}_r2`;
  await db.query(`CREATE ROLE ${reader} NOLOGIN;
    CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN NEW.note := NEW.note || ''+''; RETURN NEW; END'`);
});
afterAll(async () => {
  if (!db) return;
  await db.query(`DROP OWNED BY ${reader}; DROP ROLE ${reader}`).catch(() => undefined);
  await db.drop();
});

/** `t` by month (October, November, December hashed in two), with an object of each kind on a partition. */
function setup(t: string, withPolicy = true, withTrigger = false): string {
  return `CREATE TABLE ${t} (id bigint, at date NOT NULL, qty int, note text, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
    CREATE TABLE ${t}_10 PARTITION OF ${t} FOR VALUES FROM ('2026-10-01') TO ('2026-11-01');
    CREATE TABLE ${t}_11 PARTITION OF ${t} FOR VALUES FROM ('2026-11-01') TO ('2026-12-01');
    CREATE TABLE ${t}_12 PARTITION OF ${t} FOR VALUES FROM ('2026-12-01') TO ('2027-01-01') PARTITION BY HASH (id);
    CREATE TABLE ${t}_12_h0 PARTITION OF ${t}_12 FOR VALUES WITH (MODULUS 2, REMAINDER 0);
    CREATE TABLE ${t}_12_h1 PARTITION OF ${t}_12 FOR VALUES WITH (MODULUS 2, REMAINDER 1);
    CREATE VIEW ${t}_10_qty AS SELECT id, qty FROM ${t}_10;
    CREATE STATISTICS ${t}_10_st (dependencies) ON qty, note FROM ${t}_10;
    CREATE STATISTICS ${t}_12_st (ndistinct) ON qty, id FROM ${t}_12_h1;
    COMMENT ON STATISTICS ${t}_10_st IS 'qty and note go together';
    GRANT SELECT (qty) ON ${t}_11 TO ${reader};
    COMMENT ON COLUMN ${t}_11.qty IS 'partition col comment';
    ${withPolicy ? `ALTER TABLE ${t}_11 ENABLE ROW LEVEL SECURITY; CREATE POLICY ${t}_p11 ON ${t}_11 USING (qty > 0);` : ''}
    ${withTrigger ? `CREATE TRIGGER ${t}_11_upd BEFORE UPDATE OF qty ON ${t}_11 FOR EACH ROW EXECUTE FUNCTION touch()` : ''};
    INSERT INTO ${t} SELECT g, date '2026-10-01' + g % 90, g, 'n' FROM generate_series(1, 900) g;`;
}

/** What a user checks on each object, with `col` the column's name at that point. */
async function facts(t: string, col: string): Promise<Record<string, unknown>> {
  const [row] = await db.query<Record<string, unknown>>(
    // the view's output column keeps its name (qty) whatever the table's column is called
    `SELECT (SELECT sum(qty)::text FROM ${t}_10_qty) AS view_sum,
            (SELECT format_type(atttypid, atttypmod) FROM pg_attribute
              WHERE attrelid = '${t}_10_qty'::regclass AND attname = 'qty') AS view_type,
            (SELECT pg_get_expr(polqual, polrelid) FROM pg_policy WHERE polname = '${t}_p11') AS policy,
            (SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = '${t}_11_upd') AS trigger,
            (SELECT string_agg(pg_get_statisticsobjdef(oid), '; ' ORDER BY stxname) FROM pg_statistic_ext
              WHERE stxname IN ('${t}_10_st', '${t}_12_st')) AS stats,
            (SELECT obj_description(oid, 'pg_statistic_ext') FROM pg_statistic_ext WHERE stxname = '${t}_10_st')
              AS stats_comment,
            has_column_privilege('${reader}', '${t}_11', '${col}', 'SELECT') AS granted,
            (SELECT string_agg(attname, ',' ORDER BY attname) FROM pg_attribute
              WHERE attrelid = '${t}_11'::regclass AND attnum > 0 AND NOT attisdropped) AS columns,
            col_description('${t}_11'::regclass,
                            (SELECT attnum FROM pg_attribute WHERE attrelid = '${t}_11'::regclass AND attname = '${col}'))
              AS comment`,
  );
  return row!;
}

async function step(runner: TestRunner, phase: string): Promise<void> {
  expect(await advance(runner)).toMatchObject({ kind: 'advanced', ran: [phase] });
}

/** expand, rollback (everything as before), expand, backfill, switch, contract. */
async function lifecycle(runner: TestRunner, t: string, col: string): Promise<void> {
  const before = await facts(t, col);
  await step(runner, 'expand');
  // during the window the old column reads as before (the partitions have the new column too, and an
  // UPDATE OF trigger fires for either column: checked after contract)
  expect({ ...(await facts(t, col)), columns: before.columns, trigger: before.trigger }).toEqual(before);
  await rollback(runner);
  expect(await facts(t, col)).toEqual(before);
  for (const phase of ['expand', 'backfill', 'switch', 'contract']) await step(runner, phase);
}

async function planError(operation: object): Promise<string> {
  return withMigrations(db, { '0001_refused.json': { operations: [operation] } }, async (runner) => {
    const error = await currentPlan(runner).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error, 'the plan is refused').toBeDefined();
    return error!.message;
  });
}

describe('objects on a partition column follow the change of the partitioned table column', () => {
  it('renameColumn: the partition view, policy, UPDATE OF trigger, statistics, column privilege and comment move to the new name', async () => {
    await db.query(setup('ev', true, true));
    await db.query(`CREATE FUNCTION ev10_total() RETURNS bigint LANGUAGE plpgsql
      AS 'BEGIN RETURN (SELECT sum(qty) FROM ev_10); END'`);
    const migration = { operations: [{ op: 'renameColumn', table: 'ev', from: 'qty', to: 'quantity' }] };
    await withMigrations(db, { '0001_ev_rename.json': migration }, async (runner) => {
      const plan = JSON.stringify(await currentPlan(runner));
      expect(plan).toContain('view public.ev_10_qty');
      expect(plan).toContain('policy ev_p11 on public.ev_11');
      expect(plan).toContain('public.ev_10_st');
      expect(plan).toContain('public.ev_12_st');
      // a PL/pgSQL body naming the partition and the column: pg_depend does not track it, the plan warns
      expect(plan).toMatch(/warning: [^"]*function public\.ev10_total\(\) \(plpgsql\) names \\"qty\\"/);
      await lifecycle(runner, 'ev', 'qty');
    });
    expect(await facts('ev', 'quantity')).toEqual({
      view_sum: await sumOf('ev_10', 'quantity'),
      view_type: 'integer',
      columns: 'at,id,note,quantity',
      policy: '(quantity > 0)',
      trigger:
        'CREATE TRIGGER ev_11_upd BEFORE UPDATE OF quantity ON public.ev_11 FOR EACH ROW EXECUTE FUNCTION touch()',
      stats:
        'CREATE STATISTICS public.ev_10_st (dependencies) ON note, quantity FROM ev_10; ' +
        'CREATE STATISTICS public.ev_12_st (ndistinct) ON id, quantity FROM ev_12_h1',
      stats_comment: 'qty and note go together',
      granted: true,
      comment: 'partition col comment',
    });
    const [view] = await db.query<{ d: string }>(`SELECT pg_get_viewdef('ev_10_qty'::regclass) AS d`);
    expect(view!.d).toMatch(/quantity AS qty/);
    // the partition's UPDATE OF trigger fires for the new column (row 40 is in November)
    const [was] = await db.query<{ note: string }>(`SELECT note FROM ev WHERE id = 40`);
    const [touched] = await db.query<{ note: string }>(
      `UPDATE ev SET quantity = quantity + 1 WHERE id = 40 RETURNING note`,
    );
    expect(touched!.note).toBe(`${was!.note}+`);
  });

  it('changeColumnType: the partition view, policy, trigger, statistics, column privilege and comment are on the new column', async () => {
    await db.query(setup('lg', true, true));
    const migration = { operations: [{ op: 'changeColumnType', table: 'lg', column: 'qty', type: 'bigint' }] };
    await withMigrations(db, { '0002_lg_retype.json': migration }, async (runner) => {
      const plan = JSON.stringify(await currentPlan(runner));
      expect(plan).toContain(
        'policy lg_p11 on public.lg_11, trigger lg_11_upd on public.lg_11: read the old column(s)',
      );
      expect(plan).toContain('view public.lg_10_qty');
      expect(plan).toContain('public.lg_12_st');
      await lifecycle(runner, 'lg', 'qty');
    });
    expect(await facts('lg', 'qty')).toEqual({
      view_sum: await sumOf('lg_10', 'qty'),
      view_type: 'bigint',
      columns: 'at,id,note,qty',
      policy: '(qty > 0)',
      trigger: 'CREATE TRIGGER lg_11_upd BEFORE UPDATE OF qty ON public.lg_11 FOR EACH ROW EXECUTE FUNCTION touch()',
      stats:
        'CREATE STATISTICS public.lg_10_st (dependencies) ON note, qty FROM lg_10; ' +
        'CREATE STATISTICS public.lg_12_st (ndistinct) ON id, qty FROM lg_12_h1',
      stats_comment: 'qty and note go together',
      granted: true,
      comment: 'partition col comment',
    });
    const [type] = await db.query<{ t: string }>(`SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute
      WHERE attrelid = 'lg_11'::regclass AND attname = 'qty'`);
    expect(type!.t).toBe('bigint');
  });

  it('transformColumn with dropOld: a partition view reads the new column through down after contract', async () => {
    await db.query(`CREATE TABLE tf (id bigint, at date NOT NULL, qty int, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
      CREATE TABLE tf_10 PARTITION OF tf FOR VALUES FROM ('2026-10-01') TO ('2026-11-01');
      CREATE VIEW tf_10_qty AS SELECT id, qty FROM tf_10;
      INSERT INTO tf SELECT g, date '2026-10-01' + g % 30, g FROM generate_series(1, 300) g`);
    const migration = {
      operations: [
        {
          op: 'transformColumn',
          table: 'tf',
          from: ['qty'],
          to: [{ name: 'cents', type: 'bigint', up: 'qty * 100' }],
          down: { qty: 'cents / 100' },
          dropOld: true,
        },
      ],
    };
    await withMigrations(db, { '0004_tf_transform.json': migration }, async (runner) => {
      expect(JSON.stringify(await currentPlan(runner))).toContain('view public.tf_10_qty');
      for (const phase of ['expand', 'backfill', 'switch', 'contract']) await step(runner, phase);
    });
    const [view] = await db.query<{ d: string; s: string; t: string }>(
      `SELECT pg_get_viewdef('tf_10_qty'::regclass) AS d, (SELECT sum(qty)::text FROM tf_10_qty) AS s,
              (SELECT format_type(atttypid, atttypmod) FROM pg_attribute
                WHERE attrelid = 'tf_10_qty'::regclass AND attname = 'qty') AS t`,
    );
    expect(view).toMatchObject({ s: '45150', t: 'integer' });
    expect(view!.d).toMatch(/cents/);
  });

  it('dropColumn of a column a partition view reads is refused at plan time, naming the view', async () => {
    await db.query(setup('dr', false));
    await db.query(
      `CREATE INDEX dr_11_qty ON dr_11 (qty); ALTER TABLE dr_12_h0 ADD CONSTRAINT dr_12_h0_qty CHECK (qty >= 0)`,
    );
    const message = await planError({ op: 'dropColumn', table: 'dr', column: 'qty' });
    expect(message).toMatch(/view public\.dr_10_qty on partition public\.dr_10/);
  });

  it("a partition's own index or constraint on the column: refused for a rename, dropped with the column", async () => {
    const message = await planError({ op: 'renameColumn', table: 'dr', from: 'qty', to: 'quantity' });
    expect(message).toMatch(/index dr_11_qty on partition public\.dr_11 \(the partition's own.*drop it before/);
    expect(message).toMatch(/constraint dr_12_h0_qty on table dr_12_h0 on partition public\.dr_12_h0/);
    await db.query(`DROP VIEW dr_10_qty`);
    const migration = { operations: [{ op: 'dropColumn', table: 'dr', column: 'qty' }] };
    await withMigrations(db, { '0003_dr_drop.json': migration }, async (runner) => {
      expect(JSON.stringify(await currentPlan(runner))).toContain('index dr_11_qty (of public.dr_11)');
      for (let i = 0; i < 4; i++) await advance(runner);
    });
    const left = await db.query(`SELECT attrelid::regclass::text FROM pg_attribute WHERE attname = 'qty'
      AND attrelid::regclass::text LIKE 'dr%' AND NOT attisdropped`);
    expect(left).toEqual([]);
  });

  it("a partition's own NOT NULL on the column (the table's allows NULL): renameColumn and changeColumnType plans warn, naming the partition and the way to restore it", async () => {
    await db.query(setup('nn', false));
    await db.query(`DROP VIEW nn_10_qty; ALTER TABLE nn_11 ALTER COLUMN qty SET NOT NULL`);
    for (const [file, op, after] of [
      ['0004_nn_rename.json', { op: 'renameColumn', table: 'nn', from: 'qty', to: 'quantity' }, 'quantity'],
      ['0005_nn_retype.json', { op: 'changeColumnType', table: 'nn', column: 'qty', type: 'bigint' }, 'qty'],
    ] as const) {
      const result = await withMigrations(db, { [file]: { operations: [op] } }, (runner) => currentPlan(runner));
      expect(result.kind).toBe('planned');
      const notes = (result.kind === 'planned' ? result.plan.notes : [])
        .map((n) => n.text)
        .filter((t) => t.includes('NOT NULL of its own'));
      expect(notes).toEqual([
        expect.stringContaining(
          `warning: partition public.nn_11 has NOT NULL of its own on qty (public.nn.qty allows NULL)`,
        ),
      ]);
      expect(notes[0]).toContain(`from contract public.nn_11.${after} allows NULL`);
      expect(notes[0]).toContain(`ALTER TABLE public.nn_11 ALTER COLUMN ${after} SET NOT NULL`);
    }
  });

  it('a publication of one partition with a column list (publish_via_partition_root off and on): renameColumn, changeColumnType and dropColumn are refused at plan time, naming each publication and its partition', async () => {
    await db.query(setup('pb', false));
    await db.query(`DROP VIEW pb_10_qty;
      CREATE PUBLICATION pb_leaf FOR TABLE pb_11 (id, at, qty) WITH (publish = 'insert');
      CREATE PUBLICATION pb_root FOR TABLE pb_10 (id, at, qty) WITH (publish = 'insert', publish_via_partition_root = true)`);
    for (const op of [
      { op: 'renameColumn', table: 'pb', from: 'qty', to: 'quantity' },
      { op: 'changeColumnType', table: 'pb', column: 'qty', type: 'bigint' },
      { op: 'dropColumn', table: 'pb', column: 'qty' },
    ]) {
      const message = await planError(op);
      for (const [pub, partition] of [
        ['pb_leaf', 'pb_11'],
        ['pb_root', 'pb_10'],
      ])
        expect(message).toContain(`publication ${pub} on partition public.${partition}`);
    }
  });

  it('a materialized view on a partition (not the table): carried by renameColumn (same output names, index, grant, data), refused for dropColumn naming it', async () => {
    await db.query(setup('mv', false));
    await db.query(`DROP VIEW mv_10_qty; CREATE MATERIALIZED VIEW mv_10_sum AS SELECT id, qty FROM mv_10;
      CREATE UNIQUE INDEX mv_10_sum_id ON mv_10_sum (id); GRANT SELECT ON mv_10_sum TO ${reader}`);
    expect(await planError({ op: 'dropColumn', table: 'mv', column: 'qty' })).toContain(
      'public.mv.qty is used by view public.mv_10_sum on partition public.mv_10',
    );
    const mv = async () =>
      db.query(`SELECT (SELECT sum(qty)::text FROM mv_10_sum) AS total,
          (SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'mv_10_sum'::regclass AND attnum > 0) AS cols,
          (SELECT string_agg(indexrelid::regclass::text, ',') FROM pg_index WHERE indrelid = 'mv_10_sum'::regclass) AS indexes,
          has_table_privilege('${reader}', 'mv_10_sum', 'SELECT') AS granted,
          pg_get_viewdef('mv_10_sum'::regclass) LIKE '%quantity%' AS reads_new`);
    const before = await mv();
    expect(before).toEqual([
      { total: await sumOf('mv_10', 'qty'), cols: 'id,qty', indexes: 'mv_10_sum_id', granted: true, reads_new: false },
    ]);
    const migration = { operations: [{ op: 'renameColumn', table: 'mv', from: 'qty', to: 'quantity' }] };
    await withMigrations(db, { '0007_mv_rename.json': migration }, async (runner) => {
      await step(runner, 'expand');
      await rollback(runner);
      expect(await mv()).toEqual(before);
      for (const phase of ['expand', 'backfill', 'switch', 'contract']) await step(runner, phase);
    });
    expect(await mv()).toEqual([{ ...before[0], reads_new: true }]);
    await db.query(`REFRESH MATERIALIZED VIEW CONCURRENTLY mv_10_sum`);
  });

  it('policies with USING and WITH CHECK on the partitioned table and on a partition follow renameColumn, under old- and new-app writers; rollback exact', async () => {
    await db.query(setup('pw', false));
    await db.query(`DROP VIEW pw_10_qty; GRANT SELECT, INSERT ON pw, pw_11 TO ${reader};
      ALTER TABLE pw ENABLE ROW LEVEL SECURITY;
      CREATE POLICY pw_root ON pw FOR ALL TO ${reader} USING (qty % 2 = 0) WITH CHECK (qty < 100000);
      ALTER TABLE pw_11 ENABLE ROW LEVEL SECURITY;
      CREATE POLICY pw_p11 ON pw_11 FOR ALL TO ${reader} USING (qty % 3 = 0) WITH CHECK (qty < 50000)`);
    const writer = (name: string, column: string) => () =>
      startWorkload({
        url: db.url,
        name,
        step: (client, i) =>
          client.query(
            `INSERT INTO pw (id, at, ${column}, note) VALUES (1000000 + (random() * 1e12)::bigint, $1, $2, $3)`,
            [i % 2 === 0 ? '2026-11-05' : '2026-10-05', i % 1000, name],
          ),
      });
    const migration = { operations: [{ op: 'renameColumn', table: 'pw', from: 'qty', to: 'quantity' }] };
    await withMigrations(db, { '0008_pw_rename.json': migration }, (runner) =>
      runLifecycle({
        db,
        runner,
        tables: ['pw', 'pw_11'],
        settleMs: 50,
        oldApp: writer('old', 'qty'),
        newApp: writer('new', 'quantity'),
        check: (point) => policiesWork(point),
      }),
    );
    const [policies] = await db.query<{
      p: string;
    }>(`SELECT string_agg(polname || ': ' || pg_get_expr(polqual, polrelid)
        || ' / ' || pg_get_expr(polwithcheck, polrelid), '; ' ORDER BY polname) AS p FROM pg_policy WHERE polname LIKE 'pw_%'`);
    expect(policies!.p).toBe(
      'pw_p11: ((quantity % 3) = 0) / (quantity < 50000); pw_root: ((quantity % 2) = 0) / (quantity < 100000)',
    );
  }, 180_000);
});

/** The reader sees exactly the rows each policy's USING lets through, and WITH CHECK refuses a write through each column a client of `point` may use. */
async function policiesWork(point: LifecyclePoint): Promise<void> {
  const columns = point === 'contract' ? ['quantity'] : point === 'rollback' ? ['qty'] : ['qty', 'quantity'];
  const current = columns[0]!;
  const client = await db.pool.connect();
  try {
    const results = (await client.query(`BEGIN ISOLATION LEVEL REPEATABLE READ; SET LOCAL ROLE ${reader};
      SELECT (SELECT count(*) FROM pw)::int AS root, (SELECT count(*) FROM pw_11)::int AS part; RESET ROLE;
      SELECT (SELECT count(*) FROM pw WHERE ${current} % 2 = 0)::int AS root,
             (SELECT count(*) FROM pw_11 WHERE ${current} % 3 = 0)::int AS part; COMMIT`)) as unknown as pg.QueryResult[];
    expect(results[2]!.rows[0], `rows the policies show at ${point}`).toEqual(results[4]!.rows[0]);
    for (const column of columns) {
      for (const [table, at, value] of [
        ['pw', '2026-10-05', 100002],
        ['pw_11', '2026-11-05', 60000],
      ] as const) {
        await client.query(`BEGIN; SET LOCAL ROLE ${reader}`);
        await client.query(`INSERT INTO ${table} (id, at, ${column}) VALUES (-1, '${at}', 6)`);
        await expect(
          client.query(`INSERT INTO ${table} (id, at, ${column}) VALUES (-2, '${at}', ${value})`),
          `WITH CHECK of ${table} through ${column} at ${point}`,
        ).rejects.toThrow(/row-level security/);
        await client.query('ROLLBACK');
      }
    }
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}

async function sumOf(table: string, column: string): Promise<string> {
  const [row] = await db.query<{ s: string }>(`SELECT sum(${column})::text AS s FROM ${table}`);
  return row!.s;
}
