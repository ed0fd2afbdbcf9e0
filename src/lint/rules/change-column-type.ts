import type { TypeName } from 'libpg-query';
import { typeInfo, typeLabel, type TypeInfo } from '../ast.js';
import { alterTable, columnDef } from '../inspect.js';
import { LockMode } from '../locks.js';
import { lockPhrase } from '../messages.js';
import { atLeast, type PgVersion, type QualifiedName } from '../names.js';
import { defineRule, type RuleContext } from '../rule.js';
import { columnTypeOf, type ColumnType } from '../schema.js';

const UTC = new Set(['utc', 'etc/utc', 'gmt', 'etc/gmt', 'z', 'zulu', 'uct', 'universal', 'etc/universal']);

/** text-like types whose values citext shares byte for byte (citext's casts are WITHOUT FUNCTION). */
const CITEXT_PEERS = new Set(['text', 'varchar', 'citext']);

const notNarrower = (from: ColumnType, to: ColumnType) =>
  to.mods.length === 0 || (from.mods.length > 0 && to.mods[0]! >= from.mods[0]!);

/** Changes Postgres makes without a rewrite (binary-coercible or a relaxed typmod). */
function rewriteFree(from: ColumnType, to: ColumnType, version: PgVersion, timeZone: string | undefined): boolean {
  if (from.array || to.array)
    return from.array === to.array && from.name === to.name && from.mods.join() === to.mods.join();
  if (from.name === to.name && from.mods.join() === to.mods.join()) return true;
  if ((from.name === 'citext' || to.name === 'citext') && CITEXT_PEERS.has(from.name) && CITEXT_PEERS.has(to.name))
    return to.name !== 'varchar' || to.mods.length === 0;
  switch (from.name) {
    case 'varchar':
      return to.name === 'text' || (to.name === 'varchar' && notNarrower(from, to));
    case 'text':
      return to.name === 'varchar' && to.mods.length === 0;
    case 'numeric':
      if (to.name !== 'numeric') return false;
      if (to.mods.length === 0) return true;
      return from.mods.length === 2 && to.mods[0]! >= from.mods[0]! && (to.mods[1] ?? 0) === from.mods[1];
    case 'cidr':
      return to.name === 'inet';
    case 'timestamp':
      if (to.name === 'timestamptz') return atLeast(version, 12) && UTC.has((timeZone ?? '').toLowerCase());
      return to.name === from.name && notNarrower(from, to);
    case 'timestamptz':
    case 'time':
    case 'timetz':
    case 'interval':
      return to.name === from.name && notNarrower(from, to);
    default:
      return false;
  }
}

/**
 * What a rewrite-free change still costs: Postgres drops and re-adds every CHECK that reads the
 * column (re-checked by a full scan under ACCESS EXCLUSIVE), and rebuilds its indexes when the
 * operator class changes (citext's differs from text's).
 */
function leftoverCost(ctx: RuleContext, table: QualifiedName, column: string, from: ColumnType, to: ColumnType) {
  const schema = ctx.session.schema;
  const citext = (from.name === 'citext') !== (to.name === 'citext');
  if (!schema.known(table, column))
    return (
      `Postgres re-checks any CHECK constraint that reads ${column} (a full scan under ACCESS ` +
      `EXCLUSIVE)${citext ? ' and rebuilds its indexes' : ''}, ` +
      `and without --database-url zdm cannot tell whether there is one`
    );
  if (schema.checked(table, column))
    return (
      `Postgres drops and re-adds the CHECK constraints that read ${column}, ` +
      `and re-checking them ${lockPhrase(LockMode.AccessExclusive, table, 'scan')}`
    );
  if (citext && schema.mayBeIndexed(table, column))
    return (
      `the indexes on ${column} are rebuilt (citext's operator class differs from text's): ` +
      `it ${lockPhrase(LockMode.AccessExclusive, table, 'build')}`
    );
  return undefined;
}

function typeOf(info: TypeInfo): ColumnType {
  return columnTypeOf(info, typeLabel(info));
}

/** ALTER COLUMN TYPE rewrites the table and its indexes under ACCESS EXCLUSIVE unless binary-coercible. */
export const changeColumnType = defineRule({
  id: 'change-column-type',
  severity: 'error',
  defaultOn: true,
  kinds: ['AlterTableStmt'],
  summary: 'ALTER COLUMN ... TYPE rewrites the table and its indexes under ACCESS EXCLUSIVE',
  help:
    'expand/contract: add a new column, keep it in sync with a trigger, backfill in batches, ' +
    'move reads, then drop the old column (zdm operation: changeColumnType)',
  check(ctx) {
    const alter = alterTable(ctx);
    if (!alter || ctx.isNewOrEmpty(alter.table)) return;
    for (const cmd of alter.cmds) {
      if (cmd.subtype !== 'AT_AlterColumnType' || !cmd.name) continue;
      const def = columnDef(cmd);
      const info = typeInfo(def?.typeName as TypeName | undefined);
      if (!info) continue;
      const to = typeOf(info);
      const table = alter.table;
      const col = table ? ctx.session.schema.column(table, cmd.name) : undefined;
      const timeZone = ctx.session.timeZone ?? ctx.catalog?.timeZone;
      const free = col && table && !def?.raw_default && rewriteFree(col, to, ctx.version, timeZone);
      const leftover = free ? leftoverCost(ctx, table, cmd.name, col, to) : undefined;
      if (free && !leftover) continue;
      const change = `ALTER COLUMN ${cmd.name} TYPE ${typeLabel(info)}${col ? ` from ${col.label}` : ''}`;
      ctx.report({
        message: leftover
          ? `${change} needs no rewrite, but ${leftover}`
          : `${change} ${lockPhrase(LockMode.AccessExclusive, table, 'rewrite')} and its ` +
            `indexes${col ? '' : ' (unless the change is binary-coercible, which only a catalog can tell: pass --database-url)'}; ` +
            `clients that depend on the old type may break`,
        at: def?.typeName?.location,
      });
    }
  },
});
