import { expect } from 'vitest';
import type { Catalog, ColumnInfo, ConstraintInfo, IndexInfo, TableInfo } from '../../src/db/catalog.js';
import { quoteIdent } from '../../src/db/quote.js';
import { ValidationError } from '../../src/errors.js';
import type { MigrationFile } from '../../src/migration/load.js';
import { MigrationSchema } from '../../src/migration/schema.js';
import { stepSql } from '../../src/plan/describe.js';
import { planMigration } from '../../src/plan/planner.js';
import type { Plan } from '../../src/plan/types.js';
import type { Volatility } from '../../src/sql/expression.js';

/**
 * Hand-built catalog snapshots for pure planning tests (no database): a table is written the way
 * readCatalog() would return it.
 */

export function col(name: string, type: string, extra: Partial<ColumnInfo> = {}): ColumnInfo {
  return {
    name,
    attnum: 0,
    type,
    typeOid: 0,
    notNull: false,
    default: null,
    identity: '',
    generated: '',
    collation: null,
    comment: null,
    ownedSequence: null,
    ...extra,
  };
}

export function index(name: string, definition: string, columns: string[], extra: Partial<IndexInfo> = {}): IndexInfo {
  return {
    name,
    schema: 'public',
    definition,
    unique: /UNIQUE/.test(definition),
    primary: false,
    valid: true,
    columns,
    constraint: null,
    ...extra,
  };
}

export function constraint(
  name: string,
  type: ConstraintInfo['type'],
  definition: string,
  columns: string[],
  extra: Partial<ConstraintInfo> = {},
): ConstraintInfo {
  return { name, type, definition, validated: true, columns, references: null, index: null, ...extra };
}

/** A table in schema public; `id` bigint primary key first unless `columns` says otherwise. */
export function table(name: string, columns: ColumnInfo[], extra: Partial<TableInfo> = {}): TableInfo {
  const cols = columns.map((c, i) => ({ ...c, attnum: i + 1 }));
  const pk =
    extra.primaryKey === undefined && cols.some((c) => c.name === 'id')
      ? { name: `${name}_pkey`, columns: ['id'] }
      : (extra.primaryKey ?? null);
  const pkIndex = pk
    ? [
        index(
          pk.name,
          `CREATE UNIQUE INDEX ${quoteIdent(pk.name)} ON public.${quoteIdent(name)} USING btree (${pk.columns.map(quoteIdent).join(', ')})`,
          pk.columns,
          { primary: true, constraint: pk.name },
        ),
      ]
    : [];
  const pkConstraint = pk
    ? [constraint(pk.name, 'p', `PRIMARY KEY (${pk.columns.join(', ')})`, pk.columns, { index: pk.name })]
    : [];
  return {
    oid: 0,
    schema: 'public',
    name,
    relkind: 'r',
    estimatedRows: 1000,
    sizeBytes: 65536,
    columns: cols,
    primaryKey: pk,
    indexes: [...pkIndex, ...(extra.indexes ?? [])],
    constraints: [...pkConstraint, ...(extra.constraints ?? [])],
    referencedBy: extra.referencedBy ?? [],
    dependents: extra.dependents ?? [],
    triggers: extra.triggers ?? [],
  };
}

/** Builtin volatility as pg_proc has it, for the functions the tests use. */
const FUNCTIONS: [string, Volatility][] = [
  ['now', 's'],
  ['lower', 'i'],
  ['coalesce', 'i'],
  ['gen_random_uuid', 'v'],
  ['clock_timestamp', 'v'],
  ['random', 'v'],
  ['split_part', 'i'],
];

export function catalog(tables: TableInfo[], serverVersionNum = 180000): Catalog {
  const cat: Catalog = {
    serverVersionNum,
    defaultSchema: 'public',
    tables: new Map(tables.map((t) => [`${t.schema}.${t.name}`, t])),
    resolved: new Map(tables.map((t) => [t.name, { schema: t.schema, name: t.name }])),
    enums: new Map(),
    indexes: new Map(),
    functions: new Map(FUNCTIONS),
  };
  for (const t of tables) {
    for (const ix of t.indexes) {
      cat.indexes.set(`${ix.schema}.${ix.name}`, { ...ix, table: { schema: t.schema, name: t.name } });
      cat.resolved.set(`index:${ix.name}`, { schema: ix.schema, name: ix.name });
    }
  }
  return cat;
}

/** Validates the operations like the loader does, then plans them against the catalog. */
export function planOps(operations: unknown[], cat: Catalog): Plan {
  const spec = MigrationSchema.parse({ operations });
  const file: MigrationFile = {
    name: '0001_test',
    file: '/migrations/0001_test.json',
    checksum: '0'.repeat(64),
    spec: spec as MigrationFile['spec'],
  };
  return planMigration(file, cat);
}

export function planError(operations: unknown[], cat: Catalog): ValidationError {
  try {
    planOps(operations, cat);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error('expected the plan to fail');
}

/** Every step as `id`, its SQL, and its undo: what `zdm plan` prints, without the prose. */
export function planSql(plan: Plan): { id: string; sql: string[]; undo?: string[] }[] {
  return plan.steps.map((s) => {
    const undo = 'undo' in s ? s.undo : undefined;
    return { id: s.id, sql: stepSql(s), ...(undo ? { undo: undo.statements } : {}) };
  });
}

/** users (id bigint PK, user_email varchar(200) NOT NULL DEFAULT 'x' UNIQUE): the rename scenario. */
export const usersFixture = table(
  'users',
  [
    col('id', 'bigint', { notNull: true }),
    col('user_email', 'character varying(200)', { notNull: true, default: "'x'::character varying" }),
  ],
  {
    indexes: [
      index(
        'users_user_email_key',
        'CREATE UNIQUE INDEX users_user_email_key ON public.users USING btree (user_email)',
        ['user_email'],
        { constraint: 'users_user_email_key' },
      ),
    ],
    constraints: [
      constraint('users_user_email_key', 'u', 'UNIQUE (user_email)', ['user_email'], { index: 'users_user_email_key' }),
    ],
  },
);
