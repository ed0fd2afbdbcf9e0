import { describe, expect, it } from 'vitest';
import type { PartitionInfo, TableInfo } from '../../src/db/catalog.js';
import { renderPlan } from '../../src/plan/render.js';
import type { Plan } from '../../src/plan/types.js';
import { catalog, col, constraint, index, planError, planOps, planSql, table } from '../helpers/catalog.js';

const part = (name: string, extra: Partial<PartitionInfo> = {}): PartitionInfo => ({
  schema: 'public',
  name,
  parent: { schema: 'public', name: 'events' },
  relkind: 'r',
  level: 1,
  key: [],
  estimatedRows: 100,
  sizeBytes: 8192,
  ...extra,
});

/** events partitioned by range (at); February by hash (id). */
function events(key: (string | null)[] = ['at'], extra: PartitionInfo[] = []): TableInfo {
  return {
    ...table(
      'events',
      [col('id', 'bigint', { notNull: true }), col('at', 'date', { notNull: true }), col('account_id', 'bigint')],
      { primaryKey: null },
    ),
    relkind: 'p',
    partitioning: {
      key,
      partitions: [
        part('events_01'),
        part('events_02', { relkind: 'p', key: ['id'] }),
        part('events_02_h0', { parent: { schema: 'public', name: 'events_02' }, level: 2 }),
        ...extra,
      ],
    },
  };
}
const accounts = table('accounts', [col('id', 'bigint', { notNull: true })]);

describe('partitioned tables: plans', () => {
  it('createIndex: ON ONLY the parent and sub-partitioned tables, CONCURRENTLY per leaf, attached, then checked', () => {
    const plan = planOps(
      [{ op: 'createIndex', table: 'events', name: 'events_at', columns: ['at'] }],
      catalog([events()]),
    );
    expect(planSql(plan)).toEqual([
      {
        id: 'create_index:public.events_at:expand:1',
        sql: [
          'CREATE INDEX IF NOT EXISTS events_at ON ONLY public.events (at)',
          'CREATE INDEX IF NOT EXISTS events_02_events_at ON ONLY public.events_02 (at)',
          'ALTER INDEX public.events_at ATTACH PARTITION public.events_02_events_at',
        ],
        undo: [
          'LOCK TABLE ONLY public.events IN ACCESS EXCLUSIVE MODE',
          "SET LOCAL lock_timeout = '100ms'",
          'LOCK TABLE ONLY public.events_01 IN ACCESS EXCLUSIVE MODE',
          'LOCK TABLE ONLY public.events_02 IN ACCESS EXCLUSIVE MODE',
          'LOCK TABLE ONLY public.events_02_h0 IN ACCESS EXCLUSIVE MODE',
          'DROP INDEX IF EXISTS public.events_at',
          'DROP INDEX IF EXISTS public.events_02_events_at',
        ],
      },
      {
        id: 'create_index:public.events_at:expand:2',
        sql: ['CREATE INDEX CONCURRENTLY IF NOT EXISTS events_01_events_at ON public.events_01 (at)'],
        undo: ['DROP INDEX CONCURRENTLY IF EXISTS public.events_01_events_at'],
      },
      {
        id: 'create_index:public.events_at:expand:3',
        sql: [
          "SET LOCAL lock_timeout = '100ms'",
          'ALTER INDEX public.events_at ATTACH PARTITION public.events_01_events_at',
        ],
        undo: [
          'LOCK TABLE ONLY public.events IN ACCESS EXCLUSIVE MODE',
          "SET LOCAL lock_timeout = '100ms'",
          'LOCK TABLE ONLY public.events_01 IN ACCESS EXCLUSIVE MODE',
          'LOCK TABLE ONLY public.events_02 IN ACCESS EXCLUSIVE MODE',
          'LOCK TABLE ONLY public.events_02_h0 IN ACCESS EXCLUSIVE MODE',
          'DROP INDEX IF EXISTS public.events_at',
        ],
      },
      {
        id: 'create_index:public.events_at:expand:4',
        sql: ['CREATE INDEX CONCURRENTLY IF NOT EXISTS events_02_h0_events_at ON public.events_02_h0 (at)'],
        undo: ['DROP INDEX CONCURRENTLY IF EXISTS public.events_02_h0_events_at'],
      },
      {
        id: 'create_index:public.events_at:expand:5',
        sql: [
          "SET LOCAL lock_timeout = '100ms'",
          // The last leaf under events_02: completing its index makes Postgres lock the root (deadlock on 15).
          'LOCK TABLE ONLY public.events IN ACCESS EXCLUSIVE MODE',
          'ALTER INDEX public.events_02_events_at ATTACH PARTITION public.events_02_h0_events_at',
        ],
        undo: [
          'LOCK TABLE ONLY public.events IN ACCESS EXCLUSIVE MODE',
          "SET LOCAL lock_timeout = '100ms'",
          'LOCK TABLE ONLY public.events_01 IN ACCESS EXCLUSIVE MODE',
          'LOCK TABLE ONLY public.events_02 IN ACCESS EXCLUSIVE MODE',
          'LOCK TABLE ONLY public.events_02_h0 IN ACCESS EXCLUSIVE MODE',
          'DROP INDEX IF EXISTS public.events_at',
        ],
      },
      { id: 'create_index:public.events_at:expand:6', sql: [expect.stringContaining('pg_partition_tree')] },
    ]);
  });

  it('a unique index must contain every level of the partition key; expression keys and foreign partitions are refused', () => {
    const unique = (columns: string[]) => [
      { op: 'createIndex', table: 'events', name: 'events_u', columns, unique: true },
    ];
    expect(planError(unique(['account_id', 'at']), catalog([events()])).message).toMatch(
      /operations\[0\]\.columns: a unique index must include the partition key of public\.events_02 \(id\)/,
    );
    expect(planError(unique(['account_id']), catalog([events()])).message).toMatch(
      /partition key of public\.events \(at\)/,
    );
    expect(planSql(planOps(unique(['account_id', 'at DESC', 'id']), catalog([events()])))[0]!.sql[0]).toBe(
      'CREATE UNIQUE INDEX IF NOT EXISTS events_u ON ONLY public.events (account_id, at DESC, id)',
    );
    expect(planError(unique(['at', 'id']), catalog([events([null])])).message).toMatch(/partitioned by an expression/);
    const remote = events(['at'], [part('events_remote', { relkind: 'f' })]);
    expect(
      planError([{ op: 'createIndex', table: 'events', name: 'x', columns: ['at'] }], catalog([remote])).message,
    ).toMatch(/partition public\.events_remote is a foreign table/);
  });

  it('addForeignKey: NOT VALID per leaf at expand; verify, VALIDATE per leaf and the parent at switch', () => {
    const plan = planOps(
      [
        {
          op: 'addForeignKey',
          table: 'events',
          name: 'events_account_fk',
          columns: ['account_id'],
          references: { table: 'accounts', columns: ['id'] },
        },
      ],
      catalog([events(), accounts]),
    );
    const sql = planSql(plan);
    expect(sql.map((s) => s.id)).toEqual([
      'add_foreign_key:public.events.events_account_fk:expand:1',
      'add_foreign_key:public.events.events_account_fk:expand:2',
      'add_foreign_key:public.events.events_account_fk:switch:1',
      'add_foreign_key:public.events.events_account_fk:switch:2',
      'add_foreign_key:public.events.events_account_fk:switch:3',
      'add_foreign_key:public.events.events_account_fk:switch:4',
    ]);
    expect(sql[0]).toEqual({
      id: 'add_foreign_key:public.events.events_account_fk:expand:1',
      sql: [
        "SET LOCAL lock_timeout = '100ms'",
        'ALTER TABLE public.events_01 ADD CONSTRAINT events_account_fk FOREIGN KEY (account_id) REFERENCES public.accounts (id) NOT VALID',
      ],
      undo: ['ALTER TABLE public.events_01 DROP CONSTRAINT IF EXISTS events_account_fk'],
    });
    expect(sql[4]!.sql).toEqual(['ALTER TABLE public.events_02_h0 VALIDATE CONSTRAINT events_account_fk']);
    expect(sql[5]).toEqual({
      id: 'add_foreign_key:public.events.events_account_fk:switch:4',
      sql: [
        'LOCK TABLE ONLY public.events IN SHARE ROW EXCLUSIVE MODE',
        "SET LOCAL lock_timeout = '100ms'",
        'LOCK TABLE ONLY public.events_02 IN SHARE ROW EXCLUSIVE MODE',
        'LOCK TABLE ONLY public.events_01 IN SHARE ROW EXCLUSIVE MODE',
        'LOCK TABLE ONLY public.events_02_h0 IN SHARE ROW EXCLUSIVE MODE',
        'LOCK TABLE ONLY public.accounts IN ACCESS EXCLUSIVE MODE',
        'ALTER TABLE public.events ADD CONSTRAINT events_account_fk FOREIGN KEY (account_id) REFERENCES public.accounts (id)',
      ],
      undo: ['ALTER TABLE public.events DROP CONSTRAINT IF EXISTS events_account_fk'],
    });
  });

  it('addUnique: a unique index per leaf concurrently, then one brief transaction making them the constraint on every level', () => {
    const sql = planSql(
      planOps(
        [{ op: 'addUnique', table: 'events', name: 'events_u', columns: ['account_id', 'at', 'id'] }],
        catalog([events()]),
      ),
    );
    expect(sql.map((s) => s.sql)).toEqual([
      ['CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS events_01_events_u ON public.events_01 (account_id, at, id)'],
      [
        'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS events_02_h0_events_u ON public.events_02_h0 (account_id, at, id)',
      ],
      [
        'LOCK TABLE ONLY public.events IN ACCESS EXCLUSIVE MODE',
        "SET LOCAL lock_timeout = '100ms'",
        'LOCK TABLE ONLY public.events_01 IN ACCESS EXCLUSIVE MODE',
        'LOCK TABLE ONLY public.events_02 IN ACCESS EXCLUSIVE MODE',
        'LOCK TABLE ONLY public.events_02_h0 IN ACCESS EXCLUSIVE MODE',
        'ALTER TABLE public.events_01 ADD CONSTRAINT events_01_events_u UNIQUE USING INDEX events_01_events_u',
        'ALTER TABLE public.events_02_h0 ADD CONSTRAINT events_02_h0_events_u UNIQUE USING INDEX events_02_h0_events_u',
        'ALTER TABLE public.events_02 ADD CONSTRAINT events_02_events_u UNIQUE (account_id, at, id)',
        'ALTER TABLE public.events ADD CONSTRAINT events_u UNIQUE (account_id, at, id)',
      ],
    ]);
    expect(sql[2]!.undo).toEqual(['ALTER TABLE public.events DROP CONSTRAINT IF EXISTS events_u']);
  });

  it('addPrimaryKey: NOT NULL proved by validated checks, then the leaves’ indexes adopted at switch; a key without the partition key is refused', () => {
    const plan = planOps(
      [{ op: 'addPrimaryKey', table: 'events', columns: ['account_id', 'at', 'id'] }],
      catalog([events()]),
    );
    const sql = planSql(plan);
    expect(sql[0]!.sql).toEqual([
      'ALTER TABLE public.events ADD CONSTRAINT events_account_id_zdm_not_null CHECK (account_id IS NOT NULL) NOT VALID',
    ]);
    expect(sql.at(-1)!.sql.slice(5)).toEqual([
      'ALTER TABLE public.events ALTER COLUMN account_id SET NOT NULL',
      'ALTER TABLE public.events_01 ADD CONSTRAINT events_01_events_pkey PRIMARY KEY USING INDEX events_01_events_pkey',
      'ALTER TABLE public.events_02_h0 ADD CONSTRAINT events_02_h0_events_pkey PRIMARY KEY USING INDEX events_02_h0_events_pkey',
      'ALTER TABLE public.events_02 ADD CONSTRAINT events_02_events_pkey PRIMARY KEY (account_id, at, id)',
      'ALTER TABLE public.events ADD CONSTRAINT events_pkey PRIMARY KEY (account_id, at, id)',
      'ALTER TABLE public.events DROP CONSTRAINT IF EXISTS events_account_id_zdm_not_null',
    ]);
    expect(sql.at(-1)!.undo).toEqual([
      'ALTER TABLE public.events DROP CONSTRAINT IF EXISTS events_pkey',
      'ALTER TABLE public.events ALTER COLUMN account_id DROP NOT NULL',
    ]);
    expect(planError([{ op: 'addPrimaryKey', table: 'events', columns: ['at'] }], catalog([events()])).message).toMatch(
      /operations\[0\]\.columns: a primary key must include the partition key of public\.events_02 \(id\)/,
    );
    expect(
      planError([{ op: 'addUnique', table: 'events', name: 'u', columns: ['id'] }], catalog([events()])).message,
    ).toMatch(/operations\[0\]\.columns: a unique constraint must include the partition key of public\.events \(at\)/);
  });

  it('changeColumnType through a shadow column: indexes rebuilt per partition; the partition key, unique indexes and failing conversions are refused', () => {
    const t = { ...events(), primaryKey: { name: 'events_pkey', columns: ['id', 'at'] } };
    t.indexes.push(
      index('events_account', 'CREATE INDEX events_account ON ONLY public.events USING btree (account_id)', [
        'account_id',
      ]),
    );
    const change = (column: string, type = 'numeric') => [{ op: 'changeColumnType', table: 'events', column, type }];
    const sql = planSql(planOps(change('account_id'), catalog([t])));
    expect(sql[1]!.sql[0]).toBe(
      'CREATE INDEX IF NOT EXISTS events_account_zdm ON ONLY public.events (account_id_zdm_new)',
    );
    expect(sql.at(-1)!.sql).toContain(
      'ALTER INDEX IF EXISTS public.events_02_h0_events_account_zdm RENAME TO events_02_h0_events_account',
    );
    expect(planError(change('at', 'timestamptz'), catalog([t])).message).toMatch(
      /events\.at cannot change type through a shadow column: at is in the partition key of partitioned table public\.events/,
    );
    expect(planError(change('account_id', 'jsonb'), catalog([t])).message).toMatch(/a conversion that can fail/);
  });

  it('changeColumnType of a key referenced from a partitioned table: its foreign key re-created per leaf at switch, adopted, renamed on every partition at contract', () => {
    const fk = 'events_account_id_fkey';
    const definition = 'FOREIGN KEY (account_id) REFERENCES public.accounts(id)';
    const accountsInt = table('accounts', [col('id', 'integer', { notNull: true })], {
      referencedBy: [
        {
          name: fk,
          table: { schema: 'public', name: 'events' },
          columns: ['account_id'],
          referencedColumns: ['id'],
          definition,
          validated: true,
        },
      ],
    });
    const t = events();
    t.columns.find((c) => c.name === 'account_id')!.type = 'integer';
    t.constraints.push(
      constraint(fk, 'f', definition, ['account_id'], {
        references: { table: { schema: 'public', name: 'accounts' }, columns: ['id'] },
      }),
    );
    const plan = planOps(
      [{ op: 'changeColumnType', table: 'accounts', column: 'id', type: 'bigint' }],
      catalog([accountsInt, t]),
    );
    const switchSql = planSql(plan)
      .filter((s) => s.id.includes(':switch:'))
      .map((s) => s.sql.filter((q) => !q.startsWith('LOCK') && !q.startsWith('SET')).join('; '));
    const copy = `${fk}_zdm FOREIGN KEY (account_id_zdm_new) REFERENCES public.accounts (id_zdm_new)`;
    expect(switchSql).toEqual(
      expect.arrayContaining([
        `ALTER TABLE public.events_01 ADD CONSTRAINT ${copy} NOT VALID`,
        `ALTER TABLE public.events_02_h0 ADD CONSTRAINT ${copy} NOT VALID`,
        `ALTER TABLE public.events_01 VALIDATE CONSTRAINT ${fk}_zdm`,
        `ALTER TABLE public.events_02_h0 VALIDATE CONSTRAINT ${fk}_zdm`,
        `ALTER TABLE public.events ADD CONSTRAINT ${copy}`,
      ]),
    );
    // The parent's constraint comes after every leaf's is validated, before the swap.
    const order = (text: string) => switchSql.findIndex((q) => q.includes(text));
    expect(order(`events ADD CONSTRAINT`)).toBeGreaterThan(order(`events_02_h0 VALIDATE`));
    expect(order(`events ADD CONSTRAINT`)).toBeLessThan(order(`RENAME COLUMN id TO id_zdm_old`));
    const contract = planSql(plan).at(-1)!.sql;
    expect(contract).toContain(`ALTER TABLE public.events DROP CONSTRAINT ${fk}`);
    expect(contract).toContain(`ALTER TABLE public.events RENAME CONSTRAINT ${fk}_zdm TO ${fk}`);
    expect(contract.find((q) => q.startsWith('DO'))).toMatch(
      /RENAME CONSTRAINT %I TO %I', r\.rel, 'events_account_id_fkey_zdm', 'events_account_id_fkey'/,
    );
    // Every partition is locked at contract (the clones of the old key are dropped, the new ones renamed).
    const contractLocks = plan.steps.at(-1)!.impact.locks.map((l) => `${l.relation.name} ${l.mode}`);
    expect(contractLocks).toEqual(
      expect.arrayContaining([
        'events_01 ACCESS EXCLUSIVE',
        'events_02 ACCESS EXCLUSIVE',
        'events_02_h0 ACCESS EXCLUSIVE',
      ]),
    );
  });

  it('changeColumnType of a primary-key column: a unique index per leaf at expand, made the key on every level at contract; refused when referenced', () => {
    const t = events(['at'], []);
    const pk = table('events', [col('id', 'bigint'), col('at', 'date')], {
      primaryKey: { name: 'events_pkey', columns: ['id', 'at'] },
    });
    const keyed: TableInfo = { ...t, primaryKey: pk.primaryKey, indexes: pk.indexes, constraints: pk.constraints };
    const change = [{ op: 'changeColumnType', table: 'events', column: 'id', type: 'numeric' }];
    const plan = planOps(change, catalog([keyed]));
    const sql = planSql(plan).flatMap((s) => s.sql);
    expect(sql).toContain(
      'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS events_01_events_pkey_zdm ON public.events_01 (id_zdm_new, at)',
    );
    const contract = planSql(plan).at(-1)!.sql;
    const adopt = contract.slice(contract.findIndex((q) => q.includes('USING INDEX')));
    expect(adopt.slice(0, 4)).toEqual([
      'ALTER TABLE public.events_01 ADD CONSTRAINT events_01_events_pkey PRIMARY KEY USING INDEX events_01_events_pkey_zdm',
      'ALTER TABLE public.events_02_h0 ADD CONSTRAINT events_02_h0_events_pkey PRIMARY KEY USING INDEX events_02_h0_events_pkey_zdm',
      'ALTER TABLE public.events_02 ADD CONSTRAINT events_02_events_pkey PRIMARY KEY (id, at)',
      'ALTER TABLE public.events ADD CONSTRAINT events_pkey PRIMARY KEY (id, at)',
    ]);
    expect(plan.notes.map((n) => n.text).join('\n')).toContain('named <partition>_<key>');
    const referenced: TableInfo = {
      ...keyed,
      referencedBy: [
        {
          name: 'hits_event_fk',
          table: { schema: 'public', name: 'hits' },
          columns: ['event_id', 'event_at'],
          referencedColumns: ['id', 'at'],
          definition: 'FOREIGN KEY (event_id, event_at) REFERENCES public.events(id, at)',
          validated: true,
        },
      ],
    };
    expect(planError(change, catalog([referenced])).message).toMatch(
      /events_pkey of public\.events is referenced by foreign key hits_event_fk of public\.hits/,
    );
  });

  it('changeColumnType in place: every partition locked, the undo a rewrite of each; an indexed column goes through a shadow column', () => {
    const t = events();
    t.columns.push(col('code', 'character varying(20)'));
    const widen = [{ op: 'changeColumnType', table: 'events', column: 'code', type: 'varchar(40)' }];
    const [step] = planOps(widen, catalog([t])).steps;
    const tree = ['events', 'events_01', 'events_02', 'events_02_h0'];
    const locks = (impact: { locks: { relation: { name: string }; mode: string }[] }) =>
      impact.locks.map((l) => `${l.relation.name} ${l.mode}`);
    expect(step!.impact).toMatchObject({ lockDuration: 'brief', rewritesTable: false });
    expect(locks(step!.impact)).toEqual(tree.map((n) => `${n} ACCESS EXCLUSIVE`));
    const undo = step!.kind === 'sql' ? step!.undo?.impact : undefined;
    expect(undo).toMatchObject({ lockDuration: 'rewrite', rewritesTable: true, scansTable: true });
    expect(locks(undo!)).toEqual(tree.map((n) => `${n} ACCESS EXCLUSIVE`));
    // Postgres would rebuild every partition's index on the column under ACCESS EXCLUSIVE.
    t.indexes.push(index('events_code', 'CREATE INDEX events_code ON ONLY public.events USING btree (code)', ['code']));
    expect(planOps(widen, catalog([t])).steps.map((s) => s.description)).toContainEqual(
      expect.stringContaining('code_zdm_new'),
    );
  });

  it('dropIndex on a partitioned index: one brief DROP INDEX (Postgres cannot drop it concurrently)', () => {
    const t = events();
    t.indexes.push({
      name: 'events_at',
      schema: 'public',
      definition: 'CREATE INDEX events_at ON ONLY public.events USING btree (at)',
      unique: false,
      primary: false,
      valid: true,
      columns: ['at'],
      constraint: null,
    });
    const plan = planOps([{ op: 'dropIndex', name: 'events_at' }], catalog([t]));
    expect(planSql(plan)).toEqual([
      {
        id: 'drop_index:public.events_at:contract:1',
        sql: [
          'LOCK TABLE ONLY public.events IN ACCESS EXCLUSIVE MODE',
          "SET LOCAL lock_timeout = '100ms'",
          'LOCK TABLE ONLY public.events_01 IN ACCESS EXCLUSIVE MODE',
          'LOCK TABLE ONLY public.events_02 IN ACCESS EXCLUSIVE MODE',
          'LOCK TABLE ONLY public.events_02_h0 IN ACCESS EXCLUSIVE MODE',
          'DROP INDEX IF EXISTS public.events_at',
        ],
      },
    ]);
    expect(plan.steps[0]!.impact.locks.map((l) => `${l.relation.name} ${l.mode}`)).toEqual([
      'events ACCESS EXCLUSIVE',
      'events_01 ACCESS EXCLUSIVE',
      'events_02 ACCESS EXCLUSIVE',
      'events_02_h0 ACCESS EXCLUSIVE',
    ]);
  });

  it('dropConstraint on a partitioned table: one brief drop of the whole tree, every table locked first (not a foreign partition), the plan claims each lock', () => {
    const t = events(['at'], [part('events_far', { relkind: 'f' })]);
    t.constraints.push(
      constraint('events_account_fk', 'f', 'FOREIGN KEY (account_id) REFERENCES accounts(id)', ['account_id'], {
        references: { table: { schema: 'public', name: 'accounts' }, columns: ['id'] },
      }),
    );
    const plan = planOps(
      [{ op: 'dropConstraint', table: 'events', name: 'events_account_fk' }],
      catalog([t, accounts]),
    );
    expect(planSql(plan)).toEqual([
      {
        id: 'drop_constraint:public.events.events_account_fk:contract:1',
        sql: [
          'LOCK TABLE ONLY public.events IN ACCESS EXCLUSIVE MODE',
          "SET LOCAL lock_timeout = '100ms'",
          'LOCK TABLE ONLY public.events_01 IN ACCESS EXCLUSIVE MODE',
          'LOCK TABLE ONLY public.events_02 IN ACCESS EXCLUSIVE MODE',
          'LOCK TABLE ONLY public.events_02_h0 IN ACCESS EXCLUSIVE MODE',
          'LOCK TABLE ONLY public.accounts IN ACCESS EXCLUSIVE MODE',
          'ALTER TABLE public.events DROP CONSTRAINT IF EXISTS events_account_fk',
        ],
      },
    ]);
    expect(plan.steps[0]!.impact.locks.map((l) => `${l.relation.name} ${l.mode}`)).toEqual([
      'events ACCESS EXCLUSIVE',
      'events_01 ACCESS EXCLUSIVE',
      'events_02 ACCESS EXCLUSIVE',
      'events_02_h0 ACCESS EXCLUSIVE',
      'accounts ACCESS EXCLUSIVE',
    ]);
    expect(plan.steps[0]!.description).toContain('its copies on every partition (brief ACCESS EXCLUSIVE on each');
  });

  it('steps that create or drop a trigger, or whose ALTER TABLE recurses: `zdm plan` (text and json) lists every partition’s lock', () => {
    const t = events();
    t.columns.push(col('kind', 'text', { notNull: true }), col('note', 'text', { notNull: true }));
    const plan = planOps(
      [
        { op: 'addColumn', table: 'events', column: { name: 'src', type: 'text', nullable: false }, up: "'s' || id" },
        { op: 'dropNotNull', table: 'events', column: 'kind', down: "'none'" },
        { op: 'dropColumn', table: 'events', column: 'note', down: "'-'" },
      ],
      catalog([t]),
    );
    const tree = ['events', 'events_01', 'events_02', 'events_02_h0'];
    const locksOf = (id: string) =>
      plan.steps.find((s) => s.id === id)!.impact.locks.map((l) => `${l.relation.name} ${l.mode}`);
    // CREATE TRIGGER clones the trigger to every partition (SHARE ROW EXCLUSIVE on each).
    for (const id of ['drop_not_null:public.events.kind:expand:1', 'drop_column:public.events.note:expand:1'])
      expect(locksOf(id)).toEqual(tree.map((n) => `${n} SHARE ROW EXCLUSIVE`));
    // ADD / DROP COLUMN, SET NOT NULL and the trigger's drop (LOCK TABLE first) recurse.
    for (const id of [
      'add_column:public.events.src:expand:1',
      'add_column:public.events.src:contract:1',
      'drop_not_null:public.events.kind:contract:1',
      'drop_column:public.events.note:contract:1',
    ])
      expect(locksOf(id)).toEqual(tree.map((n) => `${n} ACCESS EXCLUSIVE`));
    const text = renderPlan(plan, 'text');
    for (const n of tree) expect(text).toContain(`SHARE ROW EXCLUSIVE on public.${n} (brief`);
    const json = JSON.parse(renderPlan(plan, 'json')) as {
      steps: { id: string; impact: Plan['steps'][number]['impact'] }[];
    };
    const expand = json.steps.find((s) => s.id === 'drop_column:public.events.note:expand:1')!;
    expect(expand.impact.locks.map((l) => l.relation.name)).toEqual(tree);
  });

  it('old-style inheritance: a change that keeps a column in step by trigger is refused at plan time, naming the child tables', () => {
    const logs = {
      ...table('logs', [col('id', 'bigint', { notNull: true }), col('email', 'text')]),
      inheritedBy: ['logs_2023'],
    };
    expect(
      planError([{ op: 'renameColumn', table: 'logs', from: 'email', to: 'email_address' }], catalog([logs])).message,
    ).toMatch(
      /table public\.logs has child tables by inheritance \(logs_2023\): zdm would keep email_address in step with a trigger on public\.logs alone, and Postgres does not fire it for rows in the child tables/,
    );
    // Without a backfill (an index on the parent alone) nothing changes.
    expect(
      planOps([{ op: 'createIndex', table: 'logs', name: 'logs_email', columns: ['email'] }], catalog([logs])).steps
        .length,
    ).toBeGreaterThan(0);
  });
});
