import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { advance } from '../../src/runner/advance.js';
import { rollback } from '../../src/runner/rollback.js';
import { startApp } from '../helpers/apps.js';
import { pause, useLifecycleDatabase } from '../helpers/lifecycle.js';
import { tableSnapshot } from '../helpers/schema.js';
import { expectClean, stopAfterWork, startWorkload, track } from '../helpers/workload.js';

const life = useLifecycleDatabase(import.meta.url);

describe('sql operations in expand, switch and contract', () => {
  it('runs each in its phase (CONCURRENTLY outside a transaction), rolls back with the given rollback SQL, under old-app and new-app traffic', async () => {
    const runner = await life.scenario(
      'raw_sql',
      `CREATE TABLE members (id bigserial PRIMARY KEY, name text, email text, legacy_flag boolean);
       INSERT INTO members (name, email) SELECT 'm' || g, 'm' || g || '@example.com' FROM generate_series(1, 1000) g;`,
      [
        {
          op: 'sql',
          phase: 'expand',
          sql: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS members_email_idx ON members (email)',
          rollback: 'DROP INDEX CONCURRENTLY IF EXISTS members_email_idx',
        },
        {
          op: 'sql',
          phase: 'expand',
          sql: "ALTER TABLE members ADD COLUMN nickname text;\nCOMMENT ON COLUMN members.nickname IS 'shown name; may contain ;'",
          rollback: 'ALTER TABLE members DROP COLUMN IF EXISTS nickname',
          allow: ['drop-column'],
        },
        { op: 'sql', phase: 'switch', sql: 'ANALYZE members', rollback: '' },
        { op: 'sql', phase: 'contract', sql: 'ALTER TABLE members DROP COLUMN legacy_flag', allow: ['drop-column'] },
      ],
    );
    const lockTimeout = runner.settings.lockTimeoutMs;
    const before = await tableSnapshot(life.db.pool, 'members');
    const oldApp = startWorkload({
      url: life.db.url,
      name: 'old',
      step: (c, i) =>
        c.query(`INSERT INTO members (name, email, legacy_flag) VALUES ($1, $2, true)`, [
          `old${i}`,
          `o${i}@example.com`,
        ]),
    });
    const newApp = () =>
      track(
        startApp({ url: life.db.url, name: 'new', table: 'members', column: 'nickname', value: (i) => `nick${i}` }),
      );

    expect(await advance(runner)).toMatchObject({ kind: 'advanced', ran: ['expand'] });
    const expanded = await tableSnapshot(life.db.pool, 'members');
    expect(expanded.indexes).toContain('CREATE INDEX members_email_idx ON public.members USING btree (email)');
    expect(expanded.columns.some((c) => c.startsWith('nickname text'))).toBe(true);
    let app2 = newApp();
    await pause();
    expectClean(await stopAfterWork(app2), lockTimeout);
    await rollback(runner);
    expect(await tableSnapshot(life.db.pool, 'members')).toEqual(before);

    expect(await advance(runner)).toMatchObject({ kind: 'advanced', ran: ['expand'] });
    app2 = newApp();
    expect(await advance(runner, { until: 'switch' })).toMatchObject({ kind: 'advanced', ran: ['backfill', 'switch'] });
    await pause();
    expectClean(await stopAfterWork(oldApp), lockTimeout);
    expect(await advance(runner)).toMatchObject({ kind: 'advanced', ran: ['contract'], complete: true });
    await pause();
    expectClean(await stopAfterWork(app2), lockTimeout);
    const after = await tableSnapshot(life.db.pool, 'members');
    expect(after.columns.map((c) => c.split(' ')[0])).toEqual(['id', 'name', 'email', 'nickname']);
    expect(
      (
        await life.db.query<{ c: string }>(
          `SELECT col_description(attrelid, attnum) AS c FROM pg_attribute WHERE attrelid = 'members'::regclass AND attname = 'nickname'`,
        )
      )[0]!.c,
    ).toBe('shown name; may contain ;');
  });

  it('refuses a bad statement at plan time, before anything runs', async () => {
    const runner = await life.scenario('raw_sql_bad', '', [
      { op: 'sql', phase: 'expand', sql: 'ALTER TABLE members ADD COLUMN x int; SELEC 1', rollback: '' },
    ]);
    const err = await advance(runner).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues[0]).toMatchObject({
      path: 'operations[0].sql',
      message: expect.stringMatching(/does not parse: syntax error at or near "SELEC"/),
    });
    expect(await life.count(`SELECT 1 FROM pg_attribute WHERE attrelid = 'members'::regclass AND attname = 'x'`)).toBe(
      0,
    );
  });

  it('a transactional step that failed applied nothing: rollback does not run its undo (which would fail too)', async () => {
    const runner = await life.scenario('raw_sql_failing', `CREATE TABLE failing (id bigserial PRIMARY KEY)`, [
      {
        op: 'sql',
        phase: 'expand',
        sql: `ALTER TABLE failing ADD COLUMN extra int; SELECT 1 / (SELECT count(*) FROM failing)::int`,
        rollback: 'ALTER TABLE failing DROP COLUMN extra',
        allow: ['drop-column'],
      },
    ]);
    await expect(advance(runner)).rejects.toThrow(/division by zero/);
    expect(
      await life.count(`SELECT 1 FROM pg_attribute WHERE attrelid = 'failing'::regclass AND attname = 'extra'`),
    ).toBe(0);
    // Before: "column "extra" of relation "failing" does not exist", and the migration stuck.
    expect((await rollback(runner)).undone).toHaveLength(1);
    expect(await life.count(`SELECT 1 FROM zdm.migrations WHERE status = 'active'`)).toBe(0);
  });
});

describe('sql operations refused by the linter', () => {
  it('refuses a dangerous statement unless its rule is allowed', async () => {
    const runner = await life.scenario('raw_sql_lint', `CREATE TABLE lint_target (id bigserial PRIMARY KEY, v text)`, [
      { op: 'sql', phase: 'contract', sql: 'DROP TABLE lint_target' },
    ]);
    const err = await advance(runner).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues[0]).toMatchObject({
      path: 'operations[0].sql',
      message: expect.stringMatching(/refused by lint: \[drop-table\]/),
    });
    expect(await life.count(`SELECT 1 FROM pg_class WHERE oid = to_regclass('public.lint_target')`)).toBe(1);

    const allowed = await life.scenario('raw_sql_lint_allowed', '', [
      { op: 'sql', phase: 'contract', sql: 'DROP TABLE lint_target', allow: ['drop-table'] },
    ]);
    expect(await advance(allowed, { until: 'contract' })).toMatchObject({ kind: 'advanced', complete: true });
    expect(await life.count(`SELECT 1 FROM pg_class WHERE oid = to_regclass('public.lint_target')`)).toBe(0);
  });
});
