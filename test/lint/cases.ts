/**
 * Dangerous (`bad`: the rule must report) and safe (`good`: it must not) SQL for every rule. Typed
 * by RuleId, so a new rule does not compile without its cases. rules.test.ts also derives variants:
 * each bad case after other statements, and quoted inside comments and string literals (safe).
 */
import type { LintOptions } from '../../src/lint/index.js';
import type { RuleId } from '../../src/lint/rules/index.js';

export type Case = string | ({ sql: string } & Omit<LintOptions, 'include' | 'exclude' | 'file'>);

export const CASES: { [K in RuleId]: { bad: Case[]; good: Case[] } } = {
  'create-index-non-concurrent': {
    bad: [
      'CREATE INDEX users_email_idx ON users (email);',
      'create unique index IF NOT EXISTS "Idx" ON "Billing"."Users" (lower(email)) WHERE deleted_at IS NULL;',
      'BEGIN;\nCREATE INDEX i ON public.users (a);\nCOMMIT;',
      'CREATE TABLE IF NOT EXISTS users (id bigint);\nCREATE INDEX i ON users (id);',
    ],
    good: [
      'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);',
      'CREATE TABLE t (id bigint);\nCREATE INDEX i ON t (id);',
      'BEGIN;\nCREATE TABLE "Mixed"."T" (id bigint);\nCREATE INDEX i ON "Mixed"."T" (id);\nCOMMIT;',
      'SET search_path = app;\nCREATE TABLE t (id bigint);\nCREATE INDEX i ON app.t (id);',
    ],
  },
  'drop-index-non-concurrent': {
    bad: ['DROP INDEX users_email_idx;', 'drop index if exists "Billing"."Idx";', 'BEGIN;\nDROP INDEX a, b;\nCOMMIT;'],
    good: [
      'DROP INDEX CONCURRENTLY IF EXISTS users_email_idx;',
      'CREATE TABLE t (a int);\nCREATE INDEX i ON t (a);\nDROP INDEX i;',
    ],
  },
  'reindex-non-concurrent': {
    bad: [
      'REINDEX INDEX users_email_idx;',
      'reindex table "Users";',
      'REINDEX TABLE public.users;',
      'REINDEX (CONCURRENTLY false) TABLE orders;',
      'reindex (verbose, concurrently off) index orders_pkey;',
      'REINDEX SYSTEM;',
      'REINDEX DATABASE app;',
    ],
    good: [
      'REINDEX INDEX CONCURRENTLY users_email_idx;',
      'REINDEX (CONCURRENTLY) TABLE public.users;',
      'REINDEX (CONCURRENTLY true) TABLE orders;',
      'REINDEX (CONCURRENTLY on, VERBOSE) INDEX orders_pkey;',
      'CREATE TABLE t (a int);\nREINDEX TABLE t;',
    ],
  },
  'concurrently-in-transaction': {
    bad: [
      'BEGIN;\nCREATE INDEX CONCURRENTLY i ON users (a);\nCOMMIT;',
      { sql: 'CREATE INDEX CONCURRENTLY i ON users (a);', assumeInTransaction: true },
      'START TRANSACTION;\nDROP INDEX CONCURRENTLY i;\nCOMMIT;',
      'BEGIN;\nREINDEX INDEX CONCURRENTLY i;\nCOMMIT;',
      'BEGIN;\nALTER TABLE p DETACH PARTITION c CONCURRENTLY;\nEND;',
    ],
    good: [
      'CREATE INDEX CONCURRENTLY i ON users (a);',
      'BEGIN;\nCREATE INDEX i2 ON t2 (a);\nCOMMIT;\nCREATE INDEX CONCURRENTLY i ON users (a);',
      'BEGIN;\nREFRESH MATERIALIZED VIEW CONCURRENTLY mv;\nCOMMIT;',
      'BEGIN;\nREINDEX (CONCURRENTLY false) INDEX orders_pkey;\nCOMMIT;',
    ],
  },
  'concurrent-index-pg14-corruption': {
    bad: [
      { sql: 'CREATE INDEX CONCURRENTLY i ON users (a);', pgVersion: '14.2' },
      { sql: 'REINDEX INDEX CONCURRENTLY i;', pgVersion: '14.0' },
    ],
    good: [
      { sql: 'CREATE INDEX CONCURRENTLY i ON users (a);', pgVersion: '14.4' },
      { sql: 'CREATE INDEX CONCURRENTLY i ON users (a);', pgVersion: 15 },
      { sql: 'CREATE INDEX i ON users (a);', pgVersion: '14.1' },
    ],
  },
  'vacuum-full-or-cluster': {
    bad: [
      'VACUUM FULL users;',
      'vacuum (full, analyze) "Users";',
      'CLUSTER users USING users_pkey;',
      'VACUUM FULL;',
      'VACUUM (FULL true) orders;',
      'VACUUM (ANALYZE off, FULL 1) orders;',
    ],
    good: [
      'VACUUM users;',
      'VACUUM (ANALYZE) public.users;',
      'ANALYZE users;',
      'VACUUM (FULL false) orders;',
      'vacuum (full off, analyze) orders;',
      'VACUUM (FULL 0) orders;',
    ],
  },
  'refresh-matview-blocking': {
    bad: ['REFRESH MATERIALIZED VIEW stats;', 'refresh materialized view "Reports"."Daily";'],
    good: [
      'REFRESH MATERIALIZED VIEW CONCURRENTLY stats;',
      'CREATE MATERIALIZED VIEW stats AS SELECT 1 AS x WITH NO DATA;\nREFRESH MATERIALIZED VIEW stats;',
    ],
  },
  'add-check-constraint-validating': {
    bad: [
      'ALTER TABLE users ADD CONSTRAINT age_positive CHECK (age > 0);',
      'alter table "Billing"."Users" add check (amount > 0);',
      'ALTER TABLE users ADD COLUMN c int CHECK (c > 0);',
      'BEGIN;\nALTER TABLE public.users ADD CONSTRAINT c CHECK (a IS NOT NULL);\nCOMMIT;',
    ],
    good: [
      'ALTER TABLE users ADD CONSTRAINT age_positive CHECK (age > 0) NOT VALID;',
      'ALTER TABLE users VALIDATE CONSTRAINT age_positive;',
      'CREATE TABLE t (a int);\nALTER TABLE t ADD CONSTRAINT c CHECK (a > 0);',
    ],
  },
  'add-foreign-key-validating': {
    bad: [
      'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);',
      'alter table "Shop"."Orders" add foreign key ("UserId") references "Shop"."Users";',
      'ALTER TABLE orders ADD COLUMN user_id bigint REFERENCES users (id);',
    ],
    good: [
      'ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;',
      'CREATE TABLE orders2 (user_id bigint REFERENCES users (id));',
      'CREATE TABLE t (a int);\nALTER TABLE t ADD FOREIGN KEY (a) REFERENCES users (id);',
    ],
  },
  'validate-in-same-transaction': {
    bad: [
      'BEGIN;\nALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT fk;\nCOMMIT;',
      {
        sql: 'ALTER TABLE users ADD CONSTRAINT c CHECK (a > 0) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT c;',
        assumeInTransaction: true,
      },
    ],
    good: [
      'BEGIN;\nALTER TABLE users ADD CONSTRAINT c CHECK (a > 0) NOT VALID;\nCOMMIT;\nBEGIN;\nALTER TABLE users VALIDATE CONSTRAINT c;\nCOMMIT;',
      'ALTER TABLE users ADD CONSTRAINT c CHECK (a > 0) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT c;',
      'BEGIN;\nALTER TABLE other ADD CONSTRAINT c CHECK (a > 0) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT d;\nCOMMIT;',
    ],
  },
  'add-unique-constraint': {
    bad: [
      'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);',
      'alter table "Users" add unique ("Email");',
      'ALTER TABLE users ADD COLUMN code text UNIQUE;',
    ],
    good: [
      'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;',
      'CREATE TABLE t (a int);\nALTER TABLE t ADD UNIQUE (a);',
    ],
  },
  'add-primary-key': {
    bad: [
      'ALTER TABLE items ADD PRIMARY KEY (id);',
      'ALTER TABLE "Items" ADD CONSTRAINT "Items_pkey" PRIMARY KEY ("Id");',
      'ALTER TABLE items ADD COLUMN id bigint PRIMARY KEY;',
    ],
    good: [
      'ALTER TABLE items ADD CONSTRAINT items_pkey PRIMARY KEY USING INDEX items_id_idx;',
      'CREATE TABLE t (id bigint);\nALTER TABLE t ADD PRIMARY KEY (id);',
    ],
  },
  'add-primary-key-using-index-nullable': {
    bad: ['ALTER TABLE items ADD CONSTRAINT items_pkey PRIMARY KEY USING INDEX items_id_idx;'],
    good: [
      'ALTER TABLE items ADD PRIMARY KEY (id);',
      'CREATE TABLE t (id bigint NOT NULL);\nCREATE UNIQUE INDEX i ON t (id);\nALTER TABLE t ADD PRIMARY KEY USING INDEX i;',
    ],
  },
  'add-exclusion-constraint': {
    bad: ['ALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);'],
    good: [
      'CREATE TABLE b (room int, during tstzrange);\nALTER TABLE b ADD EXCLUDE USING gist (during WITH &&);',
      'CREATE TABLE b2 (during tstzrange, EXCLUDE USING gist (during WITH &&));',
    ],
  },
  'set-not-null': {
    bad: [
      'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
      'alter table "Billing"."Users" alter "Email" set not null;',
      {
        sql: 'ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT c;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;',
        pgVersion: 11,
      },
      'ALTER TABLE users VALIDATE CONSTRAINT users_email_nn;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;',
      'ALTER TABLE users ADD CONSTRAINT c CHECK (phone IS NOT NULL) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT c;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;',
      "ALTER TABLE users ADD CONSTRAINT c CHECK (email <> '') NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT c;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;",
      'ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL OR phone IS NOT NULL) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT c;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;',
    ],
    good: [
      'ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT c;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;',
      'CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a SET NOT NULL;',
      'ALTER TABLE users ALTER COLUMN email DROP NOT NULL;',
    ],
  },
  'domain-constraint-scan': {
    bad: [
      'ALTER DOMAIN positive ADD CONSTRAINT p CHECK (VALUE > 0);',
      'ALTER DOMAIN positive VALIDATE CONSTRAINT p;',
      'ALTER DOMAIN "Email" SET NOT NULL;',
    ],
    good: [
      'ALTER DOMAIN positive ADD CONSTRAINT p CHECK (VALUE > 0) NOT VALID;',
      'CREATE DOMAIN d AS int;\nALTER DOMAIN d ADD CONSTRAINT p CHECK (VALUE > 0);',
      'ALTER DOMAIN d DROP NOT NULL;',
    ],
  },
  'drop-constraint': {
    bad: ['ALTER TABLE orders DROP CONSTRAINT orders_user_fk;', 'ALTER TABLE "Orders" DROP CONSTRAINT IF EXISTS "Fk";'],
    good: [
      'CREATE TABLE t (a int CONSTRAINT c CHECK (a > 0));\nALTER TABLE t DROP CONSTRAINT c;',
      'ALTER TABLE orders ADD CONSTRAINT c CHECK (a > 0) NOT VALID;',
    ],
  },
  'add-column-rewriting-default': {
    bad: [
      'ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();',
      'alter table "Billing"."Users" add column r float8 default random();',
      'ALTER TABLE users ADD COLUMN at timestamptz NOT NULL DEFAULT clock_timestamp();',
      'ALTER TABLE users ADD COLUMN u uuid DEFAULT uuid_generate_v4();',
      "ALTER TABLE users ADD COLUMN n bigint DEFAULT nextval('s');",
      { sql: "ALTER TABLE users ADD COLUMN status text DEFAULT 'active';", pgVersion: 10 },
    ],
    good: [
      "ALTER TABLE users ADD COLUMN status text DEFAULT 'active';",
      'ALTER TABLE users ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();',
      'ALTER TABLE users ADD COLUMN at timestamptz DEFAULT CURRENT_TIMESTAMP;',
      "ALTER TABLE users ADD COLUMN x text DEFAULT 'a' || 'b';",
      "ALTER TABLE users ADD COLUMN d date DEFAULT '2020-01-01'::date;",
      "ALTER TABLE users ADD COLUMN u text DEFAULT upper('x');",
      'ALTER TABLE users ADD COLUMN n int DEFAULT NULL;',
      { sql: 'ALTER TABLE users ADD COLUMN n int DEFAULT NULL;', pgVersion: 10 },
      'CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN u uuid DEFAULT gen_random_uuid();',
    ],
  },
  'add-column-auto-increment': {
    bad: [
      'ALTER TABLE events ADD COLUMN seq bigserial;',
      'ALTER TABLE "Events" ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY;',
      'alter table events add column n serial;',
    ],
    good: [
      'ALTER TABLE events ADD COLUMN seq bigint;',
      'CREATE TABLE t (id bigserial);',
      'CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN id bigint GENERATED BY DEFAULT AS IDENTITY;',
    ],
  },
  'add-column-generated-stored': {
    bad: ['ALTER TABLE items ADD COLUMN total numeric GENERATED ALWAYS AS (price * qty) STORED;'],
    good: [
      'CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) STORED);',
      'ALTER TABLE items ADD COLUMN total numeric;',
    ],
  },
  'add-column-required': {
    bad: [
      'ALTER TABLE users ADD COLUMN tier text NOT NULL;',
      'alter table "Users" add column "Tier" text not null default null;',
      'BEGIN;\nALTER TABLE public.users ADD COLUMN a int NOT NULL;\nCOMMIT;',
    ],
    good: [
      "ALTER TABLE users ADD COLUMN tier text NOT NULL DEFAULT 'free';",
      'ALTER TABLE users ADD COLUMN tier text;',
      'ALTER TABLE users ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY NOT NULL;',
      'CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int NOT NULL;',
    ],
  },
  'add-column-constrained-domain': {
    bad: ['CREATE DOMAIN posint AS int CHECK (VALUE > 0);\nALTER TABLE users ADD COLUMN n posint;'],
    good: ['CREATE DOMAIN plain AS int;\nALTER TABLE users ADD COLUMN n plain;', 'ALTER TABLE users ADD COLUMN n int;'],
  },
  'change-column-type': {
    bad: [
      'ALTER TABLE users ALTER COLUMN id TYPE bigint;',
      'alter table "Billing"."Users" alter column "Email" set data type varchar(50);',
      'ALTER TABLE users ALTER COLUMN data TYPE jsonb USING data::jsonb;',
    ],
    good: [
      'CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a TYPE bigint;',
      "ALTER TABLE users ALTER COLUMN email SET DEFAULT 'x';",
    ],
  },
  'set-logged-unlogged': {
    bad: ['ALTER TABLE events SET UNLOGGED;', 'ALTER TABLE "Events" SET LOGGED;'],
    good: ['CREATE UNLOGGED TABLE t (a int);\nALTER TABLE t SET LOGGED;'],
  },
  'set-tablespace': {
    bad: [
      'ALTER TABLE events SET TABLESPACE fast;',
      'ALTER INDEX events_idx SET TABLESPACE fast;',
      'ALTER TABLE ALL IN TABLESPACE slow SET TABLESPACE fast;',
    ],
    good: ['CREATE TABLE t (a int);\nALTER TABLE t SET TABLESPACE fast;', 'CREATE TABLE t2 (a int) TABLESPACE fast;'],
  },
  'set-access-method': {
    bad: ['ALTER TABLE events SET ACCESS METHOD heap2;'],
    good: ['CREATE TABLE t (a int) USING heap;'],
  },
  'detach-partition-non-concurrent': {
    bad: ['ALTER TABLE measurements DETACH PARTITION measurements_2020;', 'alter table "M" detach partition "M_2020";'],
    good: [
      'ALTER TABLE measurements DETACH PARTITION measurements_2020 CONCURRENTLY;',
      'ALTER TABLE measurements DETACH PARTITION measurements_2020 FINALIZE;',
    ],
  },
  'attach-partition-scan': {
    bad: ["ALTER TABLE measurements ATTACH PARTITION m2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');"],
    good: [
      "CREATE TABLE m2024 (LIKE measurements);\nALTER TABLE measurements ATTACH PARTITION m2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');",
    ],
  },
  'rename-column': {
    bad: [
      'ALTER TABLE users RENAME COLUMN email TO email_address;',
      'alter table "Billing"."Users" rename "Email" to "EmailAddress";',
    ],
    good: [
      'CREATE TABLE t (a int);\nALTER TABLE t RENAME COLUMN a TO b;',
      'ALTER TABLE users RENAME CONSTRAINT a TO b;',
    ],
  },
  'rename-table': {
    bad: ['ALTER TABLE users RENAME TO customers;', 'ALTER TABLE "Billing"."Users" SET SCHEMA archive;'],
    good: [
      'BEGIN;\nALTER TABLE users RENAME TO customers;\nCREATE VIEW users AS SELECT * FROM customers;\nCOMMIT;',
      'CREATE TABLE t (a int);\nALTER TABLE t RENAME TO u;',
    ],
  },
  'rename-schema': {
    bad: ['ALTER SCHEMA billing RENAME TO payments;'],
    good: ['CREATE SCHEMA payments;', 'ALTER SCHEMA billing OWNER TO admin;'],
  },
  'rename-enum-value': {
    bad: ["ALTER TYPE status RENAME VALUE 'active' TO 'enabled';"],
    good: [
      "CREATE TYPE s AS ENUM ('a');\nALTER TYPE s RENAME VALUE 'a' TO 'b';",
      "ALTER TYPE status ADD VALUE 'x' AFTER 'active';",
    ],
  },
  'drop-column': {
    bad: [
      'ALTER TABLE users DROP COLUMN legacy;',
      'alter table "Billing"."Users" drop "Legacy";',
      'ALTER TABLE users DROP COLUMN IF EXISTS a, DROP COLUMN b;',
    ],
    good: ['CREATE TABLE t (a int, b int);\nALTER TABLE t DROP COLUMN b;', 'ALTER TABLE users ADD COLUMN a int;'],
  },
  'drop-table': {
    bad: ['DROP TABLE users;', 'drop table if exists "Billing"."Users", orders;'],
    good: ['CREATE TABLE tmp (a int);\nDROP TABLE tmp;', 'DROP VIEW v;'],
  },
  'drop-schema': {
    bad: ['DROP SCHEMA legacy;', 'DROP SCHEMA IF EXISTS legacy CASCADE;'],
    good: ['CREATE SCHEMA legacy;'],
  },
  'drop-database': { bad: ['DROP DATABASE prod;'], good: ['CREATE DATABASE x;'] },
  'drop-not-null': {
    bad: ['ALTER TABLE users ALTER COLUMN email DROP NOT NULL;', 'alter table "Users" alter "Email" drop not null;'],
    good: ['CREATE TABLE t (a int NOT NULL);\nALTER TABLE t ALTER COLUMN a DROP NOT NULL;'],
  },
  'drop-cascade': {
    bad: ['DROP TABLE users CASCADE;', 'DROP TYPE status CASCADE;', 'ALTER TABLE users DROP COLUMN a CASCADE;'],
    good: ['DROP TABLE users;', 'DROP TYPE status RESTRICT;'],
  },
  'truncate-table': {
    bad: ['TRUNCATE users;', 'truncate table "Billing"."Users", orders;'],
    good: ['CREATE TABLE t (a int);\nTRUNCATE t;', 'DELETE FROM users WHERE id = 1;'],
  },
  'truncate-cascade': { bad: ['TRUNCATE users CASCADE;'], good: ['TRUNCATE users RESTRICT;', 'TRUNCATE users;'] },
  'json-column': {
    bad: [
      'CREATE TABLE t (a json);',
      'ALTER TABLE users ADD COLUMN meta json;',
      'ALTER TABLE users ALTER COLUMN meta TYPE JSON;',
    ],
    good: ['CREATE TABLE t (a jsonb);', "SELECT '{}'::json;"],
  },
  'enum-add-value-in-transaction': {
    bad: [
      { sql: "BEGIN;\nALTER TYPE status ADD VALUE 'archived';\nCOMMIT;", pgVersion: 11 },
      "BEGIN;\nALTER TYPE status ADD VALUE 'archived';\nUPDATE orders SET status = 'archived' WHERE id = 1;\nCOMMIT;",
    ],
    good: [
      "BEGIN;\nALTER TYPE status ADD VALUE 'archived';\nCOMMIT;",
      "ALTER TYPE status ADD VALUE 'archived';\nUPDATE orders SET status = 'archived';",
      { sql: "ALTER TYPE status ADD VALUE 'archived';", pgVersion: 11 },
      "BEGIN;\nALTER TYPE status ADD VALUE 'archived';\nCOMMIT;\nUPDATE orders SET status = 'archived';",
    ],
  },
  'missing-lock-timeout': {
    bad: [
      'ALTER TABLE users ADD COLUMN a int;',
      "SET LOCAL lock_timeout = '1s';\nALTER TABLE users ADD COLUMN a int;",
      "BEGIN;\nSET LOCAL lock_timeout = '1s';\nCOMMIT;\nALTER TABLE users ADD COLUMN a int;",
      'SET lock_timeout = 0;\nDROP TABLE users;',
    ],
    good: [
      "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN a int;",
      "BEGIN;\nSET LOCAL lock_timeout = '2s';\nCREATE INDEX i ON users (a);\nCOMMIT;",
      'CREATE INDEX CONCURRENTLY i ON users (a);',
      'ALTER TABLE users VALIDATE CONSTRAINT c;',
      "SELECT set_config('lock_timeout', '2s', false);\nALTER TABLE users ADD COLUMN a int;",
    ],
  },
  'missing-statement-timeout': {
    bad: ['ALTER TABLE users ADD COLUMN a int;'],
    good: ["SET statement_timeout = '1h';\nALTER TABLE users ADD COLUMN a int;", 'CREATE TABLE t (a int);'],
  },
  'transaction-nesting': {
    bad: [
      'BEGIN;\nBEGIN;\nCOMMIT;\nCOMMIT;',
      'COMMIT;',
      { sql: 'BEGIN;\nALTER TABLE users ADD COLUMN a int;\nCOMMIT;', assumeInTransaction: true },
    ],
    good: [
      'BEGIN;\nALTER TABLE users ADD COLUMN a int;\nCOMMIT;',
      'BEGIN;\nSELECT 1;\nROLLBACK;\nBEGIN;\nSELECT 2;\nCOMMIT;',
    ],
  },
  'uncommitted-transaction': {
    bad: ['BEGIN;\nALTER TABLE users ADD COLUMN a int;', 'begin;\nselect 1;\ncommit;\nstart transaction;\nselect 2;'],
    good: ['BEGIN;\nSELECT 1;\nCOMMIT;', { sql: 'SELECT 1;', assumeInTransaction: true }],
  },
  'hold-access-exclusive-across-statements': {
    bad: ['BEGIN;\nALTER TABLE users ADD COLUMN a int;\nUPDATE users SET a = 1;\nCOMMIT;'],
    good: [
      'BEGIN;\nALTER TABLE users ADD COLUMN a int;\nCOMMIT;\nUPDATE users SET a = 1;',
      'ALTER TABLE users ADD COLUMN a int;\nUPDATE users SET a = 1;',
      "BEGIN;\nALTER TABLE users ADD COLUMN a int;\nSET LOCAL lock_timeout = '1s';\nCOMMIT;",
    ],
  },
  'multiple-alter-same-table': {
    bad: ['BEGIN;\nALTER TABLE users ADD COLUMN a int;\nALTER TABLE public.users ADD COLUMN b int;\nCOMMIT;'],
    good: [
      'BEGIN;\nALTER TABLE users ADD COLUMN a int, ADD COLUMN b int;\nCOMMIT;',
      'ALTER TABLE users ADD COLUMN a int;\nALTER TABLE users ADD COLUMN b int;',
      'BEGIN;\nALTER TABLE users ADD COLUMN a int;\nALTER TABLE orders ADD COLUMN b int;\nCOMMIT;',
    ],
  },
  'backfill-in-migration': {
    bad: ["UPDATE users SET tier = 'free' WHERE tier IS NULL;", 'DELETE FROM "Billing"."Events";'],
    good: ['CREATE TABLE t (a int);\nUPDATE t SET a = 1;', 'INSERT INTO users (id) VALUES (1);'],
  },
  'opaque-dynamic-sql': {
    bad: ["DO $$ BEGIN EXECUTE 'ALTER TABLE users DROP COLUMN a'; END $$;", 'CALL migrate_things();'],
    good: ['SELECT 1;', "COMMENT ON TABLE users IS 'DO $$ nothing $$';"],
  },
  'duplicate-column-assignment': {
    bad: [
      'CREATE TABLE t (a int, b int, a text);',
      'INSERT INTO users (a, a) VALUES (1, 2);',
      'UPDATE users SET a = 1, a = 2;',
      'ALTER TABLE users ADD COLUMN a int, ADD COLUMN a int;',
      'MERGE INTO orders o USING staged s ON o.id = s.id WHEN NOT MATCHED THEN INSERT (total, total) VALUES (s.a, s.b);',
      'MERGE INTO orders o USING staged s ON o.id = s.id WHEN MATCHED THEN UPDATE SET total = 1, total = 2;',
      'INSERT INTO orders (id, total) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET total = 3, total = excluded.total;',
      'CREATE VIEW order_totals AS SELECT 1 AS total, 2 AS total;',
      'CREATE VIEW v AS SELECT o.id, s.id FROM orders o JOIN staged s USING (code);',
      'CREATE VIEW v (x, x) AS SELECT 1, 2;',
      'SELECT 1 AS total, 2 AS total INTO orders_copy;',
      'CREATE TABLE orders_copy AS SELECT id, id FROM orders;',
      'CREATE FOREIGN TABLE remote_orders (id bigint, id bigint) SERVER other;',
      'UPDATE orders SET address = ROW(1, 2), address.city = 3;',
    ],
    good: [
      'CREATE TABLE t (a int, "A" int);',
      'UPDATE users SET a = 1, b = 2;',
      'UPDATE orders SET address.city = 1, address.zip = 2;',
      'UPDATE orders SET tags[1] = 1, tags[2] = 2;',
      'INSERT INTO orders (address.city, address.zip) VALUES (1, 2);',
      'MERGE INTO orders o USING staged s ON o.id = s.id WHEN MATCHED THEN UPDATE SET total = 1 WHEN NOT MATCHED THEN INSERT (total) VALUES (2);',
      'INSERT INTO orders (id, total) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET total = 3, note = 4;',
      'CREATE VIEW v (x, y) AS SELECT 1 AS a, 2 AS a;',
      'SELECT id, id FROM orders;',
    ],
  },
  'identifier-too-long': {
    bad: [
      `CREATE TABLE ${'a'.repeat(64)} (id int);`,
      `ALTER TABLE users ADD COLUMN "${'é'.repeat(32)}" int;`,
      `CREATE INDEX CONCURRENTLY ${'i'.repeat(70)} ON users (a);`,
    ],
    good: [`CREATE TABLE ${'a'.repeat(63)} (id int);`, `COMMENT ON TABLE users IS '${'x'.repeat(100)}';`],
  },
  'prefer-bigint': {
    bad: [
      'CREATE TABLE t (id int);',
      'ALTER TABLE users ADD COLUMN n smallint;',
      'CREATE TABLE t (id serial);',
      'CREATE TABLE t (ids int[]);',
      'ALTER TABLE users ADD COLUMN codes smallint[];',
      'CREATE TABLE t (ids int4[][]);',
      'ALTER TABLE users ALTER COLUMN ids TYPE integer[];',
    ],
    good: ['CREATE TABLE t (id bigint);', 'CREATE TABLE t (id bigserial);', 'CREATE TABLE t (ids bigint[]);'],
  },
  'prefer-identity': {
    bad: ['CREATE TABLE t (id bigserial);', 'ALTER TABLE users ADD COLUMN n serial;'],
    good: ['CREATE TABLE t (id bigint GENERATED BY DEFAULT AS IDENTITY);'],
  },
  'prefer-text-over-varchar': {
    bad: ['CREATE TABLE t (name varchar(100));', 'ALTER TABLE users ALTER COLUMN name TYPE character varying(20);'],
    good: ['CREATE TABLE t (name text);', 'CREATE TABLE t (name varchar);'],
  },
  'prefer-timestamptz': {
    bad: ['CREATE TABLE t (at timestamp);', 'ALTER TABLE users ADD COLUMN at timestamp without time zone;'],
    good: ['CREATE TABLE t (at timestamptz);', 'CREATE TABLE t (at timestamp with time zone);'],
  },
  'ban-char-type': {
    bad: ['CREATE TABLE t (code char(3));', 'ALTER TABLE users ADD COLUMN c character(10);'],
    good: ['CREATE TABLE t (code text);', 'CREATE TABLE t (code varchar(3));'],
  },
  'require-schema-qualified': {
    bad: ['CREATE TABLE t (a int);', 'ALTER TABLE users ADD COLUMN a int;'],
    good: ['CREATE TABLE public.t (a int);', 'CREATE TEMP TABLE t (a int);'],
  },
  'prefer-robust-statements': {
    bad: [
      'CREATE TABLE public.t (a int);',
      'CREATE INDEX CONCURRENTLY ON users (a);',
      'ALTER TABLE users ADD COLUMN a int;',
      'DROP INDEX CONCURRENTLY i;',
      'ALTER TABLE orders DROP CONSTRAINT orders_total_check;',
      'ALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY USING INDEX orders_id_idx;',
      'ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_code_key;\nALTER TABLE orders ADD CONSTRAINT orders_code_key UNIQUE USING INDEX orders_code_idx;',
    ],
    good: [
      'ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_total_check;',
      'CREATE TEMP TABLE staged (id bigint) ON COMMIT DROP;',
      'CREATE TABLE IF NOT EXISTS t (a int);',
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON users (a);',
      'BEGIN;\nCREATE TABLE t (a int);\nCOMMIT;',
      'ALTER TABLE users ADD COLUMN IF NOT EXISTS a int;',
    ],
  },
  'index-too-many-columns': {
    bad: ['CREATE INDEX CONCURRENTLY i ON users (a, b, c, d);'],
    good: [
      'CREATE INDEX CONCURRENTLY i ON users (a, b, c);',
      'CREATE UNIQUE INDEX CONCURRENTLY i ON users (a, b, c, d);',
    ],
  },
  'fk-without-index': {
    bad: [
      'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));',
      'ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;',
    ],
    good: [
      'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\nCREATE INDEX orders_user_idx ON orders (user_id);',
      'ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\nCREATE INDEX CONCURRENTLY i ON orders (user_id, created_at);',
      'CREATE TABLE m (user_id bigint REFERENCES users (id), PRIMARY KEY (user_id, x), x int);',
    ],
  },
  'create-enum': {
    bad: ["CREATE TYPE status AS ENUM ('a', 'b');"],
    good: ['CREATE TABLE statuses (name text PRIMARY KEY);'],
  },
  'create-domain-with-constraint': {
    bad: ['CREATE DOMAIN posint AS int CHECK (VALUE > 0);', 'CREATE DOMAIN e AS text NOT NULL;'],
    good: ['CREATE DOMAIN d AS int;'],
  },
  'enum-add-value-unordered': {
    bad: ["ALTER TYPE status ADD VALUE 'x';"],
    good: ["ALTER TYPE status ADD VALUE 'x' BEFORE 'y';", "ALTER TYPE status ADD VALUE IF NOT EXISTS 'x' AFTER 'y';"],
  },
  'trigger-change-on-existing-table': {
    bad: [
      'CREATE TRIGGER t BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION f();',
      'ALTER TABLE users DISABLE TRIGGER t;',
    ],
    good: ['CREATE TABLE t (a int);\nCREATE TRIGGER tr BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION f();'],
  },
};
