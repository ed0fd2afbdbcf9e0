/**
 * What the file itself does to the schema (types, constraints, indexes declared earlier in it), on top
 * of the live catalog, and messages that must name the right object.
 */
import { describe, expect, it } from 'vitest';
import { lintSql, staticCatalog, type CatalogTable } from '../../src/lint/index.js';

const rules = async (sql: string, options = {}) => (await lintSql(sql, options)).map((f) => f.rule);

const orders: CatalogTable = {
  name: { schema: 'public', name: 'orders' },
  kind: 'table',
  empty: false,
  columns: new Map([
    ['note', { name: 'note', type: 'character varying(40)', typeName: 'varchar', typmod: 44, notNull: false }],
    ['phone', { name: 'phone', type: 'text', typeName: 'text', typmod: -1, notNull: false }],
    ['email', { name: 'email', type: 'text', typeName: 'text', typmod: -1, notNull: false }],
    ['label', { name: 'label', type: 'character varying(40)', typeName: 'varchar', typmod: 44, notNull: false }],
    ['nick', { name: 'nick', type: 'text', typeName: 'text', typmod: -1, notNull: false }],
    ['tag', { name: 'tag', type: 'text', typeName: 'text', typmod: -1, notNull: false }],
    ['ci', { name: 'ci', type: 'citext', typeName: 'citext', typmod: -1, notNull: false }],
    ['net', { name: 'net', type: 'cidr', typeName: 'cidr', typmod: -1, notNull: false }],
  ]),
  indexes: [{ name: 'orders_nick_idx', columns: ['nick'], unique: false, valid: true }],
  checks: [
    { name: 'orders_phone_nn', validated: true, notNullColumns: ['phone'], columns: ['phone'] },
    { name: 'orders_email_nn', validated: false, notNullColumns: ['email'], columns: ['email'] },
    { name: 'orders_note_len', validated: true, notNullColumns: [], columns: ['note'] },
  ],
};
const catalog = staticCatalog({ serverVersionNum: 150004, timeZone: 'UTC', tables: [orders] });

describe('SET NOT NULL needs a validated CHECK (col IS NOT NULL) on that column', () => {
  it('a VALIDATE of a NOT VALID catalog CHECK (email IS NOT NULL) earlier in the file is the proof', async () => {
    const sql =
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_email_nn;\nALTER TABLE orders ALTER COLUMN email SET NOT NULL;';
    expect(await rules(sql, { catalog })).toEqual([]);
  });

  it('a validated CHECK on another column, or one that proves no NOT NULL, is no proof', async () => {
    const other =
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_phone_nn;\nALTER TABLE orders ALTER COLUMN email SET NOT NULL;';
    expect(await rules(other, { catalog })).toEqual(['set-not-null']);
    const len =
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_note_len;\nALTER TABLE orders ALTER COLUMN note SET NOT NULL;';
    expect(await rules(len, { catalog })).toEqual(['set-not-null']);
  });

  it('without a catalog, a VALIDATE of a constraint the file does not define proves nothing', async () => {
    const sql =
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_email_nn;\nALTER TABLE orders ALTER COLUMN email SET NOT NULL;';
    expect(await rules(sql)).toEqual(['set-not-null']);
  });
});

describe('messages', () => {
  it('REINDEX SYSTEM names the database and does not suggest CONCURRENTLY', async () => {
    const [f] = await lintSql('REINDEX SYSTEM app;');
    expect(f?.rule).toBe('reindex-non-concurrent');
    expect(f?.message).toContain('system catalog');
    expect(f?.message).toContain('app');
    expect(f?.message).not.toMatch(/on the table/);
    expect(f?.help).toContain('cannot be reindexed CONCURRENTLY');
  });

  it('REINDEX DATABASE says it rebuilds every index', async () => {
    const [f] = await lintSql('REINDEX DATABASE app;');
    expect(f?.message).toMatch(/^REINDEX DATABASE app rebuilds every index in the database/);
  });
});

const typeFindings = async (sql: string, options = {}) =>
  (await lintSql(sql, options)).filter((f) => f.rule === 'change-column-type');

describe('column types as the file leaves them', () => {
  it('widened then narrowed: the narrowing is compared with the widened type, not the catalog', async () => {
    const sql =
      'ALTER TABLE orders ALTER COLUMN label TYPE varchar;\nALTER TABLE orders ALTER COLUMN label TYPE varchar(20);';
    const found = await typeFindings(sql, { catalog });
    expect(found.map((f) => f.line)).toEqual([2]);
    expect(found[0]?.message).toContain('from varchar');
  });

  it('a column added earlier in the file, then its precision raised or cidr → inet: no rewrite, with or without a catalog', async () => {
    const raised =
      'ALTER TABLE orders ADD COLUMN price numeric(10,2);\nALTER TABLE orders ALTER COLUMN price TYPE numeric(12,2);';
    const inet = 'ALTER TABLE orders ADD COLUMN block cidr;\nALTER TABLE orders ALTER COLUMN block TYPE inet;';
    for (const sql of [raised, inet]) {
      expect(await typeFindings(sql)).toEqual([]);
      expect(await typeFindings(sql, { catalog })).toEqual([]);
    }
    expect(await typeFindings('ALTER TABLE orders ALTER COLUMN net TYPE inet;', { catalog })).toEqual([]);
  });

  it('a column added earlier in the file, then its scale changed, is a rewrite', async () => {
    const sql =
      'ALTER TABLE orders ADD COLUMN price numeric(10,2);\nALTER TABLE orders ALTER COLUMN price TYPE numeric(10,4);';
    expect((await typeFindings(sql)).map((f) => f.line)).toEqual([2]);
  });

  it('a dropped and re-added column has the new type', async () => {
    const sql =
      'ALTER TABLE orders DROP COLUMN label;\nALTER TABLE orders ADD COLUMN label text;\nALTER TABLE orders ALTER COLUMN label TYPE varchar;';
    expect(await typeFindings(sql, { catalog })).toEqual([]);
  });
});

describe('rewrite-free type changes that still scan or rebuild', () => {
  it('varchar → text on a column a CHECK reads re-checks it under ACCESS EXCLUSIVE', async () => {
    const [f] = await typeFindings('ALTER TABLE orders ALTER COLUMN note TYPE text;', { catalog });
    expect(f?.message).toMatch(/needs no rewrite, but .*CHECK/);
    expect(f?.message).toContain('ACCESS EXCLUSIVE');
    expect(await typeFindings('ALTER TABLE orders ALTER COLUMN label TYPE text;', { catalog })).toEqual([]);
  });

  it('a CHECK added earlier in the file counts; one dropped earlier does not', async () => {
    const added =
      'ALTER TABLE orders ADD CONSTRAINT label_len CHECK (length(label) < 30);\nALTER TABLE orders ALTER COLUMN label TYPE text;';
    expect((await typeFindings(added, { catalog })).map((f) => f.line)).toEqual([2]);
    const dropped =
      'ALTER TABLE orders DROP CONSTRAINT orders_note_len;\nALTER TABLE orders ALTER COLUMN note TYPE text;';
    expect(await typeFindings(dropped, { catalog })).toEqual([]);
    const own =
      "ALTER TABLE orders ADD COLUMN code varchar(10) CHECK (code <> '');\nALTER TABLE orders ALTER COLUMN code TYPE text;";
    expect((await typeFindings(own)).map((f) => f.line)).toEqual([2]);
  });

  it('text/varchar ↔ citext: no rewrite on a column without an index, an index rebuild with one', async () => {
    expect(await typeFindings('ALTER TABLE orders ALTER COLUMN tag TYPE citext;', { catalog })).toEqual([]);
    expect(await typeFindings('ALTER TABLE orders ALTER COLUMN label TYPE citext;', { catalog })).toEqual([]);
    expect(await typeFindings('ALTER TABLE orders ALTER COLUMN ci TYPE text;', { catalog })).toEqual([]);
    const [indexed] = await typeFindings('ALTER TABLE orders ALTER COLUMN nick TYPE citext;', { catalog });
    expect(indexed?.message).toContain('indexes on nick are rebuilt');
    const fileIndex =
      'CREATE INDEX CONCURRENTLY orders_tag_lower ON orders (lower(tag));\nALTER TABLE orders ALTER COLUMN tag TYPE citext;';
    expect((await typeFindings(fileIndex, { catalog })).map((f) => f.line)).toEqual([2]);
  });
});
