import { tableKey, type TableInfo } from '../../db/catalog.js';
import { displayName, parseColumnName, quoteIdent } from '../../db/quote.js';
import { expressionColumns, parseTypeName } from '../../sql/expression.js';
import type { PlanContext, StepBuilder } from '../types.js';
import { spelledColumn } from './common.js';
import { describeDependents } from './dependents.js';
import { checkedExpression } from './fragments.js';
import { modelConstraint } from './model-objects.js';
import { planShadow, namesOf, type ShadowUnit } from './shadow-column.js';

export interface FixingCheck {
  /** The constraint's name (parsed) and its boolean expression as the user wrote it. */
  name: string;
  expression: string;
  /** Column (as written) -> expression over the row giving a value the check accepts. */
  up: Record<string, string>;
  /** Column (as written) -> expression over the row giving the old application's value (default: the new one). */
  down: Record<string, string> | undefined;
}

/**
 * A CHECK whose `up` rewrites the values it would reject, the old application keeping its own
 * values until switch: each `up` column gets a shadow copy of the same type (the shadow-column
 * strategy of changeColumnType, support/shadow-column.ts) computed with `up` by the trigger (old
 * application writes) and the backfill (existing rows); the check is added NOT VALID on the copy
 * in expand, as one of its constraints, VALIDATEd at switch before the swap, and takes its name at
 * contract. After the swap the column is the checked copy for every version, every write of it
 * passing through `up` until contract (so the old application still writes what it did), and the
 * old values are kept hidden with `down` for rollback until contract.
 */
export function planFixingCheck(ctx: PlanContext, steps: StepBuilder, table: TableInfo, check: FixingCheck): void {
  const names = new Set(table.columns.map((c) => c.name));
  const used = expressionColumns(check.expression);
  const units: ShadowUnit[] = Object.entries(check.up).map(([written, text]) => {
    const field = `up.${written}`;
    const column = ctx.column(table, spelledColumn(table, written), field);
    refuse(ctx, table, column.name, field);
    const earlier = ctx.changedBy(table, column.name);
    if (earlier)
      ctx.fail(
        field,
        `${ctx.describeOp(earlier.op)} already changes ${displayName(table)}.${quoteIdent(column.name)} in this migration; \`up\` copies the column as it is before expand: put the check with \`up\` in a later migration`,
      );
    if (!used.has(column.name))
      ctx.fail(
        field,
        `the check does not use ${quoteIdent(column.name)}: \`up\` rewrites only columns the check reads`,
      );
    const downText = check.down?.[written];
    return {
      table,
      column,
      newType: parseTypeName(column.type),
      using: checkedExpression(ctx, field, text, names),
      down:
        downText === undefined ? quoteIdent(column.name) : checkedExpression(ctx, `down.${written}`, downText, names),
      tolerant: false,
      convertedDefault: column.default !== null && !sequenceDefault(column) ? column.default : undefined,
      fixWrites: text,
    };
  });
  for (const key of Object.keys(check.down ?? {}))
    if (!(key in check.up)) ctx.fail(`down.${key}`, `${quoteIdent(parseColumnName(key))} has no \`up\``);
  for (const u of units)
    for (const name of [namesOf(u).shadow, namesOf(u).hidden])
      if (names.has(name))
        ctx.fail(
          `up`,
          `${displayName(table)} already has a column ${quoteIdent(name)}, a name zdm needs for the window`,
        );
  // The new check, as if the column had it: the copy machinery adds it NOT VALID on the shadow,
  // validates it at switch and renames it at contract (there is no original to drop).
  const withCheck: TableInfo = {
    ...table,
    constraints: [
      ...table.constraints,
      modelConstraint(check.name, 'c', [...used], `CHECK (${check.expression.trim()})`, { validated: false }),
    ],
  };
  const unitsOn = units.map((u) => ({ ...u, table: withCheck }));
  planShadow(ctx, steps, unitsOn, new Map([[tableKey(table), withCheck]]));
  const where = units.map((u) => `${displayName(table)}.${quoteIdent(u.column.name)}`).join(', ');
  ctx.note({
    phase: 'contract',
    text: `from contract on, writes of ${where} that violate ${quoteIdent(check.name)} fail: deploy only application versions that write accepted values`,
  });
  ctx.note({
    phase: 'expand',
    text: `until switch, the old application writes ${where} unchanged; the checked copy gets \`up\` of what it writes`,
  });
  ctx.note({
    phase: 'switch',
    text: `switch swaps the columns: from then on ${where} is the checked column for every application version, and until contract every write of it gets \`up\` (values ${quoteIdent(check.name)} rejects are rewritten, not refused); the old values stay hidden (kept with \`down\`) for rollback`,
  });
}

function sequenceDefault(column: TableInfo['columns'][number]): boolean {
  return column.identity !== '' || (column.ownedSequence !== null && column.default?.includes('nextval(') === true);
}

/** What the shadow copy cannot carry here (changeColumnType refuses the same). */
function refuse(ctx: PlanContext, table: TableInfo, column: string, field: string): void {
  const where = `${displayName(table)}.${quoteIdent(column)}`;
  const col = table.columns.find((c) => c.name === column)!;
  if (col.generated) ctx.fail(field, `${where} is a generated column; \`up\` cannot rewrite it`);
  if (table.relkind === 'p')
    ctx.fail(field, `${where} is on a partitioned table; \`up\` on a check is not supported there yet`);
  const dependents = table.dependents.filter((d) => d.column === column && d.kind !== 'statistics');
  if (dependents.length > 0)
    ctx.fail(
      field,
      `${where} is used by ${describeDependents(dependents, table)}; \`up\` needs a copy of the column, which they would not follow`,
    );
  const exclusion = table.constraints.find((c) => c.type === 'x' && c.columns.includes(column));
  if (exclusion)
    ctx.fail(
      field,
      `${where} is part of exclusion constraint ${quoteIdent(exclusion.name)}, which cannot be rebuilt without a blocking lock`,
    );
  const inbound = table.referencedBy.find((fk) => fk.referencedColumns.includes(column));
  if (inbound)
    ctx.fail(
      field,
      `${where} is referenced by foreign key ${quoteIdent(inbound.name)} on ${displayName(inbound.table)}; \`up\` on a check of a referenced column is not supported`,
    );
}
