import { describe, expect, it } from 'vitest';
import { advance } from '../../src/runner/advance.js';
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
});
