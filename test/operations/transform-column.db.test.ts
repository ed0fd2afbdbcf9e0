import { describe, expect, it } from 'vitest';
import { advance } from '../../src/runner/advance.js';
import { rollback } from '../../src/runner/rollback.js';
import { pause, useLifecycleDatabase } from '../helpers/lifecycle.js';
import { tableSnapshot } from '../helpers/schema.js';
import { expectClean, stopAfterWork, startWorkload } from '../helpers/workload.js';

const life = useLifecycleDatabase(import.meta.url);

const outOfStep = (rows = 'true') =>
  `SELECT 1 FROM people WHERE (${rows}) AND (first_name IS DISTINCT FROM split_part(name, ' ', 1) OR last_name IS DISTINCT FROM nullif(split_part(name, ' ', 2), ''))`;

describe('transformColumn people.name -> first_name + last_name', () => {
  it('expand -> rollback -> expand -> backfill -> switch -> contract, old app writing name, new app writing first/last', async () => {
    const runner = await life.scenario(
      'split_name',
      `CREATE TABLE people (id bigserial PRIMARY KEY, name text NOT NULL, email text);
       CREATE INDEX people_name_idx ON people (name);
       INSERT INTO people (name, email) SELECT 'First' || g || ' Last' || g, 'p' || g || '@example.com' FROM generate_series(1, 3000) g;`,
      [
        {
          op: 'transformColumn',
          table: 'people',
          from: ['name'],
          to: [
            { name: 'first_name', type: 'text', up: "split_part(name, ' ', 1)", nullable: false },
            { name: 'last_name', type: 'text', up: "nullif(split_part(name, ' ', 2), '')" },
          ],
          down: { name: "first_name || coalesce(' ' || last_name, '')" },
          dropOld: true,
        },
      ],
    );
    const lockTimeout = runner.settings.lockTimeoutMs;
    const before = await tableSnapshot(life.db.pool, 'people');
    const recent = `(SELECT id FROM people ORDER BY id DESC OFFSET (random() * 40)::int LIMIT 1)`;
    const oldApp = startWorkload({
      url: life.db.url,
      name: 'old',
      step: (c, i) =>
        i % 3 === 0
          ? c.query(`INSERT INTO people (name) VALUES ($1)`, [`Old${i} Writer${i}`])
          : i % 3 === 1
            ? c.query(`UPDATE people SET name = $1 WHERE id = ${recent}`, [`Upd${i} Old${i}`])
            : c.query(`SELECT name FROM people WHERE id = ${recent}`),
    });
    const newApp = () =>
      startWorkload({
        url: life.db.url,
        name: 'new',
        step: (c, i) =>
          i % 3 === 0
            ? c.query(`INSERT INTO people (first_name, last_name) VALUES ($1, $2)`, [`New${i}`, `Writer${i}`])
            : i % 3 === 1
              ? c.query(`UPDATE people SET first_name = $1 WHERE id = ${recent}`, [`Renamed${i}`])
              : c.query(`SELECT first_name, last_name FROM people WHERE id = ${recent}`),
      });

    expect(await advance(runner)).toMatchObject({ kind: 'advanced', ran: ['expand'] });
    let app2 = newApp();
    await pause(600);
    expect(await life.count(outOfStep('first_name IS NOT NULL'))).toBe(0);
    expectClean(await stopAfterWork(app2), lockTimeout);
    await rollback(runner);
    expect(await tableSnapshot(life.db.pool, 'people')).toEqual(before);

    expect(await advance(runner)).toMatchObject({ kind: 'advanced', ran: ['expand'] });
    app2 = newApp();
    expect(await advance(runner)).toMatchObject({ kind: 'advanced', ran: ['backfill'] });
    await pause();
    expect(await life.count(outOfStep())).toBe(0);
    expect(await advance(runner)).toMatchObject({ kind: 'advanced', ran: ['switch'] });
    await pause();
    expect(await life.count(outOfStep())).toBe(0);
    expect(await life.count(`SELECT 1 FROM people WHERE name IS NULL OR first_name IS NULL`)).toBe(0);

    expectClean(await stopAfterWork(oldApp), lockTimeout);
    expect(await advance(runner)).toMatchObject({ kind: 'advanced', ran: ['contract'], complete: true });
    await pause();
    expectClean(await stopAfterWork(app2), lockTimeout);
    const after = await tableSnapshot(life.db.pool, 'people');
    expect(after.columns.map((c) => c.split(' collation')[0])).toEqual([
      "id bigint not null default nextval('people_id_seq'::regclass)",
      'email text',
      'first_name text not null',
      'last_name text',
    ]);
    expect(after.indexes).toEqual(['CREATE UNIQUE INDEX people_pkey ON public.people USING btree (id)']);
    expect([...after.triggers, ...after.functions, ...after.constraints.filter((c) => c.includes('zdm'))]).toEqual([]);
    expect(await life.count(`SELECT 1 FROM people WHERE first_name = 'First7' AND last_name = 'Last7'`)).toBe(1);
  });
});
