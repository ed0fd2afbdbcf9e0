import { readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/db/catalog.js';
import { loadMigrations, type MigrationFile } from '../../src/migration/load.js';
import { lintMigrationSql } from '../../src/operations/support/sql-lint.js';
import { planAgainstModel } from '../../src/plan/planner.js';
import type { Plan } from '../../src/plan/types.js';
import { loadParser } from '../../src/sql/parser.js';
import { catalog } from '../helpers/catalog.js';

/**
 * migrations-examples/from-pgroll/: pgroll's examples written as zdm migrations, in pgroll's order.
 * Each is planned (no database) against the schema the ones before it leave (the virtual schema
 * after contract), starting from an empty database, with its `sql` operations linted as
 * `zdm plan` lints them. from-pgroll.db.test.ts runs them on a database.
 */
const dir = path.resolve('migrations-examples/from-pgroll');
let migrations: MigrationFile[] = [];
const plans = new Map<string, Plan>();
const refused: string[] = [];

beforeAll(async () => {
  await loadParser();
  migrations = await loadMigrations(dir);
  let schema: Catalog = catalog([]);
  for (const migration of migrations) {
    const sqlLint = await lintMigrationSql(migration, { serverVersionNum: schema.serverVersionNum });
    try {
      const { plan, after } = planAgainstModel(migration, schema, { sqlLint });
      plans.set(migration.name, plan);
      schema = after;
    } catch (err) {
      refused.push(`${migration.name}: ${(err as Error).message}`);
    }
  }
});

describe('migrations-examples/from-pgroll', () => {
  it('has one migration for each pgroll example (56, pgroll numbers 55 twice)', () => {
    expect(readdirSync(dir).filter((f) => f.endsWith('.yaml'))).toHaveLength(57);
    expect(migrations.map((m) => m.name)).toEqual([...plans.keys()]);
  });

  it('every migration plans against the schema the ones before it leave', () => {
    expect(refused).toEqual([]);
    for (const m of migrations) expect(plans.get(m.name)?.steps.length, m.name).toBeGreaterThan(0);
  });
});
