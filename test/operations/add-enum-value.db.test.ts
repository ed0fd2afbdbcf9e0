import { describe, expect, it } from 'vitest';
import { advance } from '../../src/runner/advance.js';
import { rollback } from '../../src/runner/rollback.js';
import { pause, useLifecycleDatabase } from '../helpers/lifecycle.js';
import { tableSnapshot } from '../helpers/schema.js';
import { expectClean, stopAfterWork, startWorkload } from '../helpers/workload.js';

const life = useLifecycleDatabase(import.meta.url);

const labels = async () =>
  (
    await life.db.query<{ l: string }>(
      `SELECT enumlabel AS l FROM pg_enum WHERE enumtypid = 'ticket_status'::regtype ORDER BY enumsortorder`,
    )
  ).map((r) => r.l);

describe('addEnumValue, used by a later operation of the same migration', () => {
  it('adds the value in its own transaction before anything uses it; rollback keeps the value (Postgres cannot drop it) and restores the rest', async () => {
    const runner = await life.scenario(
      'enum_triaged',
      `CREATE TYPE ticket_status AS ENUM ('open', 'closed');
       CREATE TABLE issues (id bigserial PRIMARY KEY, name text, status ticket_status NOT NULL DEFAULT 'open');
       INSERT INTO issues (name) SELECT 'i' || g FROM generate_series(1, 200) g;`,
      [
        { op: 'addEnumValue', type: 'ticket_status', value: 'triaged', before: 'closed' },
        // Uses the new value in the same phase: it works because the value was committed in its own step.
        {
          op: 'sql',
          phase: 'expand',
          sql: `ALTER TABLE issues ALTER COLUMN status SET DEFAULT 'triaged'`,
          rollback: `ALTER TABLE issues ALTER COLUMN status SET DEFAULT 'open'`,
        },
      ],
    );
    const lockTimeout = runner.settings.lockTimeoutMs;
    const before = await tableSnapshot(life.db.pool, 'issues');
    const oldApp = startWorkload({
      url: life.db.url,
      name: 'old',
      step: (c, i) =>
        c.query(`INSERT INTO issues (name, status) VALUES ($1, $2)`, [`old${i}`, i % 2 ? 'open' : 'closed']),
    });
    const newApp = () =>
      startWorkload({
        url: life.db.url,
        name: 'new',
        step: (c, i) =>
          i % 2
            ? c.query(`INSERT INTO issues (name, status) VALUES ($1, 'triaged')`, [`new${i}`])
            : c.query(`UPDATE issues SET status = 'triaged' WHERE id = (SELECT max(id) FROM issues)`),
      });

    expect(await advance(runner)).toMatchObject({ kind: 'advanced', ran: ['expand'] });
    expect(await labels()).toEqual(['open', 'triaged', 'closed']);
    let app2 = newApp();
    await pause();
    expectClean(await stopAfterWork(app2), lockTimeout);

    await rollback(runner);
    expect(await tableSnapshot(life.db.pool, 'issues')).toEqual(before);
    // The documented exception: the value stays (rows the new version wrote may still hold it).
    expect(await labels()).toEqual(['open', 'triaged', 'closed']);

    // Expanding again is a no-op for the value (IF NOT EXISTS) and re-applies the rest.
    expect(await advance(runner)).toMatchObject({ kind: 'advanced', ran: ['expand'] });
    app2 = newApp();
    expect(await advance(runner, { until: 'switch' })).toMatchObject({ kind: 'advanced', ran: ['backfill', 'switch'] });
    await pause();
    expectClean(await stopAfterWork(oldApp), lockTimeout);
    expect(await advance(runner)).toMatchObject({ kind: 'advanced', complete: true });
    expectClean(await stopAfterWork(app2), lockTimeout);
    expect(await labels()).toEqual(['open', 'triaged', 'closed']);
    expect((await tableSnapshot(life.db.pool, 'issues')).columns[2]).toMatch(
      /^status ticket_status not null default 'triaged'::ticket_status/,
    );
    expect(await life.count(`SELECT 1 FROM issues WHERE status = 'triaged'`)).toBeGreaterThan(0);
  });
});
