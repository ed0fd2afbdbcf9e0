import { beforeAll, describe, expect, it } from 'vitest';
import type { ColumnDependent } from '../../src/db/catalog.js';
import { loadParser } from '../../src/sql/parser.js';
import { column, fakeCatalog, table } from '../helpers/catalog-literal.js';
import { expectNoScanUnderAccessExclusive, plan, planIssues, sqlById } from '../helpers/plans.js';

beforeAll(() => loadParser());

const users = table('users', [column('id', 'bigint', { notNull: true }), column('name', 'text', { notNull: true })], {
  primaryKey: { name: 'users_pkey', columns: ['id'] },
});
const split = {
  op: 'transformColumn',
  table: 'users',
  from: ['name'],
  to: [
    { name: 'first_name', type: 'text', up: "split_part(name,' ',1)", nullable: false },
    { name: 'last_name', type: 'text', up: "split_part(name,' ',2)" },
  ],
  down: { name: "first_name || ' ' || last_name" },
  dropOld: true,
};

describe('transformColumn plan: name -> first_name + last_name', () => {
  it('emits exactly this SQL in each phase', () => {
    const p = plan([split], fakeCatalog([users]));
    expectNoScanUnderAccessExclusive(p);
    const sql = sqlById(p);
    const id = (phase: string, n: number) => `transform_column:public.users.name:${phase}:${n}`;
    expect(Object.keys(sql)).toEqual([
      id('expand', 1),
      'backfill:public.users:backfill:1',
      id('switch', 1),
      id('switch', 2),
      id('switch', 3),
      id('contract', 1),
    ]);
    expect(sql[id('expand', 1)]!.slice(0, 2)).toEqual([
      'ALTER TABLE public.users ADD COLUMN first_name text',
      'ALTER TABLE public.users ADD COLUMN last_name text',
    ]);
    expect(sql[id('expand', 1)]![2]).toContain(
      "IF NEW.first_name IS NOT NULL OR NEW.last_name IS NOT NULL THEN NEW.name := (new.first_name || ' ') || new.last_name; ELSE NEW.first_name := split_part(new.name, ' ', 1); NEW.last_name := split_part(new.name, ' ', 2); END IF;",
    );
    expect(sql['backfill:public.users:backfill:1']![2]).toBe(
      "UPDATE public.users SET first_name = split_part(name,' ',1), last_name = split_part(name,' ',2) WHERE id > $1::bigint AND id <= $2::bigint AND (first_name IS DISTINCT FROM (split_part(name,' ',1))::text OR last_name IS DISTINCT FROM (split_part(name,' ',2))::text)",
    );
    expect(sql[id('switch', 1)]).toEqual([
      "SELECT id, name, first_name, last_name FROM public.users WHERE first_name IS DISTINCT FROM (split_part(name,' ',1))::text OR last_name IS DISTINCT FROM (split_part(name,' ',2))::text LIMIT 10",
    ]);
    expect(sql[id('switch', 2)]).toEqual([
      'ALTER TABLE public.users ADD CONSTRAINT users_first_name_zdm_not_null CHECK (first_name IS NOT NULL) NOT VALID',
    ]);
    expect(sql[id('switch', 3)]).toEqual([
      'ALTER TABLE public.users VALIDATE CONSTRAINT users_first_name_zdm_not_null',
    ]);
    expect(sql[id('contract', 1)]).toEqual([
      'DROP TRIGGER IF EXISTS zdm_sync_users_name_to_first_name_last_name ON public.users',
      'DROP FUNCTION IF EXISTS public.zdm_sync_users_name_to_first_name_last_name()',
      'ALTER TABLE public.users ALTER COLUMN first_name SET NOT NULL',
      'ALTER TABLE public.users DROP CONSTRAINT users_first_name_zdm_not_null',
      'ALTER TABLE public.users DROP COLUMN name',
    ]);
  });

  it('reports every problem with its path', () => {
    const bad = {
      ...split,
      to: [
        { name: 'name', type: 'text', up: 'nme' },
        { name: 'x', type: 'not a type(', up: 'name' },
      ],
      down: { nam: 'x' },
    };
    expect(planIssues([bad], fakeCatalog([users]))).toEqual([
      {
        file: '/m/0001_test.json',
        path: 'operations[0].to[0].name',
        message: 'column name already exists on table public.users',
      },
    ]);
    const bad2 = { ...split, to: [{ name: 'a', type: 'text', up: 'nme' }], down: { name: 'a' } };
    expect(planIssues([bad2], fakeCatalog([users]))[0]).toMatchObject({
      path: 'operations[0].to[0].up',
      message: 'refers to nme, which is not a column of the table',
    });
    const bad3 = { ...split, down: {} };
    expect(planIssues([bad3], fakeCatalog([users]))[0]).toMatchObject({
      path: 'operations[0].down',
      message: 'give an expression for name: rows written by the new version must fill the old columns too',
    });
    const bad4 = { ...split, to: [{ name: 'a', type: 'int; drop table users', up: 'name' }], down: { name: 'a' } };
    expect(planIssues([bad4], fakeCatalog([users]))[0]).toMatchObject({ path: 'operations[0].to[0].type' });
  });
});

describe('transformColumn: views on the old columns', () => {
  const userNames = (definition: string, columns = ['id', 'name'], options: string[] = []): ColumnDependent => ({
    column: 'name',
    kind: 'view',
    name: 'public.user_names',
    view: { schema: 'public', name: 'user_names', relkind: 'v', definition, columns, options },
  });
  const withView = (...dependents: ColumnDependent[]) =>
    table('users', users.columns, { primaryKey: users.primaryKey, dependents });
  const contract = (p: ReturnType<typeof plan>) => sqlById(p)['transform_column:public.users.name:contract:1']!;
  const plainView = userNames(
    " SELECT id,\n    name\n   FROM public.users\n  WHERE (name <> ''::text);",
    ['id', 'name'],
    ['security_barrier=true'],
  );

  it('read "down" over the new columns from contract on: same object, output names, types and options', () => {
    const p = plan([split], fakeCatalog([withView(plainView)]));
    const replace =
      "CREATE OR REPLACE VIEW public.user_names (id, name) WITH (security_barrier = 'true') AS SELECT id, " +
      "CAST((users.first_name || ' ') || users.last_name AS text) FROM public.users " +
      "WHERE CAST((users.first_name || ' ') || users.last_name AS text) <> ''::text";
    const sql = contract(p);
    expect(sql.slice(0, 3)).toEqual([
      'LOCK TABLE public.user_names IN ACCESS EXCLUSIVE MODE',
      "SET LOCAL lock_timeout = '100ms'",
      'LOCK TABLE public.users IN ACCESS EXCLUSIVE MODE',
    ]);
    expect(sql).toContain(replace);
    expect(sql.indexOf(replace)).toBeLessThan(sql.indexOf('ALTER TABLE public.users DROP COLUMN name'));
    // At switch the new query replaces the old one on a temporary copy: Postgres checks the output columns.
    const probe = sqlById(p)['transform_column:public.users.name:switch:4']!;
    expect(probe).toEqual([
      "CREATE VIEW pg_temp.zdm_probe_user_names (id, name) WITH (security_barrier = 'true') AS SELECT id,\n    " +
        "name\n   FROM public.users\n  WHERE (name <> ''::text)",
      replace.replace('public.user_names', 'pg_temp.zdm_probe_user_names'),
      'DROP VIEW pg_temp.zdm_probe_user_names',
    ]);
    const note = p.notes.find((n) => n.text.startsWith('view public.user_names: recreated in the contract step'));
    expect(note?.text).toContain('replaced by its "down" expression over the new columns, cast to the old type');
  });

  it('a qualified reference keeps its qualifier, and an old column with a collation keeps it', () => {
    const coll = table(
      'users',
      [
        column('id', 'bigint', { notNull: true }),
        column('name', 'character varying(40)', { collation: 'pg_catalog."C"' }),
      ],
      {
        primaryKey: users.primaryKey,
        dependents: [
          userNames(' SELECT u.id,\n    u.name\n   FROM (public.users u\n JOIN public.other o ON ((o.id = u.id)));'),
        ],
      },
    );
    const sql = contract(plan([{ ...split, dropOld: false }], fakeCatalog([coll])));
    expect(sql).toContain(
      'CREATE OR REPLACE VIEW public.user_names (id, name) AS SELECT u.id, ' +
        'CAST((u.first_name || \' \') || u.last_name AS varchar(40)) COLLATE pg_catalog."C" ' +
        'FROM public.users AS u JOIN public.other AS o ON o.id = u.id',
    );
    expect(sql).not.toContain('DROP COLUMN');
  });

  it('refuses, naming the view and the reason, what cannot be carried; a "sql" operation before that drops it unblocks it', () => {
    const natural = userNames(' SELECT u.name FROM (public.users u NATURAL JOIN public.other o);', ['name']);
    expect(planIssues([split], fakeCatalog([withView(natural)])).map((i) => i.message)).toEqual([
      'public.users.name is used by view public.user_names (it has a NATURAL join, whose columns are matched by ' +
        'name), which zdm cannot move to the new columns: replace it without them or drop it first (a "sql" ' +
        'operation before this one unblocks it)',
    ]);
    const readsOld = { ...split, down: { name: "coalesce(first_name, name) || ' ' || last_name" } };
    expect(planIssues([readsOld], fakeCatalog([withView(plainView)]))[0]?.message).toContain(
      'view public.user_names (its "down" for name reads name, which contract drops)',
    );
    const p = plan(
      [{ op: 'sql', phase: 'contract', sql: 'DROP VIEW user_names', allow: ['drop-view'] }, split],
      fakeCatalog([withView(natural)]),
    );
    expect(p.steps.some((s) => s.phase === 'contract' && s.operations[0] === 1)).toBe(true);
  });

  it('a "sql" operation before that replaces the view without the old column takes it out of the operation\'s hands', () => {
    const replace = {
      op: 'sql',
      phase: 'contract',
      sql: "CREATE OR REPLACE VIEW user_names AS SELECT id, first_name || ' ' || last_name AS name FROM users",
    };
    const p = plan([replace, split], fakeCatalog([withView(plainView)]));
    expect(contract(p).some((s) => s.includes('user_names'))).toBe(false);
    expect(p.steps.map((s) => s.id)).not.toContain('transform_column:public.users.name:switch:4');
  });
});
