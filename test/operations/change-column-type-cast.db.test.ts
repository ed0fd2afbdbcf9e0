import { describe, expect, it } from 'vitest';
import { StepFailedError } from '../../src/errors.js';
import { advance } from '../../src/runner/advance.js';
import { rollback } from '../../src/runner/rollback.js';
import { startApp } from '../helpers/apps.js';
import { pause, useLifecycleDatabase } from '../helpers/lifecycle.js';
import { tableSnapshot } from '../helpers/schema.js';
import { expectClean, stopAfterWork, startWorkload, track } from '../helpers/workload.js';

const life = useLifecycleDatabase(import.meta.url);
const { scenario, count } = life;

describe('changeColumnType text -> jsonb with a cast that fails on some rows', () => {
  it('keeps the old app writing, reports the failing rows with a sample at switch, and stays resumable or roll-back-able', async () => {
    const runner = await scenario(
      'docs_jsonb',
      `CREATE TABLE docs (id bigserial PRIMARY KEY, name text, body text NOT NULL DEFAULT '{}');
       CREATE INDEX docs_body_idx ON docs (body);
       INSERT INTO docs (name, body) SELECT 'doc ' || g, '{"n": ' || g || '}' FROM generate_series(1, 2000) g;
       INSERT INTO docs (name, body) VALUES ('broken', 'not json');`,
      [
        {
          op: 'changeColumnType',
          table: 'docs',
          column: 'body',
          type: 'jsonb',
          using: 'body::jsonb',
          down: 'body::text',
        },
      ],
    );
    const lockTimeout = runner.settings.lockTimeoutMs;
    const before = await tableSnapshot(life.db.pool, 'docs');
    // The old version writes text that is not always JSON: its writes must keep working.
    const oldApp = track(
      startApp({
        url: life.db.url,
        name: 'old',
        table: 'docs',
        column: 'body',
        value: (i) => (i % 10 === 0 ? `old text ${i}` : JSON.stringify({ old: i })),
      }),
    );

    expect(await advance(runner, { until: 'backfill' })).toMatchObject({
      kind: 'advanced',
      ran: ['expand', 'backfill'],
    });
    const failed = await advance(runner).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(StepFailedError);
    const message = (failed as Error).message;
    expect(message).toMatch(/cannot be converted with `body::jsonb`/);
    expect(message).toMatch(/sample \(up to 10\):\n {2}\{"id":"?\d+"?,"body":"(not json|old text \d+)"\}/);
    const [flagged] = await life.db.query<{ bad: string; flagged: string }>(
      `SELECT count(*) FILTER (WHERE body = 'not json' OR body LIKE 'old text %') AS bad, count(*) FILTER (WHERE public.zdm_check_docs_body(docs.*) IS NOT NULL) AS flagged FROM docs`,
    );
    expect(flagged!.flagged).toBe(flagged!.bad);
    expect(message).toMatch(/zdm_check_docs_body\(docs\.\*\) AS error/);

    // Roll-back-able: the table is exactly as before, while the old app keeps writing.
    await rollback(runner);
    expect(await tableSnapshot(life.db.pool, 'docs')).toEqual(before);

    // Resumable: expand again, fix the data, advance from where it stopped.
    expect(await advance(runner, { until: 'backfill' })).toMatchObject({
      kind: 'advanced',
      ran: ['expand', 'backfill'],
    });
    await expect(advance(runner)).rejects.toThrow(/cannot be converted/);
    expectClean(await stopAfterWork(oldApp), lockTimeout);
    await life.db.query(
      `UPDATE docs SET body = to_jsonb(body)::text WHERE public.zdm_check_docs_body(docs.*) IS NOT NULL`,
    );
    expect(await advance(runner)).toMatchObject({ kind: 'advanced', ran: ['switch'] });
    const newApp = track(
      startApp({
        url: life.db.url,
        name: 'new',
        table: 'docs',
        column: 'body',
        value: (i) => JSON.stringify({ v: i }),
      }),
    );
    await pause();
    expect(await count(`SELECT 1 FROM docs WHERE body_zdm_old::jsonb IS DISTINCT FROM body`)).toBe(0);
    expect(await advance(runner)).toMatchObject({ kind: 'advanced', ran: ['contract'], complete: true });
    await pause();
    expectClean(await stopAfterWork(newApp), lockTimeout);

    const after = await tableSnapshot(life.db.pool, 'docs');
    expect(after.columns.map((c) => c.split(' collation')[0])).toEqual([
      "id bigint not null default nextval('docs_id_seq'::regclass)",
      'name text',
      "body jsonb not null default ('{}'::text)::jsonb",
    ]);
    expect(after.indexes).toContain('CREATE INDEX docs_body_idx ON public.docs USING btree (body)');
    expect([...after.triggers, ...after.functions]).toEqual([]);
    expect(await count(`SELECT 1 FROM docs WHERE body IS NULL`)).toBe(0);
  });
});

describe('changeColumnType varchar(50) -> text, done directly', () => {
  it('changes the type in expand without rewriting the table, under traffic; rollback restores varchar(50)', async () => {
    const runner = await scenario(
      'notes_text',
      `CREATE TABLE notes (id bigserial PRIMARY KEY, name text, title varchar(50) COLLATE "C" NOT NULL DEFAULT 'untitled');
       CREATE INDEX notes_title_idx ON notes (title);
       INSERT INTO notes (title) SELECT 'note ' || g FROM generate_series(1, 2000) g;`,
      [{ op: 'changeColumnType', table: 'notes', column: 'title', type: 'text' }],
    );
    const lockTimeout = runner.settings.lockTimeoutMs;
    const before = await tableSnapshot(life.db.pool, 'notes');
    const file = async () =>
      (await life.db.query<{ f: string }>(`SELECT pg_relation_filenode('notes')::text AS f`))[0]!.f;
    const fileBefore = await file();
    const app = startWorkload({
      url: life.db.url,
      name: 'app',
      step: (c, i) => c.query(`INSERT INTO notes (title) VALUES ($1)`, [`t${i}`]),
    });

    expect(await advance(runner)).toMatchObject({ kind: 'advanced', ran: ['expand'] });
    expect((await tableSnapshot(life.db.pool, 'notes')).columns[2]).toMatch(
      /^title text not null default 'untitled'::character varying collation \d+$/,
    );
    expect(await file()).toBe(fileBefore);
    await rollback(runner);
    expect(await tableSnapshot(life.db.pool, 'notes')).toEqual(before);

    expect(await advance(runner, { until: 'contract' })).toMatchObject({ kind: 'advanced', complete: true });
    const newApp = startWorkload({
      url: life.db.url,
      name: 'new',
      step: (c, i) =>
        c.query(`INSERT INTO notes (title) VALUES ($1)`, [
          `a much longer title than fifty characters would have allowed, number ${i}`,
        ]),
    });
    await pause();
    expectClean(await stopAfterWork(app), lockTimeout);
    expectClean(await stopAfterWork(newApp), lockTimeout);
    const after = await tableSnapshot(life.db.pool, 'notes');
    expect(after.indexes).toEqual(before.indexes);
    // Same collation ("C") as before: ALTER ... TYPE without COLLATE would have reset it.
    expect(after.columns[2]!.split(' collation ')[1]).toBe(before.columns[2]!.split(' collation ')[1]);
  });
});
