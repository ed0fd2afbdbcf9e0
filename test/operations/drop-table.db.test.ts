import { describe, expect, it } from 'vitest';
import { advance } from '../../src/runner/advance.js';
import { currentPlan } from '../../src/runner/current-plan.js';
import { rollback } from '../../src/runner/rollback.js';
import { pause, useLifecycleDatabase } from '../helpers/lifecycle.js';
import { tableSnapshot } from '../helpers/schema.js';
import { expectClean, stopAfterWork, startWorkload } from '../helpers/workload.js';

const life = useLifecycleDatabase(import.meta.url);

describe('dropTable', () => {
  it('leaves the table to the old app until contract, then drops it', async () => {
    const runner = await life.scenario(
      'drop_sessions',
      `CREATE TABLE accounts (id bigserial PRIMARY KEY, name text);
       CREATE TABLE legacy_sessions (id bigserial PRIMARY KEY, account_id bigint REFERENCES accounts (id), token text NOT NULL);
       INSERT INTO accounts (name) SELECT 'a' || g FROM generate_series(1, 100) g;
       INSERT INTO legacy_sessions (account_id, token) SELECT 1 + g % 100, md5(g::text) FROM generate_series(1, 1000) g;`,
      [{ op: 'dropTable', table: 'legacy_sessions' }],
    );
    const lockTimeout = runner.settings.lockTimeoutMs;
    const before = {
      sessions: await tableSnapshot(life.db.pool, 'legacy_sessions'),
      accounts: await tableSnapshot(life.db.pool, 'accounts'),
    };
    // The old version still uses legacy_sessions; the new one only accounts.
    const oldApp = startWorkload({
      url: life.db.url,
      name: 'old',
      step: (c, i) =>
        c.query(`INSERT INTO legacy_sessions (account_id, token) VALUES ((SELECT max(id) FROM accounts), $1)`, [
          `t${i}`,
        ]),
    });
    const newApp = startWorkload({
      url: life.db.url,
      name: 'new',
      step: (c, i) => c.query(`INSERT INTO accounts (name) VALUES ($1)`, [`n${i}`]),
    });

    expect(await advance(runner)).toMatchObject({ kind: 'advanced', ran: ['expand'] });
    await pause();
    await rollback(runner);
    expect({
      sessions: await tableSnapshot(life.db.pool, 'legacy_sessions'),
      accounts: await tableSnapshot(life.db.pool, 'accounts'),
    }).toEqual(before);
    expect(await advance(runner, { until: 'switch' })).toMatchObject({
      kind: 'advanced',
      ran: ['expand', 'backfill', 'switch'],
    });
    await pause();
    expect(await tableSnapshot(life.db.pool, 'legacy_sessions')).toEqual(before.sessions);

    expectClean(await stopAfterWork(oldApp), lockTimeout);
    expect(await advance(runner)).toMatchObject({ kind: 'advanced', ran: ['contract'], complete: true });
    await pause();
    expectClean(await stopAfterWork(newApp), lockTimeout);
    expect((await tableSnapshot(life.db.pool, 'legacy_sessions')).relation).toEqual([]);
    expect(await life.count(`SELECT 1 FROM pg_class WHERE relname = 'legacy_sessions_id_seq'`)).toBe(0);
    expect(await tableSnapshot(life.db.pool, 'accounts')).toEqual(before.accounts);
  });

  it('refuses at plan time what uses the table as a whole, naming each; a sql operation dropping them first unblocks it', async () => {
    // None of these depends on a column: the views, rules and functions read the table or its row
    // type, archive.snapshot is of that type, tickets.id's default uses its sequence. DROP TABLE
    // without CASCADE fails on each.
    const runner = await life.scenario(
      'drop_orders_refused',
      `CREATE TABLE old_orders (id bigserial PRIMARY KEY, total int);
       INSERT INTO old_orders (total) SELECT g FROM generate_series(1, 20) g;
       CREATE VIEW old_order_count AS SELECT count(*) AS n FROM old_orders;
       CREATE FUNCTION all_old_orders() RETURNS SETOF old_orders LANGUAGE sql AS 'SELECT * FROM old_orders';
       CREATE TABLE archive (id int, snapshot old_orders);
       CREATE TABLE tickets (id bigint DEFAULT nextval('old_orders_id_seq'), body text);
       CREATE RULE tickets_count AS ON INSERT TO tickets DO ALSO SELECT count(*) FROM old_orders;`,
      [{ op: 'dropTable', table: 'old_orders' }],
    );
    const refused = await currentPlan(runner).then(
      () => 'planned',
      (e: unknown) => (e as Error).message,
    );
    for (const object of [
      'view public.old_order_count',
      'function public.all_old_orders()',
      'column snapshot of table public.archive',
      'default value for column id of table public.tickets',
      'rule tickets_count on table public.tickets',
    ])
      expect(refused).toContain(object);
    expect(refused).toMatch(/operations\[0\].*public\.old_orders is used by .*DROP TABLE would need CASCADE/s);
    expect(refused).toContain('e.g. DROP VIEW public.old_order_count; DROP FUNCTION public.all_old_orders()');

    const fixed = await life.scenario('drop_orders_after_sql', '', [
      {
        op: 'sql',
        phase: 'contract',
        allow: ['drop-column'],
        sql: `DROP VIEW old_order_count; DROP FUNCTION all_old_orders(); ALTER TABLE archive DROP COLUMN snapshot;
              ALTER TABLE tickets ALTER COLUMN id DROP DEFAULT; DROP RULE tickets_count ON tickets`,
      },
      { op: 'dropTable', table: 'old_orders' },
    ]);
    expect(await advance(fixed, { until: 'switch' })).toMatchObject({ kind: 'advanced' });
    expect(await advance(fixed)).toMatchObject({ kind: 'advanced', ran: ['contract'], complete: true });
    expect(await life.count(`SELECT 1 FROM pg_class WHERE relname IN ('old_orders', 'old_order_count')`)).toBe(0);
  });
});
