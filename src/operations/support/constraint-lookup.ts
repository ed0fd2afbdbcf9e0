import type { ConstraintInfo, TableInfo } from '../../db/catalog.js';
import { displayName, quoteIdent } from '../../db/quote.js';
import type { LockTaken } from '../../plan/types.js';
import { qualified, spelledConstraint } from './common.js';
import type { PlanContext } from '../types.js';

/** What each constraint type is called in messages and plans. */
export const CONSTRAINT_KINDS: Record<ConstraintInfo['type'], string> = {
  c: 'CHECK',
  f: 'FOREIGN KEY',
  p: 'PRIMARY KEY',
  u: 'UNIQUE',
  x: 'EXCLUDE',
  t: 'constraint trigger',
  n: 'NOT NULL',
};

/**
 * The constraint named in the operation's `field` (spelled exactly, else the SQL reading), or a plan
 * error naming the table.
 */
export function existingConstraint(ctx: PlanContext, table: TableInfo, written: string, field: string): ConstraintInfo {
  const name = spelledConstraint(table, written);
  const found = table.constraints.find((c) => c.name === name);
  if (found) {
    ctx.notedFolding(field, written, found.name, `${quoteIdent(found.name)} on ${displayName(table)}`, 'constraint');
    return found;
  }
  const similar = table.constraints.find((c) => c.name.toLowerCase() === name.toLowerCase());
  const known = table.constraints.filter((c) => c.type !== 'n').map((c) => quoteIdent(c.name));
  return ctx.fail(
    field,
    `constraint ${quoteIdent(name)} does not exist on table ${displayName(table)}${
      similar
        ? ` (there is ${quoteIdent(similar.name)}: names are case-sensitive when quoted)`
        : known.length
          ? ` (it has ${known.join(', ')})`
          : ''
    }`,
  );
}

/**
 * Locks of ALTER TABLE ... DROP/RENAME on a constraint: ACCESS EXCLUSIVE on the table and, for a
 * foreign key, on the referenced table too (Postgres removes the key's triggers there).
 */
export function constraintDdlLocks(table: TableInfo, constraint: ConstraintInfo, referencedToo: boolean): LockTaken[] {
  const locks: LockTaken[] = [{ relation: qualified(table), mode: 'ACCESS EXCLUSIVE' }];
  const ref = constraint.references?.table;
  if (referencedToo && constraint.type === 'f' && ref && (ref.schema !== table.schema || ref.name !== table.name))
    locks.push({ relation: ref, mode: 'ACCESS EXCLUSIVE' });
  return locks;
}
