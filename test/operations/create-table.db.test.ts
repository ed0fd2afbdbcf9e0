import { describe, expect, it } from 'vitest';
import { advance } from '../../src/runner/advance.js';
import { rollback } from '../../src/runner/rollback.js';
import { pause, useLifecycleDatabase } from '../helpers/lifecycle.js';
import { tableSnapshot } from '../helpers/schema.js';
import { expectClean, stopAfterWork, startWorkload } from '../helpers/workload.js';

const life = useLifecycleDatabase(import.meta.url);

describe('createTable, and a second table referencing it in the same migration (named table constraints too)', () => {
  it('expand -> rollback -> expand -> backfill -> switch -> contract while the old app writes users and the new app writes the new tables', async () => {
    const runner = await life.scenario(
      'audit',
      `CREATE TABLE users (id bigserial PRIMARY KEY, name text, email text);
       INSERT INTO users (name) SELECT 'u' || g FROM generate_series(1, 500) g;`,
      [
        {
          op: 'createTable',
          table: 'audit_log',
          columns: [
            { name: 'id', type: 'bigint', primaryKey: true, identity: 'always' },
            {
              name: 'user_id',
              type: 'bigint',
              nullable: false,
              references: { table: 'users', column: 'id', onDelete: 'cascade' },
            },
            { name: 'action', type: 'text', nullable: false, check: "action <> ''" },
            { name: 'at', type: 'timestamptz', nullable: false, default: 'now()' },
          ],
        },
        {
          op: 'createTable',
          table: 'audit_tags',
          columns: [
            {
              name: 'entry_id',
              type: 'bigint',
              primaryKey: true,
              references: { table: 'audit_log', column: 'id', onDelete: 'cascade' },
            },
            { name: 'tag', type: 'varchar(20)', unique: true },
          ],
          constraints: [
            { type: 'check', name: 'tag_not_blank', expression: "tag <> ''" },
            { type: 'unique', name: 'tag_with_entry', columns: ['tag'], include: ['entry_id'] },
            { type: 'exclude', name: 'one_tag', method: 'btree', elements: ['tag WITH ='], where: "tag <> 'none'" },
          ],
        },
      ],
    );
    const lockTimeout = runner.settings.lockTimeoutMs;
    const before = await tableSnapshot(life.db.pool, 'users');
    const oldApp = startWorkload({
      url: life.db.url,
      name: 'old',
      step: (c, i) =>
        i % 2
          ? c.query(`INSERT INTO users (name) VALUES ($1)`, [`old${i}`])
          : c.query(`UPDATE users SET email = $1 WHERE id = (SELECT max(id) FROM users)`, [`e${i}`]),
    });
    const newApp = () =>
      startWorkload({
        url: life.db.url,
        name: 'new',
        step: async (c, i) => {
          const { rows } = await c.query<{ id: string }>(
            `INSERT INTO audit_log (user_id, action) VALUES ((SELECT max(id) FROM users), $1) RETURNING id`,
            [`act${i}`],
          );
          if (i % 5 === 0)
            await c.query(`INSERT INTO audit_tags (entry_id, tag) VALUES ($1, $2)`, [rows[0]!.id, `t${i}`]);
        },
      });

    expect(await advance(runner)).toMatchObject({ kind: 'advanced', ran: ['expand'] });
    let app2 = newApp();
    await pause();
    expectClean(await stopAfterWork(app2), lockTimeout);
    expect((await rollback(runner)).undone).toEqual([
      'create_table:public.audit_tags:expand:1',
      'create_table:public.audit_log:expand:1',
    ]);
    // (zdm's own state has a table zdm.audit_log: look in public only.)
    expect(
      await life.db.query(`SELECT to_regclass('public.audit_log') AS log, to_regclass('public.audit_tags') AS tags`),
    ).toEqual([{ log: null, tags: null }]);
    expect(await tableSnapshot(life.db.pool, 'users')).toEqual(before);

    expect(await advance(runner)).toMatchObject({ kind: 'advanced', ran: ['expand'] });
    app2 = newApp();
    await pause();
    expect(await advance(runner, { until: 'contract' })).toMatchObject({ kind: 'advanced', complete: true });
    await pause();
    expectClean(await stopAfterWork(oldApp), lockTimeout);
    expectClean(await stopAfterWork(app2), lockTimeout);

    const log = await tableSnapshot(life.db.pool, 'audit_log');
    expect(log.columns.map((c) => c.split(' collation')[0])).toEqual([
      'id bigint not null',
      'user_id bigint not null',
      'action text not null',
      'at timestamp with time zone not null default now()',
    ]);
    expect(log.constraints.filter((c) => !c.includes('NOT NULL'))).toEqual([
      "audit_log_action_check CHECK ((action <> ''::text))",
      'audit_log_pkey PRIMARY KEY (id)',
      'audit_log_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE',
    ]);
    expect(log.sequences).toEqual([
      expect.stringMatching(/^audit_log_id_seq bigint .* owned by id \(identity always\)$/),
    ]);
    expect(
      (await tableSnapshot(life.db.pool, 'audit_tags')).constraints.filter((c) => !c.includes('NOT NULL')),
    ).toEqual([
      'audit_tags_entry_id_fkey FOREIGN KEY (entry_id) REFERENCES audit_log(id) ON DELETE CASCADE',
      'audit_tags_pkey PRIMARY KEY (entry_id)',
      'audit_tags_tag_key UNIQUE (tag)',
      "one_tag EXCLUDE USING btree (tag WITH =) WHERE (((tag)::text <> 'none'::text))",
      "tag_not_blank CHECK (((tag)::text <> ''::text))",
      'tag_with_entry UNIQUE (tag) INCLUDE (entry_id)',
    ]);
    expect(await life.count(`SELECT 1 FROM audit_log`)).toBeGreaterThan(10);
  });
});
