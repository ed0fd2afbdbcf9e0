import type { TypeName } from 'libpg-query';
import { typeInfo, typeLabel, type TypeInfo } from '../ast.js';
import type { CatalogColumn } from '../catalog.js';
import { alterTable, columnDef } from '../inspect.js';
import { LockMode } from '../locks.js';
import { lockPhrase } from '../messages.js';
import { atLeast, type PgVersion } from '../names.js';
import { defineRule } from '../rule.js';

/** Old column type as (name, modifiers) from the catalog's typname + atttypmod. */
function oldType(col: CatalogColumn): { name: string; mods: number[] } {
  const m = col.typmod;
  switch (col.typeName) {
    case 'varchar':
    case 'bpchar':
      return { name: col.typeName, mods: m >= 4 ? [m - 4] : [] };
    case 'numeric':
      return { name: 'numeric', mods: m >= 4 ? [((m - 4) >> 16) & 0xffff, (m - 4) & 0xffff] : [] };
    case 'timestamp':
    case 'timestamptz':
    case 'time':
    case 'timetz':
    case 'interval':
      return { name: col.typeName, mods: m >= 0 ? [m & 0xffff] : [] };
    default:
      return { name: col.typeName, mods: [] };
  }
}

const UTC = new Set(['utc', 'etc/utc', 'gmt', 'etc/gmt', 'z', 'zulu', 'uct', 'universal', 'etc/universal']);

const ALIASES: Record<string, string> = {
  'character varying': 'varchar',
  int: 'int4',
  integer: 'int4',
  bigint: 'int8',
  smallint: 'int2',
  decimal: 'numeric',
};

/** Changes Postgres makes without a rewrite (binary-coercible or a relaxed typmod). */
export function rewriteFree(
  from: { name: string; mods: number[] },
  to: TypeInfo,
  version: PgVersion,
  timeZone: string | undefined,
): boolean {
  const name = ALIASES[to.name] ?? to.name;
  if (to.array) return false;
  if (from.name === name && from.mods.join() === to.mods.join()) return true;
  switch (from.name) {
    case 'varchar':
      if (name === 'text') return true;
      if (name === 'varchar') return to.mods.length === 0 || (from.mods.length > 0 && to.mods[0]! >= from.mods[0]!);
      return false;
    case 'text':
      return name === 'varchar' && to.mods.length === 0;
    case 'numeric':
      if (name !== 'numeric') return false;
      if (to.mods.length === 0) return true;
      return from.mods.length === 2 && to.mods[0]! >= from.mods[0]! && (to.mods[1] ?? 0) === from.mods[1];
    case 'cidr':
      return name === 'inet';
    case 'timestamp':
      if (name === 'timestamptz') return atLeast(version, 12) && UTC.has((timeZone ?? '').toLowerCase());
      return name === from.name && (to.mods.length === 0 || (from.mods.length > 0 && to.mods[0]! >= from.mods[0]!));
    case 'timestamptz':
    case 'time':
    case 'timetz':
    case 'interval':
      return name === from.name && (to.mods.length === 0 || (from.mods.length > 0 && to.mods[0]! >= from.mods[0]!));
    default:
      return false;
  }
}

/** ALTER COLUMN TYPE rewrites the table and its indexes under ACCESS EXCLUSIVE unless binary-coercible. */
export const changeColumnType = defineRule({
  id: 'change-column-type',
  severity: 'error',
  defaultOn: true,
  kinds: ['AlterTableStmt'],
  summary: 'ALTER COLUMN ... TYPE rewrites the table and its indexes under ACCESS EXCLUSIVE',
  help: 'expand/contract: add a new column, keep it in sync with a trigger, backfill in batches, move reads, then drop the old column (zdm operation: changeColumnType)',
  check(ctx) {
    const alter = alterTable(ctx);
    if (!alter || ctx.isNewOrEmpty(alter.table)) return;
    for (const cmd of alter.cmds) {
      if (cmd.subtype !== 'AT_AlterColumnType' || !cmd.name) continue;
      const def = columnDef(cmd);
      const to = typeInfo(def?.typeName as TypeName | undefined);
      if (!to) continue;
      const col = ctx.table(alter.table)?.columns.get(cmd.name);
      if (
        col &&
        !def?.raw_default &&
        rewriteFree(oldType(col), to, ctx.version, ctx.session.timeZone ?? ctx.catalog?.timeZone)
      )
        continue;
      const from = col ? ` from ${col.type}` : '';
      ctx.report({
        message: `ALTER COLUMN ${cmd.name} TYPE ${typeLabel(to)}${from} ${lockPhrase(LockMode.AccessExclusive, alter.table, 'rewrite')} and its indexes${col ? '' : ' (unless the change is binary-coercible, which only a catalog can tell: pass --database-url)'}; clients that depend on the old type may break`,
        at: def?.typeName?.location,
      });
    }
  },
});
