import { beforeAll, describe, expect, it } from 'vitest';
import type { MigrationSqlLint } from '../../src/operations/support/sql-lint.js';
import { loadParser } from '../../src/sql/parser.js';
import { column, fakeCatalog, table } from '../helpers/catalog-literal.js';
import { plan, planIssues, sqlById } from '../helpers/plans.js';

beforeAll(() => loadParser());

const users = table('users', [column('id', 'bigint', { notNull: true })], {
  primaryKey: { name: 'users_pkey', columns: ['id'] },
});
function withEnum() {
  const catalog = fakeCatalog([users]);
  catalog.enums.set('public.status', { schema: 'public', name: 'status', labels: ['active', 'deleted'] });
  catalog.resolved.set('type:status', { schema: 'public', name: 'status' });
  return catalog;
}

describe('addEnumValue plan', () => {
  it('adds the value in expand outside a transaction, and says rollback leaves it', () => {
    const p = plan([{ op: 'addEnumValue', type: 'status', value: "it's archived", before: 'deleted' }], withEnum());
    expect(p.steps).toMatchObject([
      {
        id: "add_enum_value:public.status.it's archived:expand:1",
        transactional: false,
        statements: ["ALTER TYPE public.status ADD VALUE IF NOT EXISTS 'it''s archived' BEFORE 'deleted'"],
      },
    ]);
    expect(p.steps[0]).not.toHaveProperty('undo');
    expect(p.notes[0]!.text).toMatch(/rollback leaves the value/);
  });

  it('reports unknown types and positions', () => {
    expect(planIssues([{ op: 'addEnumValue', type: 'colour', value: 'red' }], withEnum())[0]).toMatchObject({
      path: 'operations[0].type',
      message: 'enum type public.colour does not exist (or is not an enum)',
    });
    expect(
      planIssues([{ op: 'addEnumValue', type: 'status', value: 'x', after: 'gone' }], withEnum())[0],
    ).toMatchObject({
      path: 'operations[0].after',
      message: "enum public.status has no value 'gone' (it has 'active', 'deleted')",
    });
    expect(
      planIssues(
        [{ op: 'addEnumValue', type: 'status', value: 'x', before: 'active', after: 'deleted' }],
        withEnum(),
      )[0],
    ).toMatchObject({ path: 'operations[0].after' });
  });
});

describe('sql plan', () => {
  const linted = (
    findings: { rule: string; severity: 'error' | 'warning'; message: string }[],
  ): { sqlLint: MigrationSqlLint } => ({ sqlLint: new Map([['operations[0].sql', { linted: true, findings }]]) });

  it('splits statements with the parser and runs CONCURRENTLY ones outside a transaction', () => {
    const p = plan(
      [
        {
          op: 'sql',
          phase: 'expand',
          sql: "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON users (id);\n-- a comment; with a semicolon\nCOMMENT ON TABLE users IS 'a;b'",
          rollback: 'DROP INDEX CONCURRENTLY IF EXISTS i',
        },
      ],
      fakeCatalog([users]),
      linted([]),
    );
    expect(p.steps).toMatchObject([
      {
        id: 'sql:0:expand:1',
        transactional: false,
        statements: ['CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON users (id)', "COMMENT ON TABLE users IS 'a;b'"],
        undo: { statements: ['DROP INDEX CONCURRENTLY IF EXISTS i'], transactional: false },
        // From the linter's lock table: CREATE INDEX CONCURRENTLY (COMMENT ON names no relation to lock).
        impact: {
          locks: [{ relation: { schema: 'public', name: 'users' }, mode: 'SHARE UPDATE EXCLUSIVE' }],
          scansTable: true,
        },
      },
    ]);
    expect(
      sqlById(
        plan([{ op: 'sql', phase: 'contract', sql: 'DROP INDEX CONCURRENTLY i' }], fakeCatalog([users]), linted([])),
      ),
    ).toEqual({ 'sql:0:contract:1': ['DROP INDEX CONCURRENTLY i'] });
  });

  it("claims each statement's lock and scan from the linter's lock table, the strongest per relation", () => {
    const impact = (sql: string) =>
      plan([{ op: 'sql', phase: 'expand', sql, rollback: '' }], fakeCatalog([users]), linted([])).steps[0]!.impact;
    const users_ = { schema: 'public', name: 'users' };
    expect(impact('ALTER TABLE users VALIDATE CONSTRAINT c')).toMatchObject({
      locks: [{ relation: users_, mode: 'SHARE UPDATE EXCLUSIVE' }],
      scansTable: true,
    });
    expect(
      impact('UPDATE users SET id = id WHERE id = 1; ALTER TABLE users ADD CONSTRAINT c CHECK (id > 0) NOT VALID'),
    ).toMatchObject({
      locks: [{ relation: users_, mode: 'ACCESS EXCLUSIVE' }],
      scansTable: false,
    });
    expect(impact('UPDATE users SET id = id WHERE id = 1')).toMatchObject({
      locks: [{ relation: users_, mode: 'ROW EXCLUSIVE' }],
      scansTable: false,
    });
  });

  it('refuses error findings unless allowed; warnings and a missing linter become notes', () => {
    const op = { op: 'sql', phase: 'contract', sql: 'DROP TABLE users' };
    const finding = { rule: 'drop-table', severity: 'error' as const, message: 'DROP TABLE loses the data' };
    expect(planIssues([op], fakeCatalog([users]), linted([finding]))).toEqual([
      {
        file: '/m/0001_test.json',
        path: 'operations[0].sql',
        message:
          'refused by lint: [drop-table] DROP TABLE loses the data. If you accept the risk, add ["drop-table"] to "allow"',
      },
    ]);
    expect(plan([{ ...op, allow: ['drop-table'] }], fakeCatalog([users]), linted([finding])).steps).toHaveLength(1);
    const warned = plan(
      [op],
      fakeCatalog([users]),
      linted([{ rule: 'missing-lock-timeout', severity: 'warning', message: 'no lock_timeout' }]),
    );
    expect(warned.notes.map((n) => n.text)).toEqual([
      'operations[0].sql: lint warning [missing-lock-timeout] no lock_timeout',
    ]);
    expect(plan([op], fakeCatalog([users])).notes.map((n) => n.text)).toEqual([
      'operations[0].sql was not linted (no linter available): review it by hand',
    ]);
  });

  it('requires a rollback before contract, forbids one in contract, and refuses transaction control', () => {
    expect(planIssues([{ op: 'sql', phase: 'expand', sql: 'SELECT 1' }], fakeCatalog([users]))[0]).toMatchObject({
      path: 'operations[0].rollback',
      message: expect.stringContaining('give the SQL that undoes this expand SQL, or "" if it needs no undo'),
    });
    expect(
      planIssues([{ op: 'sql', phase: 'contract', sql: 'SELECT 1', rollback: 'SELECT 2' }], fakeCatalog([users]))[0],
    ).toMatchObject({ path: 'operations[0].rollback' });
    expect(
      planIssues(
        [{ op: 'sql', phase: 'switch', sql: 'BEGIN; SELECT 1; COMMIT', rollback: '' }],
        fakeCatalog([users]),
      )[0],
    ).toMatchObject({ path: 'operations[0].sql', message: expect.stringContaining('must not contain BEGIN/COMMIT') });
    expect(
      planIssues(
        [
          {
            op: 'sql',
            phase: 'expand',
            sql: 'CREATE INDEX CONCURRENTLY i ON users (id)',
            rollback: '',
            transactional: true,
          },
        ],
        fakeCatalog([users]),
      )[0],
    ).toMatchObject({
      path: 'operations[0].transactional',
      message: 'IndexStmt cannot run inside a transaction; remove "transactional": true',
    });
  });
});
