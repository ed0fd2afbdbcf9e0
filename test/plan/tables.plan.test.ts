import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser } from '../../src/sql/parser.js';
import { column, fakeCatalog, table } from '../helpers/catalog-literal.js';
import { expectNoScanUnderAccessExclusive, plan, planIssues, sqlById } from '../helpers/plans.js';

beforeAll(() => loadParser());

const users = table('users', [column('id', 'bigint', { notNull: true }), column('email', 'text')], {
  primaryKey: { name: 'users_pkey', columns: ['id'] },
  indexes: [
    {
      name: 'users_pkey',
      schema: 'public',
      definition: 'CREATE UNIQUE INDEX users_pkey ON public.users USING btree (id)',
      unique: true,
      primary: true,
      valid: true,
      columns: ['id'],
      constraint: 'users_pkey',
    },
  ],
  grants: [
    { grantee: 'reporting', privilege: 'SELECT', grantable: false },
    { grantee: 'app', privilege: 'INSERT', grantable: false },
    { grantee: 'app', privilege: 'SELECT', grantable: false },
    { grantee: 'app', privilege: 'TRUNCATE', grantable: false },
  ],
});

describe('createTable plan', () => {
  const ops = [
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
        { name: 'action', type: 'text', check: "action <> ''", default: "'none'" },
      ],
    },
    {
      op: 'createTable',
      table: 'audit_tags',
      columns: [
        { name: 'entry_id', type: 'bigint', primaryKey: true, references: { table: 'audit_log', column: 'id' } },
        { name: 'tag', type: 'varchar(20)', unique: true },
      ],
    },
  ];

  it('creates the tables in expand, the second referencing the first (declared to later operations)', () => {
    const p = plan(ops, fakeCatalog([users]));
    expect(sqlById(p)).toEqual({
      'create_table:public.audit_log:expand:1': [
        "CREATE TABLE public.audit_log (id bigint NOT NULL GENERATED ALWAYS AS IDENTITY, user_id bigint NOT NULL REFERENCES public.users (id) ON DELETE CASCADE, action text DEFAULT 'none' CHECK (action <> ''), PRIMARY KEY (id))",
      ],
      'create_table:public.audit_tags:expand:1': [
        'CREATE TABLE public.audit_tags (entry_id bigint NOT NULL REFERENCES public.audit_log (id), tag varchar(20) UNIQUE, PRIMARY KEY (entry_id))',
      ],
    });
    expect(p.steps[0]).toMatchObject({
      undo: { statements: ['DROP TABLE IF EXISTS public.audit_log'] },
      impact: {
        locks: [
          { relation: { name: 'audit_log' }, mode: 'ACCESS EXCLUSIVE' },
          { relation: { name: 'users' }, mode: 'SHARE ROW EXCLUSIVE' },
        ],
      },
    });
    expect(p.targetSchemas).toEqual(['public']);
    expectNoScanUnderAccessExclusive(p);
  });

  it('refuses what Postgres would refuse, at plan time', () => {
    expect(
      planIssues(
        [{ op: 'createTable', table: 'users', columns: [{ name: 'id', type: 'int' }] }],
        fakeCatalog([users]),
      )[0],
    ).toMatchObject({ path: 'operations[0].table', message: 'public.users already exists' });
    expect(
      planIssues(
        [
          {
            op: 'createTable',
            table: 't',
            columns: [{ name: 'u', type: 'text', references: { table: 'users', column: 'email' } }],
          },
        ],
        fakeCatalog([users]),
      )[0],
    ).toMatchObject({
      path: 'operations[0].columns[0].references.column',
      message: 'public.users.email has no primary key or unique constraint of its own, which a foreign key needs',
    });
    expect(
      planIssues(
        [
          {
            op: 'createTable',
            table: 't',
            columns: [
              { name: 'a', type: 'int' },
              { name: 'A', type: 'int' },
            ],
          },
        ],
        fakeCatalog([users]),
      )[0],
    ).toMatchObject({ path: 'operations[0].columns[1].name', message: 'column a is given twice' });
    expect(
      planIssues(
        [{ op: 'createTable', table: 't', columns: [{ name: 'a', type: 'int', check: 'b > 0' }] }],
        fakeCatalog([users]),
      )[0],
    ).toMatchObject({
      path: 'operations[0].columns[0].check',
      message: 'refers to b, which is not a column of the table',
    });
  });
});

describe('dropTable plan', () => {
  it('does nothing before contract, then drops the table', () => {
    const p = plan([{ op: 'dropTable', table: 'users' }], fakeCatalog([users]));
    expect(sqlById(p)).toEqual({ 'drop_table:public.users:contract:1': ['DROP TABLE public.users'] });
    expect(p.notes.find((n) => n.phase === 'contract')?.text).toMatch(/drops public.users and its data for good/);
  });

  it('refuses a table other tables still reference', () => {
    const referenced = {
      ...users,
      referencedBy: [
        {
          name: 'orders_user_id_fkey',
          table: { schema: 'public', name: 'orders' },
          columns: ['user_id'],
          referencedColumns: ['id'],
          definition: '',
          validated: true,
        },
      ],
    };
    expect(planIssues([{ op: 'dropTable', table: 'users' }], fakeCatalog([referenced]))[0]).toMatchObject({
      path: 'operations[0].table',
      message: 'public.users is referenced by foreign key(s) orders_user_id_fkey on public.orders; drop those first',
    });
  });
});

describe('renameTable plan', () => {
  it('renames and leaves an updatable view, with the grants, under the old name until contract', () => {
    const p = plan(
      [
        { op: 'renameTable', from: 'users', to: 'accounts' },
        { op: 'dropTable', table: 'accounts' },
      ],
      fakeCatalog([users]),
    );
    expect(sqlById(p)).toEqual({
      'rename_table:public.users:expand:1': [
        'ALTER TABLE public.users RENAME TO accounts',
        'CREATE VIEW public.users AS SELECT * FROM public.accounts',
        'GRANT SELECT ON public.users TO reporting',
        'GRANT INSERT, SELECT ON public.users TO app',
      ],
      'rename_table:public.users:contract:1': ['DROP VIEW public.users'],
      // A later operation sees the table under its new name.
      'drop_table:public.accounts:contract:1': ['DROP TABLE public.accounts'],
    });
    expect(p.steps[0]).toMatchObject({
      undo: {
        statements: ['DROP VIEW IF EXISTS public.users', 'ALTER TABLE IF EXISTS public.accounts RENAME TO users'],
        transactional: true,
      },
    });
  });

  it('refuses a name in use and a move to another schema', () => {
    const taken = table('accounts', [column('id', 'int')]);
    expect(
      planIssues([{ op: 'renameTable', from: 'users', to: 'accounts' }], fakeCatalog([users, taken]))[0],
    ).toMatchObject({ path: 'operations[0].to', message: 'a relation named public.accounts already exists' });
    expect(
      planIssues([{ op: 'renameTable', from: 'users', to: 'archive.users' }], fakeCatalog([users]))[0],
    ).toMatchObject({ path: 'operations[0].to', message: expect.stringContaining('moving a table to another schema') });
  });
});
