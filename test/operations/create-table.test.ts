import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser } from '../../src/sql/parser.js';
import { catalog, col, planError, planOps, planSql, table } from '../helpers/catalog.js';

beforeAll(() => loadParser());

const providers = () =>
  table('providers', [col('id', 'integer', { notNull: true }), col('code', 'text', { notNull: true })]);
const cat = () => catalog([providers()]);
const issues = (ops: unknown[]) => planError(ops, cat()).issues.map((i) => `${i.path}: ${i.message}`);

const phonebook = (constraints: unknown[]) => ({
  op: 'createTable',
  table: 'phonebook',
  columns: [
    { name: 'id', type: 'integer', nullable: false },
    { name: 'provider_id', type: 'integer', nullable: false },
    { name: 'name', type: 'text', nullable: false },
    { name: 'phone', type: 'text', nullable: false },
    { name: 'during', type: 'tstzrange' },
  ],
  constraints,
});

describe('createTable with named table-level constraints (exact SQL)', () => {
  it('primary key, unique with INCLUDE, check, foreign key with actions, exclusion: one CREATE TABLE', () => {
    const plan = planOps(
      [
        phonebook([
          { type: 'primaryKey', name: 'phonebook_pk', columns: ['id'] },
          { type: 'unique', name: 'unique_numbers', columns: ['phone'], include: ['name'] },
          { type: 'check', name: 'name_present', expression: 'length(name) > 0' },
          {
            type: 'foreignKey',
            name: 'provider_fk',
            columns: ['provider_id'],
            references: { table: 'providers', columns: ['id'] },
            onDelete: 'cascade',
            onUpdate: 'cascade',
          },
          {
            type: 'exclude',
            name: 'no_overlap',
            method: 'gist',
            elements: ['phone WITH =', 'during WITH &&'],
            where: 'during IS NOT NULL',
          },
        ]),
      ],
      cat(),
    );
    expect(planSql(plan)).toEqual([
      {
        id: 'create_table:public.phonebook:expand:1',
        sql: [
          'CREATE TABLE public.phonebook (id int NOT NULL, provider_id int NOT NULL, name text NOT NULL, phone text NOT NULL, during tstzrange, ' +
            'CONSTRAINT phonebook_pk PRIMARY KEY (id), CONSTRAINT unique_numbers UNIQUE (phone) INCLUDE (name), ' +
            'CONSTRAINT name_present CHECK (length(name) > 0), ' +
            'CONSTRAINT provider_fk FOREIGN KEY (provider_id) REFERENCES public.providers (id) ON DELETE CASCADE ON UPDATE CASCADE, ' +
            'CONSTRAINT no_overlap EXCLUDE USING gist (phone WITH =, during WITH &&) WHERE (during IS NOT NULL))',
        ],
        undo: ['DROP TABLE IF EXISTS public.phonebook'],
      },
    ]);
    expect(plan.steps[0]!.impact.locks).toEqual([
      { relation: { schema: 'public', name: 'phonebook' }, mode: 'ACCESS EXCLUSIVE' },
      { relation: { schema: 'public', name: 'providers' }, mode: 'SHARE ROW EXCLUSIVE' },
    ]);
    expect(plan.notes).toEqual([]);
  });

  it('later operations see the constraints: a foreign key onto the unique key, a name already taken', () => {
    const create = phonebook([
      { type: 'primaryKey', name: 'phonebook_pk', columns: ['id'] },
      { type: 'unique', name: 'unique_numbers', columns: ['phone'] },
    ]);
    const plan = planOps(
      [
        create,
        {
          op: 'addForeignKey',
          table: 'providers',
          name: 'providers_phone_fk',
          columns: ['code'],
          references: { table: 'phonebook', columns: ['phone'] },
        },
      ],
      cat(),
    );
    expect(plan.steps.some((s) => s.operations[0] === 1)).toBe(true);
    expect(
      issues([create, { op: 'createIndex', table: 'phonebook', name: 'unique_numbers', columns: ['name'] }])[0],
    ).toMatch(/unique_numbers/);
  });

  it('refuses what Postgres would refuse, naming the field', () => {
    expect(
      issues([
        phonebook([
          { type: 'primaryKey', name: 'a', columns: ['nope'] },
          { type: 'unique', name: 'a', columns: ['phone', 'phone'] },
          { type: 'check', name: 'c', expression: 'length(title) > 0' },
          {
            type: 'foreignKey',
            name: 'f',
            columns: ['provider_id'],
            references: { table: 'providers', columns: ['code'] },
          },
          { type: 'exclude', name: 'x', elements: ['phone WITH =) , CHECK (true'] },
        ]),
      ]),
    ).toEqual(['operations[0].constraints[1].name: constraint a is named twice']);
    expect(issues([phonebook([{ type: 'primaryKey', name: 'a', columns: ['nope'] }])])).toEqual([
      'operations[0].constraints[0].columns[0]: column nope does not exist on table public.phonebook',
    ]);
    const one = (c: unknown) => issues([phonebook([c])]);
    expect(one({ type: 'unique', name: 'u', columns: ['phone', 'phone'] })).toEqual([
      'operations[0].constraints[0].columns: a column is listed twice',
    ]);
    expect(one({ type: 'check', name: 'c', expression: 'length(title) > 0' })).toEqual([
      'operations[0].constraints[0].expression: refers to title, which is not a column of the table',
    ]);
    expect(
      one({
        type: 'foreignKey',
        name: 'f',
        columns: ['provider_id'],
        references: { table: 'providers', columns: ['code'] },
      }),
    ).toEqual([
      'operations[0].constraints[0].references.columns: public.providers has no primary key, unique constraint or unique index on (code); a foreign key must reference one (addUnique first)',
    ]);
    expect(one({ type: 'exclude', name: 'x', elements: ['phone WITH =) , CHECK (true'] })).toEqual([
      'operations[0].constraints[0].elements: each element is one `column-or-expression WITH operator`, e.g. "room WITH ="',
    ]);
    expect(one({ type: 'exclude', name: 'x', elements: ['title WITH ='] })).toEqual([
      'operations[0].constraints[0].elements: title is not a column of public.phonebook',
    ]);
    expect(
      issues([
        {
          op: 'createTable',
          table: 't',
          columns: [{ name: 'id', type: 'int', primaryKey: true }],
          constraints: [{ type: 'primaryKey', name: 't_pk', columns: ['id'] }],
        },
      ]),
    ).toEqual([
      'operations[0].constraints: the primary key is given twice: by "primaryKey" on columns and in "constraints"',
    ]);
  });
});
