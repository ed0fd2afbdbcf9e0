import { expect } from 'vitest';
import type { Catalog } from '../../src/db/catalog.js';
import { ValidationError, type ValidationIssue } from '../../src/errors.js';
import type { MigrationFile } from '../../src/migration/load.js';
import { planMigration, type PlanInputs } from '../../src/plan/planner.js';
import type { Plan } from '../../src/plan/types.js';
import { stepSql } from '../../src/plan/describe.js';

/** A migration file as the loader would give it, for planning without a database. */
export function migrationOf(operations: unknown[], name = '0001_test'): MigrationFile {
  return { name, file: `/m/${name}.json`, checksum: 'abc', spec: { operations } as MigrationFile['spec'] };
}

export function plan(operations: unknown[], catalog: Catalog, inputs?: PlanInputs): Plan {
  return planMigration(migrationOf(operations), catalog, inputs);
}

/** Step id -> the SQL it runs. */
export function sqlById(p: Plan): Record<string, string[]> {
  return Object.fromEntries(p.steps.map((s) => [s.id, stepSql(s)]));
}

/** The issues planning reports (it must throw a ValidationError). */
export function planIssues(operations: unknown[], catalog: Catalog, inputs?: PlanInputs): ValidationIssue[] {
  try {
    plan(operations, catalog, inputs);
  } catch (err) {
    if (err instanceof ValidationError) return [...err.issues];
    throw err;
  }
  throw new Error('planning succeeded; expected a ValidationError');
}

/** zdm's design rule, for every step: nothing scans or rewrites a table while holding ACCESS EXCLUSIVE. */
export function expectNoScanUnderAccessExclusive(p: Plan): void {
  for (const step of p.steps) {
    if (!step.impact.locks.some((l) => l.mode === 'ACCESS EXCLUSIVE')) continue;
    expect({
      id: step.id,
      scans: step.impact.scansTable,
      rewrites: step.impact.rewritesTable,
      duration: step.impact.lockDuration,
    }).toEqual({ id: step.id, scans: false, rewrites: false, duration: 'brief' });
  }
}
