import { beforeAll, describe, expect, it } from 'vitest';
import type { MigrationFile } from '../../src/migration/load.js';
import { lintPlan } from '../../src/lint/plan-lint.js';
import { planMigration } from '../../src/plan/planner.js';
import { loadParser } from '../../src/sql/parser.js';
import { column, eventsFixture, fakeCatalog, table, ticketsFixture } from '../helpers/catalog-literal.js';
import { usersFixture as users } from '../helpers/catalog.js';
import { unjustified } from '../helpers/plan-lint-exceptions.js';
import type { TableInfo } from '../../src/db/catalog.js';

const docs = table(
  'docs',
  [column('id', 'bigint', { notNull: true }), column('name', 'text', { notNull: true }), column('body', 'text')],
  { primaryKey: { name: 'docs_pkey', columns: ['id'] } },
);

/** Operations, and the tables they need besides `users`. */
const EXAMPLES: Record<string, unknown[] | { operations: unknown[]; tables: TableInfo[] }> = {
  renameColumn: [{ op: 'renameColumn', table: 'users', from: 'user_email', to: 'email_address' }],
  changeColumnType: {
    operations: [{ op: 'changeColumnType', table: 'events', column: 'id', type: 'bigint' }],
    tables: [eventsFixture, ticketsFixture],
  },
  'changeColumnType (tolerant cast)': {
    operations: [{ op: 'changeColumnType', table: 'docs', column: 'body', type: 'jsonb' }],
    tables: [docs],
  },
  transformColumn: {
    operations: [
      {
        op: 'transformColumn',
        table: 'docs',
        from: ['name'],
        to: [{ name: 'first', type: 'text', up: "split_part(name, ' ', 1)", nullable: false }],
        down: { name: 'first' },
        dropOld: true,
      },
    ],
    tables: [docs],
  },
  'createTable + renameTable + dropTable': [
    {
      op: 'createTable',
      table: 'audit',
      columns: [
        { name: 'id', type: 'bigint', primaryKey: true },
        { name: 'user_id', type: 'bigint', references: { table: 'users', column: 'id' } },
      ],
    },
    { op: 'renameTable', from: 'users', to: 'accounts' },
  ],
  dropTable: [{ op: 'dropTable', table: 'users' }],
};

beforeAll(() => loadParser());

describe('generated plans are lint-clean', () => {
  it.each(Object.entries(EXAMPLES))('%s', async (_name, example) => {
    const { operations, tables } = Array.isArray(example) ? { operations: example, tables: [] } : example;
    const migration: MigrationFile = {
      name: '0001',
      file: '/m/0001.json',
      checksum: 'x',
      spec: { operations } as MigrationFile['spec'],
    };
    const plan = planMigration(migration, fakeCatalog([users, ...tables]));
    const findings = await lintPlan(plan, { pgVersion: 18 });
    expect(unjustified(findings).map((f) => `${f.stepId} ${f.rule}: ${f.statement ?? f.message}`)).toEqual([]);
  });
});
