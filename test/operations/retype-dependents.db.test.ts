import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advance } from '../../src/runner/advance.js';
import { currentPlan } from '../../src/runner/current-plan.js';
import { rollback } from '../../src/runner/rollback.js';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { expectRollbackFrom, runLifecycle, withMigrations, type LifecyclePoint } from '../helpers/lifecycle.js';
import { startWorkload, stopAll } from '../helpers/workload.js';

/**
 * Row-level-security policies and triggers follow changeColumnType's shadow column (issue 12): a
 * policy on `tenant_id` (USING and WITH CHECK) keeps filtering, and an audit trigger (UPDATE OF,
 * WHEN) keeps firing once per change, for the old and the new application through the window and
 * after contract, with the same roles, command, expressions, definition, enabled state and comment,
 * on a plain table and on a partitioned one (a policy on the parent and one on a partition);
 * rollback leaves them as they were; a policy whose expression does not apply to the new type fails
 * the switch, not contract.
 */
let db: TestDatabase;
let reader: string;
beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
  reader = `${db.name}_tenant`;
  await db.query(`CREATE ROLE ${reader};
    CREATE TABLE members (id bigserial PRIMARY KEY, tenant_id int NOT NULL, name text);
    INSERT INTO members (tenant_id, name) SELECT 1 + g % 5, 'm' || g FROM generate_series(1, 300) g;
    GRANT SELECT, INSERT, UPDATE ON members TO ${reader};
    GRANT USAGE ON SEQUENCE members_id_seq TO ${reader};
    ALTER TABLE members ENABLE ROW LEVEL SECURITY;
    CREATE POLICY own_tenant ON members AS PERMISSIVE FOR ALL TO ${reader}
      USING (tenant_id = current_setting('app.tenant')::int)
      WITH CHECK (tenant_id = current_setting('app.tenant')::int AND tenant_id > 0);
    CREATE TABLE moves (member_id bigint NOT NULL, from_tenant bigint, to_tenant bigint);
    CREATE FUNCTION log_move() RETURNS trigger LANGUAGE plpgsql AS
      $$BEGIN INSERT INTO moves VALUES (NEW.id, OLD.tenant_id, NEW.tenant_id); RETURN NULL; END$$;
    CREATE TRIGGER tenant_moved AFTER UPDATE OF tenant_id ON members FOR EACH ROW
      WHEN (old.tenant_id IS DISTINCT FROM new.tenant_id) EXECUTE FUNCTION log_move();
    ALTER TABLE members ENABLE ALWAYS TRIGGER tenant_moved;
    COMMENT ON TRIGGER tenant_moved ON members IS 'audit of tenant moves'`);
  if (db.major >= 14)
    await db.query(`CREATE FUNCTION tenant_size(t int) RETURNS bigint LANGUAGE sql STABLE
        BEGIN ATOMIC SELECT count(*) FROM members WHERE tenant_id = t; END;
      GRANT EXECUTE ON FUNCTION tenant_size(int) TO ${reader};
      COMMENT ON FUNCTION tenant_size(int) IS 'members of a tenant'`);
  if (db.major >= 15)
    await db.query(`CREATE PUBLICATION member_feed FOR TABLE members (id, tenant_id, name) WHERE (tenant_id > 0)
      WITH (publish = 'insert')`);
});
afterAll(async () => {
  await stopAll();
  if (!db) return;
  await db.query(`DROP OWNED BY ${reader}; DROP ROLE ${reader}`).catch(() => undefined);
  await db.drop();
});

const policies = (table: string) =>
  db.query(
    `SELECT tablename, policyname, permissive, roles::text[] AS roles, cmd, qual, with_check
       FROM pg_policies WHERE tablename LIKE $1 ORDER BY tablename, policyname`,
    [table],
  );
const triggerFacts = () =>
  db.query(
    `SELECT pg_get_triggerdef(t.oid) AS definition, t.tgenabled::text AS enabled,
            obj_description(t.oid, 'pg_trigger') AS comment
       FROM pg_trigger t WHERE t.tgrelid = 'members'::regclass AND NOT t.tgisinternal AND t.tgname = 'tenant_moved'`,
  );
/** The function (PG 14+) and the publication (PG 15+), as a user checks them (the published columns as a set:
 * Postgres lists them in column order, and the retyped column ends last). */
const feedFacts = async () => ({
  fn:
    db.major >= 14
      ? await db.query(`SELECT pg_get_userbyid(proowner) AS owner, obj_description(oid, 'pg_proc') AS comment,
                 has_function_privilege('${reader}', oid, 'EXECUTE') AS callable, prosrc, pg_get_function_result(oid) AS result
            FROM pg_proc WHERE proname = 'tenant_size'`)
      : null,
  pub:
    db.major >= 15
      ? await db.query(
          `SELECT ARRAY(SELECT unnest(attnames) ORDER BY 1)::text[] AS columns, rowfilter
               FROM pg_publication_tables WHERE pubname = 'member_feed'`,
        )
      : null,
});
const columnType = (table: string) =>
  db.query<{ t: string }>(
    `SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute
      WHERE attrelid = $1::regclass AND attname = 'tenant_id'`,
    [table],
  );

/** An application version: as the tenant's role it inserts and reads its rows; as the owner it moves rows. */
const app = (name: string) => () =>
  startWorkload({
    url: db.url,
    name,
    step: async (client: pg.Client, i: number) => {
      const tenant = 1 + (i % 5);
      try {
        if (i % 3 === 2) return await client.query(`UPDATE members SET name = $1 WHERE id = $2`, [name + i, 1 + i]);
        return await client.query(`BEGIN; SET LOCAL ROLE ${reader}; SET LOCAL app.tenant = '${tenant}';
          INSERT INTO members (tenant_id, name) VALUES (${tenant}, '${name}${i}');
          SELECT count(*) FROM members; COMMIT`);
      } catch (e) {
        await client.query('ROLLBACK');
        throw e;
      }
    },
  });

/** As the tenant's role: exactly its tenant's rows (one snapshot for both counts), and writes only for it. */
async function policyWorks(point: LifecyclePoint | 'start'): Promise<void> {
  const client = await db.pool.connect();
  try {
    const results = (await client.query(`BEGIN ISOLATION LEVEL REPEATABLE READ;
      SET LOCAL ROLE ${reader}; SET LOCAL app.tenant = '3'; SELECT count(*)::int AS n FROM members;
      RESET ROLE; SELECT count(*)::int AS n FROM members WHERE tenant_id = 3; COMMIT`)) as unknown as pg.QueryResult[];
    expect(results[3]!.rows[0].n, `rows the policy shows at ${point}`).toBeGreaterThan(0);
    expect(results[3]!.rows[0].n, `rows the policy shows at ${point}`).toBe(results[5]!.rows[0].n);
    await expect(
      client.query(`BEGIN; SET LOCAL ROLE ${reader}; SET LOCAL app.tenant = '3';
        INSERT INTO members (tenant_id, name) VALUES (4, 'intruder')`),
      `WITH CHECK at ${point}`,
    ).rejects.toThrow(/row-level security/);
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
  // The trigger: one row per change of the tenant, none for another column's update.
  const moves = async () =>
    (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM moves WHERE member_id = 7`))[0]!.n;
  const before = await moves();
  await db.query(`UPDATE members SET tenant_id = tenant_id % 5 + 1 WHERE id = 7`);
  await db.query(`UPDATE members SET name = name || '.' WHERE id = 7`);
  await db.query(`UPDATE members SET tenant_id = tenant_id WHERE id = 7`);
  expect(await moves(), `trigger at ${point}`).toBe(before + 1);
  // The function counts the tenant's rows, whichever column it reads at this point.
  if (db.major >= 14) {
    const [row] = await db.query<{ fn: string; n: string }>(
      `SELECT tenant_size(2)::text AS fn, (SELECT count(*) FROM members WHERE tenant_id = 2)::text AS n`,
    );
    expect(row!.fn, `function at ${point}`).toBe(row!.n);
  }
}

describe('changeColumnType on a column a policy and a trigger read', () => {
  it('the policy keeps filtering and the trigger firing through the window, rollback and contract, on the new type', async () => {
    const before = await policies('members');
    const trigger = await triggerFacts();
    expect(trigger).toHaveLength(1);
    const feed = await feedFacts();
    await policyWorks('start');
    const migration = {
      operations: [{ op: 'changeColumnType', table: 'members', column: 'tenant_id', type: 'bigint' }],
    };
    await withMigrations(db, { '0001_members_bigint.json': migration }, async (runner) => {
      const plan = JSON.stringify(await currentPlan(runner));
      const note = /"text":"([^"]*): read the old column\(s\) until the swap/.exec(plan)?.[1];
      expect(note).toContain('policy own_tenant on public.members');
      expect(note).toContain('trigger tenant_moved on public.members');
      if (db.major >= 14) expect(note).toContain('function public.tenant_size');
      if (db.major >= 15) expect(note).toContain('publication member_feed');
      await runLifecycle({
        db,
        runner,
        tables: ['members'],
        oldApp: app('old'),
        newApp: app('new'),
        check: policyWorks,
      });
    });
    expect(await columnType('members')).toEqual([{ t: 'bigint' }]);
    expect(await policies('members')).toEqual(before);
    expect(await triggerFacts()).toEqual(trigger);
    expect(await feedFacts()).toEqual(feed);
    await policyWorks('contract');
  });

  it("on a partitioned table: the parent's policy and a partition's own follow; rollback from switch restores both", async () => {
    await db.query(`CREATE TABLE ledger (id bigint, tenant_id int NOT NULL, booked date NOT NULL, PRIMARY KEY (id, booked))
        PARTITION BY RANGE (booked);
      CREATE TABLE ledger_h1 PARTITION OF ledger FOR VALUES FROM ('2026-01-01') TO ('2026-07-01');
      CREATE TABLE ledger_h2 PARTITION OF ledger FOR VALUES FROM ('2026-07-01') TO ('2027-01-01');
      INSERT INTO ledger SELECT g, 1 + g % 4, date '2026-01-01' + g % 360 FROM generate_series(1, 400) g;
      GRANT SELECT ON ledger, ledger_h2 TO ${reader};
      ALTER TABLE ledger ENABLE ROW LEVEL SECURITY;
      ALTER TABLE ledger_h2 ENABLE ROW LEVEL SECURITY;
      CREATE POLICY ledger_tenant ON ledger TO ${reader} USING (tenant_id = current_setting('app.tenant')::int);
      CREATE POLICY h2_tenant ON ledger_h2 FOR SELECT TO ${reader} USING (tenant_id <= 2)`);
    const before = await policies('ledger%');
    expect(before).toHaveLength(2);
    const visible = async () =>
      db.query(`BEGIN; SET LOCAL ROLE ${reader}; SET LOCAL app.tenant = '2';
        SELECT (SELECT count(*)::int FROM ledger) AS parent, (SELECT count(*)::int FROM ledger_h2) AS h2; COMMIT`);
    const seen = await visible();
    const migration = {
      operations: [{ op: 'changeColumnType', table: 'ledger', column: 'tenant_id', type: 'bigint' }],
    };
    await withMigrations(db, { '0002_ledger_bigint.json': migration }, async (runner) => {
      await expectRollbackFrom({ db, runner, tables: ['ledger', 'ledger_h1', 'ledger_h2'] }, 'switch');
      expect(await policies('ledger%')).toEqual(before);
      expect(await advance(runner, { until: 'contract' })).toMatchObject({ kind: 'advanced', complete: true });
    });
    expect(await columnType('ledger_h2')).toEqual([{ t: 'bigint' }]);
    expect(await policies('ledger%')).toEqual(before);
    expect(await visible()).toEqual(seen);
  });

  it('a policy whose expression does not apply to the new type fails the switch, which rollback undoes', async () => {
    await db.query(`CREATE TABLE badges (id bigserial PRIMARY KEY, level int NOT NULL);
      INSERT INTO badges (level) SELECT g FROM generate_series(1, 50) g;
      ALTER TABLE badges ENABLE ROW LEVEL SECURITY;
      CREATE POLICY even_levels ON badges TO ${reader} USING (level % 2 = 0)`);
    const before = await policies('badges');
    const migration = {
      operations: [{ op: 'changeColumnType', table: 'badges', column: 'level', type: 'text', using: 'level::text' }],
    };
    await withMigrations(db, { '0003_badges_text.json': migration }, async (runner) => {
      await advance(runner, { until: 'backfill' });
      await expect(advance(runner, { until: 'switch' })).rejects.toThrow(/operator does not exist: text % integer/);
      await rollback(runner);
    });
    expect(await policies('badges')).toEqual(before);
    expect(
      await db.query(`SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute
      WHERE attrelid = 'badges'::regclass AND attname = 'level'`),
    ).toEqual([{ t: 'integer' }]);
  });
});
