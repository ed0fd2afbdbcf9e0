import type pg from 'pg';
import { ValidationError } from '../errors.js';
import { readCatalog } from '../db/catalog.js';
import type { MigrationFile } from '../migration/load.js';
import { lintMigrationSql } from '../operations/support/sql-lint.js';
import { catalogRefs, planMigration } from '../plan/planner.js';
import { loadParser } from '../sql/parser.js';
import type { Plan } from '../plan/types.js';
import type { RunnerContext } from '../exec/context.js';
import { acquireRunnerLock } from './lock.js';
import { ensureStateSchema } from '../exec/state-schema.js';
import type { MigrationRow } from '../exec/state-store.js';

/**
 * Runs `fn` holding zdm's runner lock (after creating the state schema on first use). The lock
 * lives on its own connection and is released whatever happens.
 */
export async function withRunnerLock<T>(ctx: RunnerContext, lockWaitMs: number, fn: () => Promise<T>): Promise<T> {
  const client = await ctx.conn.client();
  try {
    await ensureStateSchema(client, ctx.stateSchema);
    const release = await acquireRunnerLock(client, ctx.stateSchema, { waitMs: lockWaitMs, signal: ctx.signal });
    try {
      return await fn();
    } finally {
      await release();
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Reads the catalog for the migration's objects, lints its `sql` operations, and plans it (pure
 * planning after those asynchronous reads; planning parses SQL, so the parser is loaded first).
 */
export async function planFile(pool: pg.Pool, migration: MigrationFile): Promise<Plan> {
  await loadParser();
  const catalog = await readCatalog(pool, catalogRefs(migration));
  const sqlLint = await lintMigrationSql(migration, {
    serverVersionNum: catalog.serverVersionNum,
    // The whole database's catalog, read only when the migration has `sql` operations.
    catalog: async () => (await import('../lint/catalog.js')).createLiveCatalog(pool),
  });
  return planMigration(migration, catalog, { sqlLint });
}

/** A migration file together with what the state says about it. */
export interface MigrationView {
  file: MigrationFile | undefined;
  row: MigrationRow | undefined;
  name: string;
  /** The file changed after it was activated. */
  drift: boolean;
}

export async function migrationViews(ctx: RunnerContext, pool: pg.Pool): Promise<MigrationView[]> {
  const files = await ctx.loadMigrations();
  const rows = await ctx.state.migrations(pool);
  const views: MigrationView[] = files.map((file) => {
    const row = rows.find((r) => r.name === file.name);
    return {
      file,
      row,
      name: file.name,
      drift: row !== undefined && row.status !== 'rolled_back' && row.checksum !== file.checksum,
    };
  });
  for (const row of rows)
    if (!files.some((f) => f.name === row.name)) views.push({ file: undefined, row, name: row.name, drift: false });
  return views;
}

/**
 * The active migration among this directory's files. Drift (the file changed since activation)
 * is refused unless `allowDrift`; an active migration whose file is gone (deleted or renamed) is
 * refused unless `allowMissingFile`: rollback and pause run from the recorded plan and stay allowed.
 */
export function activeView(
  views: MigrationView[],
  options: { allowDrift?: boolean; allowMissingFile?: boolean } = {},
): MigrationView | undefined {
  const active =
    views.find((v) => v.row?.status === 'active' && v.file) ?? views.find((v) => v.row?.status === 'active');
  if (active && !active.file && !options.allowMissingFile) throw missingFileError(active.row!);
  if (active?.drift && !options.allowDrift) {
    throw new ValidationError([
      {
        file: active.file!.file,
        message:
          `changed since it was activated (sha256 ${active.row!.checksum.slice(0, 12)}… ` +
          `recorded, ${active.file!.checksum.slice(0, 12)}… now). zdm runs the plan it recorded; ` +
          `restore the file, or run zdm rollback and advance again to re-plan it`,
      },
    ]);
  }
  return active;
}

function missingFileError(row: MigrationRow): ValidationError {
  return new ValidationError([
    {
      file: row.file,
      message:
        `migration ${row.name} is active (${row.phase ? `${row.phase} done` : 'activated'}) ` +
        `but its file is missing from the migrations directory (deleted or renamed?). Restore the ` +
        `file to continue with zdm advance, or run zdm rollback, ` +
        `which undoes it from its recorded plan; if the file is in another directory, ` +
        `point --migrations-dir there`,
    },
  ]);
}
