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
  ]),
  indexes: [],
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
