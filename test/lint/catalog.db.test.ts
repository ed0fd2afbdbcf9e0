import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLiveCatalog, lintSql, type LintCatalog } from '../../src/lint/index.js';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';

let db: TestDatabase;
let catalog: LintCatalog;

beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
  await db.query(`
    CREATE SCHEMA "Billing";
    CREATE TABLE users (id int PRIMARY KEY, email varchar(100), code text, price numeric(10,2), CONSTRAINT code_nn CHECK (code IS NOT NULL));
    INSERT INTO users SELECT g, 'u' || g, 'c', 1 FROM generate_series(1, 50) g;
    CREATE TABLE orders (id bigint PRIMARY KEY, user_id int REFERENCES users (id), note text);
    INSERT INTO orders VALUES (1, 1, 'x');
    CREATE TABLE "Billing"."Empty" (id int, v text);
    CREATE DOMAIN posint AS int CHECK (VALUE > 0);
    CREATE FUNCTION my_stable() RETURNS int LANGUAGE sql STABLE AS 'SELECT 1';
    CREATE FUNCTION my_volatile() RETURNS int LANGUAGE sql AS 'SELECT 1';
    CREATE UNIQUE INDEX users_email_idx ON users (email);
    ALTER TABLE orders ADD CONSTRAINT note_nn CHECK (note IS NOT NULL) NOT VALID;
    CREATE TABLE tagged (id int, label varchar(20) CONSTRAINT label_len CHECK (length(label) > 0), plain varchar(20), idx text);
    INSERT INTO tagged VALUES (1, 'a', 'b', 'c');
    CREATE INDEX tagged_idx ON tagged (lower(idx));
  `);
  catalog = await createLiveCatalog(db.pool);
});
afterAll(async () => db?.drop());

const rules = async (sql: string, extra: { include?: string[] } = {}) =>
  (await lintSql(sql, { catalog, ...extra })).map((f) => f.rule);

describe('live catalog', () => {
  it('reads the server version and exempts rewrite-free type changes', async () => {
    expect(Math.floor(catalog.serverVersionNum! / 10000)).toBe(db.major);
    expect(await rules('ALTER TABLE users ALTER COLUMN email TYPE text;')).toEqual([]);
    expect(await rules('ALTER TABLE users ALTER COLUMN email TYPE varchar(200);')).toEqual([]);
    expect(await rules('ALTER TABLE users ALTER COLUMN price TYPE numeric(12,2);')).toEqual([]);
    expect(await rules('ALTER TABLE users ALTER COLUMN email TYPE varchar(50);')).toEqual(['change-column-type']);
    expect(await rules('ALTER TABLE users ALTER COLUMN id TYPE bigint;')).toEqual(['change-column-type']);
  });

  it('reads which columns a CHECK reads: varchar → text re-checks it, and VALIDATE of the NOT VALID one is the proof', async () => {
    expect(await rules('ALTER TABLE tagged ALTER COLUMN label TYPE text;')).toEqual(['change-column-type']);
    expect(await rules('ALTER TABLE tagged ALTER COLUMN plain TYPE text;')).toEqual([]);
    expect(
      await rules(
        'ALTER TABLE orders VALIDATE CONSTRAINT note_nn;\nALTER TABLE orders ALTER COLUMN note SET NOT NULL;',
      ),
    ).toEqual([]);
  });

  it('knows validated NOT NULL checks (not NOT VALID ones) and existing NOT NULL', async () => {
    expect(await rules('ALTER TABLE users ALTER COLUMN code SET NOT NULL;')).toEqual([]);
    expect(await rules('ALTER TABLE users ALTER COLUMN id SET NOT NULL;')).toEqual([]);
    expect(await rules('ALTER TABLE orders ALTER COLUMN note SET NOT NULL;')).toEqual(['set-not-null']);
  });

  it('treats empty tables as free to scan or rewrite, with quoted schema names', async () => {
    expect(await rules('CREATE INDEX i ON "Billing"."Empty" (id);')).toEqual([]);
    expect(await rules('ALTER TABLE "Billing"."Empty" ADD CONSTRAINT c CHECK (id > 0);')).toEqual([]);
    expect(await rules('CREATE INDEX i ON users (code);')).toEqual(['create-index-non-concurrent']);
    expect(await rules('DROP INDEX users_email_idx;')).toEqual(['drop-index-non-concurrent']);
  });

  it('finds FK columns without an index', async () => {
    expect(
      await rules('ALTER TABLE orders ADD CONSTRAINT fk2 FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;', {
        include: ['fk-without-index'],
      }),
    ).toEqual(['fk-without-index']);
    expect(
      await rules('ALTER TABLE orders ADD CONSTRAINT fk2 FOREIGN KEY (id) REFERENCES users (id) NOT VALID;', {
        include: ['fk-without-index'],
      }),
    ).toEqual([]);
  });

  it('reads domains and function volatility', async () => {
    expect(await rules('ALTER TABLE orders ADD COLUMN n posint;')).toEqual(['add-column-constrained-domain']);
    expect(await rules('ALTER TABLE orders ADD COLUMN n int DEFAULT my_stable();')).toEqual([]);
    expect(await rules('ALTER TABLE orders ADD COLUMN n int DEFAULT my_volatile();')).toEqual([
      'add-column-rewriting-default',
    ]);
  });

  it('primary key USING INDEX on a nullable column', async () => {
    expect(
      await rules('ALTER TABLE users ADD CONSTRAINT p2 PRIMARY KEY USING INDEX users_email_idx;', {
        include: ['add-primary-key-using-index-nullable'],
      }),
    ).toEqual(['add-primary-key-using-index-nullable']);
  });
});
