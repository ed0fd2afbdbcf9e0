import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advance } from '../../src/runner/advance.js';
import { currentPlan } from '../../src/runner/current-plan.js';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { expectRollbackFrom, runLifecycle, withMigrations, type LifecyclePoint } from '../helpers/lifecycle.js';
import { startWorkload, stopAll } from '../helpers/workload.js';

/**
 * Dependent objects follow renameColumn (issue 12): a row-level-security policy (USING and WITH
 * CHECK), a trigger with UPDATE OF and WHEN, a SQL-standard function (PG 14+) and a publication's
 * column list (PG 15+) on the renamed column keep working for the old and the new application
 * through the window and after contract, with their roles, options, grants and comments; rollback
 * restores them; a PL/pgSQL function naming the column is named in a plan warning. A materialized
 * view on the column is copied at switch on the new column and takes its place at contract, with its
 * storage options, unique index (REFRESH ... CONCURRENTLY keeps working), owner, grant and comment.
 */
let db: TestDatabase;
let reader: string;
const FIRST_OWN_ID = 1000;
beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
  reader = `${db.name}_reader`;
  await db.query(`CREATE ROLE ${reader};
    CREATE TABLE accounts (id bigserial PRIMARY KEY, email text NOT NULL, note text);
    INSERT INTO accounts (email, note) SELECT 'a' || g || CASE WHEN g % 2 = 0 THEN '@keep.test' ELSE '@drop.test' END, 'n'
      FROM generate_series(1, 200) g;
    SELECT setval('accounts_id_seq', ${FIRST_OWN_ID});
    GRANT SELECT, INSERT ON accounts TO ${reader};
    GRANT USAGE ON SEQUENCE accounts_id_seq TO ${reader};
    ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
    CREATE POLICY kept ON accounts AS PERMISSIVE FOR ALL TO ${reader}
      USING (email LIKE '%@keep.test') WITH CHECK (length(email) > 3 AND email LIKE '%@keep.test');
    CREATE TABLE email_changes (account_id bigint NOT NULL);
    CREATE FUNCTION log_email_change() RETURNS trigger LANGUAGE plpgsql AS
      $$BEGIN INSERT INTO email_changes (account_id) VALUES (NEW.id); RETURN NULL; END$$;
    CREATE TRIGGER email_changed AFTER UPDATE OF email, note ON accounts FOR EACH ROW
      WHEN (old.email IS DISTINCT FROM new.email) EXECUTE FUNCTION log_email_change();
    ALTER TABLE accounts ENABLE ALWAYS TRIGGER email_changed;
    COMMENT ON TRIGGER email_changed ON accounts IS 'audit of address changes';
    CREATE MATERIALIZED VIEW account_domains WITH (fillfactor = 70) AS
      SELECT split_part(email, '@', 2) AS domain, count(*) AS n FROM accounts GROUP BY 1;
    CREATE UNIQUE INDEX account_domains_key ON account_domains (domain);
    GRANT SELECT ON account_domains TO ${reader};
    COMMENT ON MATERIALIZED VIEW account_domains IS 'accounts per domain';
    CREATE FUNCTION account_lookup(p text) RETURNS bigint LANGUAGE plpgsql STABLE AS
      $$BEGIN RETURN (SELECT id FROM accounts WHERE email = p); END$$`);
  if (db.major >= 14)
    await db.query(`CREATE FUNCTION account_email(bigint) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
        BEGIN ATOMIC SELECT email FROM accounts WHERE id = $1; END;
      REVOKE ALL ON FUNCTION account_email(bigint) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION account_email(bigint) TO ${reader};
      COMMENT ON FUNCTION account_email(bigint) IS 'an account''s email'`);
  if (db.major >= 15) await db.query(`CREATE PUBLICATION account_feed FOR TABLE accounts (id, email, note)`);
  await createPeople();
});

/**
 * A view, a policy, a trigger and (PG 18) a virtual generated column each using two columns that
 * one migration renames, one operation each (the virtual schema rewrites each definition for the
 * second rename). No CHECK constraint: Postgres changes a virtual column's expression only on a
 * table without one (the NOT NULL check zdm adds for \`first\` is gone before).
 */
async function createPeople(): Promise<void> {
  await db.query(`CREATE TABLE people (id bigserial PRIMARY KEY, first text NOT NULL, last text, note text);
    INSERT INTO people (first, last) SELECT 'f' || g, CASE WHEN g % 3 = 0 THEN 'f' || g ELSE 'l' || g END
      FROM generate_series(1, 100) g;
    CREATE VIEW people_names AS SELECT id, first, last FROM people;
    GRANT SELECT ON people_names TO ${reader};
    GRANT SELECT, INSERT ON people TO ${reader};
    GRANT USAGE ON SEQUENCE people_id_seq TO ${reader};
    ALTER TABLE people ENABLE ROW LEVEL SECURITY;
    CREATE POLICY distinct_names ON people FOR ALL TO ${reader}
      USING (first IS DISTINCT FROM last) WITH CHECK (first IS DISTINCT FROM last);
    CREATE TABLE name_changes (person_id bigint NOT NULL);
    CREATE FUNCTION log_name_change() RETURNS trigger LANGUAGE plpgsql AS
      $$BEGIN INSERT INTO name_changes (person_id) VALUES (NEW.id); RETURN NULL; END$$;
    CREATE TRIGGER name_changed AFTER UPDATE OF first, last ON people FOR EACH ROW
      WHEN (old.first IS DISTINCT FROM new.first OR old.last IS DISTINCT FROM new.last)
      EXECUTE FUNCTION log_name_change()`);
  if (db.major >= 18)
    await db.query(`ALTER TABLE people ADD COLUMN full_name text GENERATED ALWAYS AS (first || ' ' || last) VIRTUAL;
      COMMENT ON COLUMN people.full_name IS 'first and last'`);
}
afterAll(async () => {
  await stopAll();
  if (!db) return;
  await db.query(`DROP OWNED BY ${reader}; DROP ROLE ${reader}`).catch(() => undefined);
  await db.drop();
});

/** What a user checks on each dependent: definitions, roles, options, grants, comments. */
async function facts(): Promise<Record<string, unknown>> {
  const one = async (sql: string) => (await db.query(sql))[0] ?? null;
  return {
    policy: await one(`SELECT polname, polcmd::text, polpermissive, polroles::regrole[]::text[] AS roles,
                              pg_get_expr(polqual, polrelid) AS using, pg_get_expr(polwithcheck, polrelid) AS check
                         FROM pg_policy WHERE polrelid = 'accounts'::regclass`),
    trigger: await one(`SELECT pg_get_triggerdef(oid) AS def, tgenabled::text AS enabled,
                               obj_description(oid, 'pg_trigger') AS comment
                          FROM pg_trigger WHERE tgname = 'email_changed'`),
    function:
      db.major >= 14
        ? await one(`SELECT pg_get_functiondef(oid) AS def, proacl::text[] AS acl, prosecdef, provolatile::text,
                            obj_description(oid, 'pg_proc') AS comment, proowner::regrole::text AS owner
                       FROM pg_proc WHERE proname = 'account_email'`)
        : null,
    publication: db.major >= 15 ? await publishedColumns() : null,
    matview:
      await one(`SELECT c.reloptions, pg_get_userbyid(c.relowner) AS owner, obj_description(c.oid, 'pg_class') AS comment,
                               has_table_privilege('${reader}', c.oid, 'SELECT') AS readable,
                               ARRAY(SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = c.oid) AS indexes,
                               to_regclass('account_domains_zdm') IS NOT NULL AS copy_left
                          FROM pg_class c WHERE c.oid = 'account_domains'::regclass`),
  };
}

/** The materialized view refreshes (CONCURRENTLY: its unique index is there) and then holds what its query gives on `column`. */
async function matviewWorks(column: string, point: LifecyclePoint): Promise<void> {
  await db.query(`REFRESH MATERIALIZED VIEW CONCURRENTLY account_domains`);
  const results = (await db.pool
    .query(`BEGIN ISOLATION LEVEL REPEATABLE READ; REFRESH MATERIALIZED VIEW account_domains;
    SELECT count(*)::int AS n FROM (
      (SELECT domain, n FROM account_domains EXCEPT SELECT split_part(${column}, '@', 2), count(*) FROM accounts GROUP BY 1)
      UNION ALL
      (SELECT split_part(${column}, '@', 2), count(*) FROM accounts GROUP BY 1 EXCEPT SELECT domain, n FROM account_domains)) d;
    COMMIT`)) as unknown as pg.QueryResult[];
  expect(results[2]!.rows, `rows the materialized view differs by at ${point}`).toEqual([{ n: 0 }]);
}

async function publishedColumns(): Promise<string[] | null> {
  const rows = await db.query<{ attnames: string[] }>(
    `SELECT attnames::text[] AS attnames FROM pg_publication_tables WHERE pubname = 'account_feed' AND tablename = 'accounts'`,
  );
  return rows[0]?.attnames ?? null;
}

/** An application version writing and reading `column`, as the owner and as the policy's role. */
const app = (name: string, column: string) => () =>
  startWorkload({
    url: db.url,
    name,
    step: async (client: pg.Client, i: number) => {
      try {
        return await appStep(client, i, name, column);
      } catch (e) {
        // A failed statement in BEGIN ... COMMIT leaves the transaction open: end it, report the case.
        await client.query('ROLLBACK');
        throw new Error(`query ${i % 4}: ${(e as Error).message}`, { cause: e });
      }
    },
  });

function appStep(client: pg.Client, i: number, name: string, column: string): Promise<unknown> {
  const email = `${name}${i}${i % 2 === 0 ? '@keep.test' : '@drop.test'}`;
  const id = 1 + (i % 200);
  switch (i % 4) {
    case 0:
      return client.query(`INSERT INTO accounts (${column}, note) VALUES ($1, 'x')`, [email]);
    case 1:
      return client.query(`UPDATE accounts SET ${column} = $1 WHERE id = $2`, [email, id]);
    case 2:
      return client.query(`BEGIN; SET LOCAL ROLE ${reader};
        INSERT INTO accounts (${column}) VALUES ('${name}-reader${i}@keep.test');
        SELECT count(*) FROM accounts WHERE ${column} LIKE '%@drop.test'; COMMIT`);
    default:
      if (db.major < 14) return client.query(`SELECT ${column} FROM accounts WHERE id = $1`, [id]);
      return client.query(`BEGIN; SET LOCAL ROLE ${reader}; SELECT account_email(${id}); COMMIT`);
  }
}

/** Each dependent works on the column(s) a client of this point may use. */
async function dependentsWork(point: LifecyclePoint): Promise<void> {
  const columns =
    point === 'contract' ? ['email_address'] : point === 'rollback' ? ['email'] : ['email', 'email_address'];
  const current = columns.includes('email') ? 'email' : 'email_address';
  // The policy: the role sees exactly the kept rows (one snapshot for both counts), and writes only those.
  const client = await db.pool.connect();
  try {
    const results = (await client.query(`BEGIN ISOLATION LEVEL REPEATABLE READ;
      SET LOCAL ROLE ${reader}; SELECT count(*)::int AS n FROM accounts;
      RESET ROLE; SELECT count(*)::int AS n FROM accounts WHERE ${current} LIKE '%@keep.test'; COMMIT`)) as unknown as pg.QueryResult[];
    expect(results[2]!.rows[0].n, `rows the policy shows at ${point}`).toBe(results[4]!.rows[0].n);
    await expect(
      client.query(`BEGIN; SET LOCAL ROLE ${reader}; INSERT INTO accounts (${current}) VALUES ('x@drop.test')`),
      `WITH CHECK at ${point}`,
    ).rejects.toThrow(/row-level security/);
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
  // The trigger fires once per changed value, whichever column a version updates.
  const id = (
    await db.query<{ id: string }>(`INSERT INTO accounts (${current}) VALUES ('t@keep.test') RETURNING id`)
  )[0]!.id;
  for (const column of columns) {
    const before = await db.query(`SELECT count(*)::int AS n FROM email_changes WHERE account_id = ${id}`);
    await db.query(`UPDATE accounts SET ${column} = ${column} || '.x' WHERE id = ${id}`);
    await db.query(`UPDATE accounts SET note = 'same email' WHERE id = ${id}`);
    const after = await db.query(`SELECT count(*)::int AS n FROM email_changes WHERE account_id = ${id}`);
    expect((after[0] as { n: number }).n - (before[0] as { n: number }).n, `trigger on ${column} at ${point}`).toBe(1);
  }
  await matviewWorks(current, point);
  if (db.major >= 14)
    expect(await db.query(`SELECT account_email(${id}) = ${current} AS same FROM accounts WHERE id = ${id}`)).toEqual([
      { same: true },
    ]);
}

describe('policies, triggers, SQL functions and publications follow a renamed column', () => {
  const migration = { operations: [{ op: 'renameColumn', table: 'accounts', from: 'email', to: 'email_address' }] };

  it('the plan lists each dependent and when it follows, and warns about the PL/pgSQL function', async () => {
    await withMigrations(db, { '0001_plan.json': migration }, async (runner) => {
      const plan = JSON.stringify(await currentPlan(runner));
      expect(plan).toContain('policy kept on public.accounts');
      expect(plan).toContain('trigger email_changed on public.accounts: recreated with email_address added');
      expect(plan).toMatch(/warning: function public\.account_lookup\(p text\) \(plpgsql\) names \\"email\\"/);
      expect(plan).not.toMatch(/warning: function public\.log_email_change/);
      if (db.major >= 14)
        expect(plan).toMatch(
          /function public\.account_email\(bigint\)(, publication account_feed)?: moved to email_address at switch/,
        );
      if (db.major >= 15) expect(plan).toMatch(/publication account_feed: moved to email_address at switch/);
      expect(plan).toContain('build a copy of materialized view public.account_domains reading email_address');
    });
  });

  it('rollback from switch restores every dependent', async () => {
    const before = await facts();
    await withMigrations(db, { '0002_switch_rollback.json': migration }, async (runner) => {
      await expectRollbackFrom({ db, runner, tables: ['accounts'] }, 'switch');
    });
    expect(await facts()).toEqual(before);
  });

  it('each keeps working for both versions through the window and after contract', async () => {
    const before = await facts();
    await withMigrations(db, { '0003_accounts.json': migration }, async (runner) => {
      await runLifecycle({
        db,
        runner,
        tables: ['accounts'],
        oldApp: app('old', 'email'),
        newApp: app('new', 'email_address'),
        check: async (point) => {
          await dependentsWork(point);
          if (point === 'rollback') expect(await facts()).toEqual(before);
          if (db.major >= 15 && point === 'expand') expect(await publishedColumns()).toEqual(['id', 'email', 'note']);
          if (db.major >= 15 && point === 'switch')
            expect(await publishedColumns()).toEqual(['id', 'note', 'email_address']);
        },
      });
    });
    const after = await facts();
    const renamed = JSON.parse(JSON.stringify(before).replace(/\bemail\b/g, 'email_address')) as typeof before;
    expect(after.policy).toEqual(renamed.policy);
    expect(after.trigger).toEqual(renamed.trigger);
    if (db.major >= 14)
      expect({ ...(after.function as object), def: undefined }).toEqual({
        ...(before.function as object),
        def: undefined,
      });
    if (db.major >= 14) expect((after.function as { def: string }).def).toMatch(/SELECT accounts\.email_address/);
    if (db.major >= 15) expect(after.publication).toEqual(['id', 'note', 'email_address']);
    // The copy took the materialized view's place: the same storage option, index, owner, grant and comment.
    expect(after.matview).toEqual(before.matview);
    expect(await db.query(`SELECT pg_get_viewdef('account_domains'::regclass) ~ 'email_address' AS reads_new`)).toEqual(
      [{ reads_new: true }],
    );
  });
});

/** An application version writing and reading the two name columns under its names. */
const peopleApp =
  (name: string, [first, last]: [string, string]) =>
  () =>
    startWorkload({
      url: db.url,
      name,
      step: (client: pg.Client, i: number) => {
        const id = 1 + (i % 100);
        switch (i % 3) {
          case 0:
            return client.query(`INSERT INTO people (${first}, ${last}) VALUES ($1, $2)`, [`${name}${i}`, `x${i}`]);
          case 1:
            return client.query(`UPDATE people SET ${i % 2 ? first : last} = $1 WHERE id = $2`, [`${name}${i}`, id]);
          default:
            return client.query(`SELECT ${first}, ${last} FROM people WHERE id = $1`, [id]);
        }
      },
    });

/** View, policy, trigger and virtual column agree with the columns a client of this point uses. */
async function peopleDependentsWork(point: LifecyclePoint): Promise<void> {
  const versions: [string, string][] =
    point === 'contract'
      ? [['given_name', 'family_name']]
      : point === 'rollback'
        ? [['first', 'last']]
        : [
            ['first', 'last'],
            ['given_name', 'family_name'],
          ];
  // Until contract the dependents read the old columns (the new ones are empty before the backfill).
  const [first, last] = versions[0]!;
  const differing = await db.query(`SELECT count(*)::int AS n FROM people_names v JOIN people p USING (id)
     WHERE v.first IS DISTINCT FROM p.${first} OR v.last IS DISTINCT FROM p.${last}`);
  expect(differing, `view rows differing from the table at ${point}`).toEqual([{ n: 0 }]);
  if (db.major >= 18)
    expect(
      await db.query(
        `SELECT count(*)::int AS n FROM people WHERE full_name IS DISTINCT FROM ${first} || ' ' || ${last}`,
      ),
      `virtual column at ${point}`,
    ).toEqual([{ n: 0 }]);
  const client = await db.pool.connect();
  try {
    const results = (await client.query(`BEGIN ISOLATION LEVEL REPEATABLE READ;
      SET LOCAL ROLE ${reader}; SELECT count(*)::int AS n FROM people;
      RESET ROLE; SELECT count(*)::int AS n FROM people WHERE ${first} IS DISTINCT FROM ${last}; COMMIT`)) as unknown as pg.QueryResult[];
    expect(results[2]!.rows[0].n, `rows the policy shows at ${point}`).toBe(results[4]!.rows[0].n);
    await expect(
      client.query(`BEGIN; SET LOCAL ROLE ${reader}; INSERT INTO people (${first}, ${last}) VALUES ('same', 'same')`),
      `WITH CHECK at ${point}`,
    ).rejects.toThrow(/row-level security/);
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
  const id = (
    await db.query<{ id: string }>(`INSERT INTO people (${first}, ${last}) VALUES ('t1', 't2') RETURNING id`)
  )[0]!.id;
  for (const column of versions.flat()) {
    const changes = async () =>
      (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM name_changes WHERE person_id = ${id}`))[0]!.n;
    const before = await changes();
    await db.query(`UPDATE people SET ${column} = ${column} || '.x' WHERE id = ${id}`);
    await db.query(`UPDATE people SET note = 'same names' WHERE id = ${id}`);
    expect((await changes()) - before, `trigger on ${column} at ${point}`).toBe(1);
  }
}

/** What a user reads of the dependents' definitions. */
async function peopleFacts(): Promise<Record<string, unknown>> {
  const one = async (sql: string) => (await db.query(sql))[0] ?? null;
  return {
    view: await one(`SELECT pg_get_viewdef('people_names'::regclass) AS def, relacl::text[] AS acl,
                            ARRAY(SELECT attname::text FROM pg_attribute WHERE attrelid = 'people_names'::regclass
                                   AND attnum > 0 ORDER BY attnum) AS columns
                       FROM pg_class WHERE oid = 'people_names'::regclass`),
    policy: await one(`SELECT pg_get_expr(polqual, polrelid) AS using, pg_get_expr(polwithcheck, polrelid) AS check
                         FROM pg_policy WHERE polname = 'distinct_names'`),
    trigger: await one(`SELECT pg_get_triggerdef(oid) AS def FROM pg_trigger WHERE tgname = 'name_changed'`),
    generated:
      db.major >= 18
        ? await one(`SELECT a.attnum, a.attgenerated::text AS kind, pg_get_expr(d.adbin, d.adrelid) AS expression,
                            col_description(a.attrelid, a.attnum) AS comment
                       FROM pg_attribute a JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                      WHERE a.attrelid = 'people'::regclass AND a.attname = 'full_name'`)
        : null,
  };
}

describe('dependents using two columns one migration renames follow both renames', () => {
  const migration = {
    operations: [
      { op: 'renameColumn', table: 'people', from: 'first', to: 'given_name' },
      { op: 'renameColumn', table: 'people', from: 'last', to: 'family_name' },
    ],
  };

  it('each keeps working for both versions through the window, and ends on both new columns', async () => {
    const before = await peopleFacts();
    await withMigrations(db, { '0004_people.json': migration }, async (runner) => {
      const result = await currentPlan(runner);
      const steps = result.kind === 'nothing-pending' ? [] : result.plan.steps;
      const plan = JSON.stringify(result);
      if (db.major >= 18) expect(plan).toContain('virtual generated column full_name: its expression reads');
      // Between the two contract steps the second rename's window is still open: its new column stays in UPDATE OF.
      const firstContract = steps.find((s) => s.phase === 'contract' && s.operations.includes(0));
      const created = (firstContract as { statements: string[] }).statements.filter((x) =>
        /TRIGGER name_changed/.test(x),
      );
      expect(created.join('\n')).toMatch(/UPDATE OF given_name, last, family_name ON/);
      await runLifecycle({
        db,
        runner,
        tables: ['people'],
        oldApp: peopleApp('old', ['first', 'last']),
        newApp: peopleApp('new', ['given_name', 'family_name']),
        check: async (point) => {
          await peopleDependentsWork(point);
          if (point === 'rollback') expect(await peopleFacts()).toEqual(before);
        },
      });
    });
    const renamed = JSON.parse(
      JSON.stringify(before)
        .replace(/\bfirst\b/g, 'given_name')
        .replace(/\blast\b/g, 'family_name'),
    ) as typeof before;
    const after = await peopleFacts();
    expect(after.policy).toEqual(renamed.policy);
    expect(after.trigger).toEqual(renamed.trigger);
    expect(after.view).toMatchObject({ acl: (before.view as { acl: string[] }).acl, columns: ['id', 'first', 'last'] });
    expect((after.view as { def: string }).def).toMatch(
      /(people\.)?given_name AS first,\s+(people\.)?family_name AS last/,
    );
    if (db.major >= 18)
      expect(after.generated).toEqual({
        ...(before.generated as object),
        expression: "((given_name || ' '::text) || family_name)",
      });
  });
});

describe('a renamed column of a type without an = operator', () => {
  it('json: the trigger, the backfill and the verify compare text forms; writes of both versions go through', async () => {
    await db.query(`CREATE TABLE docs (id bigserial PRIMARY KEY, body json);
      INSERT INTO docs (body) SELECT json_build_object('n', g) FROM generate_series(1, 50) g`);
    const migration = { operations: [{ op: 'renameColumn', table: 'docs', from: 'body', to: 'content' }] };
    await withMigrations(db, { '0005_docs.json': migration }, async (runner) => {
      await advance(runner, { until: 'expand' });
      // json = json does not exist: a trigger comparing with it would fail these writes.
      await db.query(`UPDATE docs SET body = '{"old": 1}' WHERE id = 1`);
      await db.query(`UPDATE docs SET content = '{"new": 2}' WHERE id = 2`);
      await db.query(`INSERT INTO docs (body) VALUES ('{"old": 3}')`);
      await advance(runner, { until: 'contract' });
    });
    expect(await db.query(`SELECT id::int, content::text FROM docs WHERE id IN (1, 2, 3, 51) ORDER BY id`)).toEqual([
      { id: 1, content: '{"old": 1}' },
      { id: 2, content: '{"new": 2}' },
      { id: 3, content: '{"n" : 3}' },
      { id: 51, content: '{"old": 3}' },
    ]);
  });

  it('changeColumnType json -> jsonb: the shadow column, then the hidden old one, compared as text', async () => {
    await db.query(`CREATE TABLE notes (id bigserial PRIMARY KEY, body json);
      INSERT INTO notes (body) SELECT json_build_object('n', g) FROM generate_series(1, 50) g`);
    const migration = { operations: [{ op: 'changeColumnType', table: 'notes', column: 'body', type: 'jsonb' }] };
    await withMigrations(db, { '0006_notes.json': migration }, async (runner) => {
      await advance(runner, { until: 'expand' });
      await db.query(`UPDATE notes SET body = '{"before": 1}' WHERE id = 1`);
      await advance(runner, { until: 'switch' });
      // After the swap the trigger derives the hidden json column and compares it: json = json does not exist.
      await db.query(`UPDATE notes SET body = '{"after": 2}' WHERE id = 2`);
      await db.query(`INSERT INTO notes (body) VALUES ('{"after": 3}')`);
      await advance(runner, { until: 'contract' });
    });
    expect(await db.query(`SELECT id::int, body FROM notes WHERE id IN (1, 2, 3, 51) ORDER BY id`)).toEqual([
      { id: 1, body: { before: 1 } },
      { id: 2, body: { after: 2 } },
      { id: 3, body: { n: 3 } },
      { id: 51, body: { after: 3 } },
    ]);
  });

  it('transformColumn into json and from json into jsonb: the trigger compares text, backfill and verify jsonb', async () => {
    await db.query(`CREATE TABLE cards (id bigserial PRIMARY KEY, n int, body json);
      INSERT INTO cards (n, body) SELECT g, json_build_object('n', g) FROM generate_series(1, 50) g`);
    const to = [
      { name: 'doc', type: 'json', up: `json_build_object('n', n)` },
      { name: 'body_b', type: 'jsonb', up: 'body' },
    ];
    const down = { n: `(doc->>'n')::int`, body: 'body_b::json' };
    const migration = { operations: [{ op: 'transformColumn', table: 'cards', from: ['n', 'body'], to, down }] };
    await withMigrations(db, { '0007_cards.json': migration }, async (runner) => {
      await advance(runner, { until: 'expand' });
      // json = json and jsonb = json do not exist: a trigger comparing with them would fail these writes.
      await db.query(`UPDATE cards SET n = 101, body = '{"old": 1}' WHERE id = 1`);
      await db.query(`UPDATE cards SET doc = '{"n": 102}', body_b = '{"new": 2}' WHERE id = 2`);
      await db.query(`INSERT INTO cards (n, body) VALUES (103, '{"old": 3}')`);
      await advance(runner, { until: 'contract' });
    });
    const rows = await db.query(`SELECT id::int, n, body::text, doc::text, body_b FROM cards WHERE id IN (1, 2, 3, 51)
      ORDER BY id`);
    expect(rows).toEqual([
      { id: 1, n: 101, body: '{"old": 1}', doc: '{"n" : 101}', body_b: { old: 1 } },
      { id: 2, n: 102, body: '{"new": 2}', doc: '{"n": 102}', body_b: { new: 2 } },
      { id: 3, n: 3, body: '{"n" : 3}', doc: '{"n" : 3}', body_b: { n: 3 } },
      { id: 51, n: 103, body: '{"old": 3}', doc: '{"n" : 103}', body_b: { old: 3 } },
    ]);
  });
});
