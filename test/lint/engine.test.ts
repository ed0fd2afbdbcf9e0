import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { lintSql, staticCatalog, type CatalogTable } from '../../src/lint/index.js';
import { SourceText } from '../../src/lint/source.js';

const rules = async (sql: string, options = {}) => (await lintSql(sql, options)).map((f) => f.rule);

describe('positions', () => {
  it('maps byte offsets to code-point columns with multibyte text', async () => {
    const sql = `-- ünïcødé 🚀 comment\nSELECT 'ééé'; CREATE INDEX i ON "Täble" (a);\n`;
    const [f] = await lintSql(sql);
    expect(f).toMatchObject({ rule: 'create-index-non-concurrent', line: 2, column: 15, endLine: 2, endColumn: 44 });
    expect(f!.statement).toBe('CREATE INDEX i ON "Täble" (a)');
  });

  it('SourceText handles astral characters', () => {
    const s = new SourceText('a🚀b\nc');
    expect(s.positionOfByte(5)).toEqual({ line: 1, column: 3 });
    expect(s.positionOfByte(7)).toEqual({ line: 2, column: 1 });
    expect(s.indexOfCodePoint(2)).toBe(3);
  });

  it('reports a syntax error at its line and column, without crashing', async () => {
    const found = await lintSql('SELECT 1;\nALTER TABLE ééé ADD COLUMN x int DEFAULT;\n', { file: 'bad.sql' });
    expect(found).toEqual([
      expect.objectContaining({ rule: 'syntax-error', severity: 'error', file: 'bad.sql', line: 2, column: 41 }),
    ]);
    expect(await rules("SELECT 'unterminated")).toEqual(['syntax-error']);
    expect(await rules('')).toEqual([]);
    expect(await rules('-- only a comment\n')).toEqual([]);
  });
});

describe('suppression', () => {
  it('ignores the next statement only, and counts the ignore as used', async () => {
    const sql =
      '-- zdm-ignore: drop-column -- retired in v2\nALTER TABLE users DROP COLUMN a;\nALTER TABLE users DROP COLUMN b;';
    const found = await lintSql(sql);
    expect(found.map((f) => [f.rule, f.line])).toEqual([['drop-column', 3]]);
  });

  it('accepts several rules and block comments', async () => {
    const sql = '/* zdm-ignore: drop-column, drop-cascade -- reviewed */\nALTER TABLE users DROP COLUMN a CASCADE;';
    expect(await rules(sql)).toEqual([]);
  });

  it('file-level ignores apply anywhere', async () => {
    const sql =
      'ALTER TABLE users DROP COLUMN a;\nSELECT 1;\n-- zdm-ignore-file: drop-column -- contract migration\nALTER TABLE users DROP COLUMN b;';
    expect(await rules(sql)).toEqual([]);
  });

  it('reports unknown, unused and reason-less ignores', async () => {
    const sql =
      '-- zdm-ignore: no-such-rule -- x\nSELECT 1;\n-- zdm-ignore: drop-column -- x\nSELECT 2;\n-- zdm-ignore: drop-table\nDROP TABLE users;';
    const found = await lintSql(sql);
    expect(found.map((f) => [f.rule, f.line, f.severity])).toEqual([
      ['unused-ignore', 1, 'warning'],
      ['unused-ignore', 3, 'warning'],
      ['ignore-missing-reason', 5, 'warning'],
    ]);
    expect(found[0]!.message).toContain('no-such-rule');
  });

  it('does not treat a string literal as a directive', async () => {
    expect(await rules("SELECT '-- zdm-ignore: drop-column -- x';\nALTER TABLE users DROP COLUMN a;")).toEqual([
      'drop-column',
    ]);
  });

  it('an ignore for a rule that is turned off is not "unused"', async () => {
    expect(await rules('-- zdm-ignore: drop-column -- x\nSELECT 1;', { exclude: ['drop-column'] })).toEqual([]);
  });
});

describe('options', () => {
  it('rejects unknown rule ids and bad versions as usage errors', async () => {
    await expect(lintSql('SELECT 1', { include: ['nope'] })).rejects.toBeInstanceOf(UsageError);
    await expect(lintSql('SELECT 1', { severities: { nope: 'off' } })).rejects.toBeInstanceOf(UsageError);
    await expect(lintSql('SELECT 1', { pgVersion: 'fifteen' })).rejects.toBeInstanceOf(UsageError);
  });

  it('per-rule severities override defaults, turn rules off, and turn opt-in rules on', async () => {
    const sql = 'ALTER TABLE users DROP COLUMN a;\nCREATE TABLE t (id int);';
    expect((await lintSql(sql, { severities: { 'drop-column': 'warning' } })).map((f) => [f.rule, f.severity])).toEqual(
      [['drop-column', 'warning']],
    );
    expect(await rules(sql, { severities: { 'drop-column': 'off' } })).toEqual([]);
    expect(await rules(sql, { severities: { 'prefer-bigint': 'error' } })).toEqual(['drop-column', 'prefer-bigint']);
  });

  it('default profile runs only the rules marked on', async () => {
    expect(await rules('CREATE TABLE t (id int, at timestamp, name varchar(10));')).toEqual([]);
  });
});

describe('session simulation', () => {
  it('resolves unqualified names through SET search_path', async () => {
    const sql =
      'SET search_path TO app, public;\nCREATE TABLE t (a int);\nCREATE INDEX i ON app.t (a);\nSET search_path = public;\nCREATE INDEX j ON t (a);';
    expect((await lintSql(sql)).map((f) => [f.rule, f.line])).toEqual([['create-index-non-concurrent', 5]]);
  });

  it('folds unquoted identifiers and keeps quoted ones', async () => {
    expect(await rules('CREATE TABLE Users (a int);\nCREATE INDEX i ON users (a);')).toEqual([]);
    expect(await rules('CREATE TABLE "Users" (a int);\nCREATE INDEX i ON users (a);')).toEqual([
      'create-index-non-concurrent',
    ]);
  });

  it('CREATE TABLE IF NOT EXISTS proves nothing; a rename keeps newness', async () => {
    expect(await rules('CREATE TABLE IF NOT EXISTS t (a int);\nALTER TABLE t ADD CONSTRAINT c CHECK (a > 0);')).toEqual(
      ['add-check-constraint-validating'],
    );
    expect(await rules('CREATE TABLE t (a int);\nALTER TABLE t RENAME TO u;\nCREATE INDEX i ON u (a);')).toEqual([]);
  });

  it('SET LOCAL lock_timeout ends with the transaction', async () => {
    const sql =
      "BEGIN;\nSET LOCAL lock_timeout = '1s';\nALTER TABLE users ADD COLUMN a int;\nCOMMIT;\nALTER TABLE users ADD COLUMN b int;";
    expect((await lintSql(sql, { include: ['missing-lock-timeout'] })).map((f) => [f.rule, f.line])).toEqual([
      ['missing-lock-timeout', 5],
    ]);
  });
});

describe('catalog mode (static catalog)', () => {
  const users: CatalogTable = {
    name: { schema: 'public', name: 'users' },
    kind: 'table',
    empty: false,
    columns: new Map([
      ['email', { name: 'email', type: 'character varying(100)', typeName: 'varchar', typmod: 104, notNull: false }],
      ['id', { name: 'id', type: 'integer', typeName: 'int4', typmod: -1, notNull: true }],
      [
        'price',
        { name: 'price', type: 'numeric(10,2)', typeName: 'numeric', typmod: ((10 << 16) | 2) + 4, notNull: false },
      ],
      ['at', { name: 'at', type: 'timestamp without time zone', typeName: 'timestamp', typmod: -1, notNull: false }],
      ['code', { name: 'code', type: 'text', typeName: 'text', typmod: -1, notNull: false }],
    ]),
    indexes: [],
    checks: [{ name: 'code_nn', validated: true, notNullColumns: ['code'], columns: ['code'] }],
  };
  const empty: CatalogTable = { ...users, name: { schema: 'public', name: 'empty' }, empty: true };
  const catalog = staticCatalog({ serverVersionNum: 160002, timeZone: 'UTC', tables: [users, empty] });

  it('knows which type changes need no rewrite', async () => {
    const ok = [
      'email TYPE varchar(200)',
      'email TYPE text',
      'email TYPE varchar',
      'price TYPE numeric(12,2)',
      'price TYPE numeric',
      'at TYPE timestamptz',
    ];
    for (const change of ok)
      expect(await rules(`ALTER TABLE users ALTER COLUMN ${change};`, { catalog }), change).toEqual([]);
    const bad = [
      'email TYPE varchar(50)',
      'id TYPE bigint',
      'price TYPE numeric(10,4)',
      'code TYPE varchar(10)',
      'email TYPE text USING lower(email)',
    ];
    for (const change of bad)
      expect(await rules(`ALTER TABLE users ALTER COLUMN ${change};`, { catalog }), change).toEqual([
        'change-column-type',
      ]);
    expect(
      await rules('ALTER TABLE users ALTER COLUMN at TYPE timestamptz;', {
        catalog: staticCatalog({ tables: [users], timeZone: 'Europe/Paris' }),
      }),
    ).toEqual(['change-column-type']);
  });

  it('skips the scan warning when a validated CHECK proves NOT NULL, or the column is already NOT NULL', async () => {
    expect(await rules('ALTER TABLE users ALTER COLUMN code SET NOT NULL;', { catalog })).toEqual([]);
    expect(await rules('ALTER TABLE users ALTER COLUMN id SET NOT NULL;', { catalog })).toEqual([]);
    expect(await rules('ALTER TABLE users ALTER COLUMN email SET NOT NULL;', { catalog })).toEqual(['set-not-null']);
  });

  it('treats an empty table like a new one for scans and rewrites, not for breaking changes', async () => {
    expect(await rules('CREATE INDEX i ON empty (email);', { catalog })).toEqual([]);
    expect(await rules('ALTER TABLE empty DROP COLUMN email;', { catalog })).toEqual(['drop-column']);
  });

  it('uses the server version when no --pg-version is given', async () => {
    expect(
      await rules('CREATE INDEX CONCURRENTLY i ON users (a);', {
        catalog: staticCatalog({ serverVersionNum: 140002 }),
      }),
    ).toEqual(['concurrent-index-pg14-corruption']);
    expect(
      await rules('CREATE INDEX CONCURRENTLY i ON users (a);', {
        catalog: staticCatalog({ serverVersionNum: 140002 }),
        pgVersion: 15,
      }),
    ).toEqual([]);
  });

  it('function volatility comes from the catalog first', async () => {
    const cat = staticCatalog({ functions: { my_default: 's' } });
    expect(await rules('ALTER TABLE users ADD COLUMN a int DEFAULT my_default();', { catalog: cat })).toEqual([]);
    expect(await rules('ALTER TABLE users ADD COLUMN a int DEFAULT my_default();')).toEqual([
      'add-column-rewriting-default',
    ]);
  });
});
