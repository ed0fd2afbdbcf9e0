import type { ColumnDependent, DependentTrigger, TableInfo } from '../../db/catalog.js';
import { displayName, quoteIdent, quoteLiteral, type QualifiedName } from '../../db/quote.js';
import type { LockTaken } from '../../plan/types.js';
import {
  namesInSource,
  rewriteFunctionDefinition,
  rewritePolicyExpression,
  rewriteTriggerDefinition,
  widenTriggerColumns,
} from '../../sql/dependent-rewrite.js';
import * as ddl from './ddl.js';
import { generatedColumnReason } from './dependents.js';
import { partitionsOf } from './partitions.js';

/** Statements of one phase that carry dependents to the new columns, with what they lock and name. */
export interface DependentChange {
  statements: string[];
  /** Relations other than the table, locked before it (readers take them first). */
  locks: LockTaken[];
  /** `policy own on public.members`, for the plan. */
  names: string[];
}

/**
 * Policies, triggers (WHEN, UPDATE OF), SQL-standard functions and publications that follow
 * renamed columns. Views are dependent-views.ts's.
 */
export interface FollowingObjects {
  /** expand (in the step that adds the new columns): UPDATE OF lists widened to the new columns too. */
  expand: DependentChange & { undo: string[] };
  /** switch: SQL-standard functions read and publications publish the new columns instead of the old ones. */
  switch: DependentChange & { undo: string[] };
  /** contract (before the old columns are dropped): everything on the new columns. */
  contract: DependentChange;
  /**
   * contract, once zdm's own CHECK constraints on the table are gone and before the old columns are
   * dropped: virtual generated columns' expressions on the new columns (SET EXPRESSION is refused on a
   * table with a CHECK constraint).
   */
  generated: DependentChange;
  /** Dependents that cannot follow, each with the reason. */
  refused: string[];
  /** Functions zdm cannot see into for sure (their bodies are not tracked): named in a plan warning. */
  untracked: string[];
  /** Notes about what a dependent sees during the window. */
  notes: string[];
}

type Kind = 'policy' | 'trigger' | 'function' | 'publication' | 'generated column';
const KINDS: ReadonlySet<string> = new Set<Kind>(['policy', 'trigger', 'function', 'publication', 'generated column']);

const change = (): DependentChange & { undo: string[] } => ({ statements: [], locks: [], names: [], undo: [] });

/**
 * What carries `table`'s dependents of kinds policy/trigger/function/publication to `renames`' new names.
 * `later`: the renames of the operations after this one in the file (PlanContext.laterRenames).
 */
export function followingObjects(
  table: TableInfo,
  renames: ReadonlyMap<string, string>,
  later: ReadonlyMap<string, string> = new Map(),
): FollowingObjects {
  const out: FollowingObjects = {
    expand: change(),
    switch: change(),
    contract: change(),
    generated: change(),
    refused: [],
    untracked: [],
    notes: [],
  };
  const seen = new Set<string>();
  for (const d of table.dependents) {
    if (!KINDS.has(d.kind) || !renames.has(d.column) || seen.has(`${d.kind} ${d.name}`)) continue;
    seen.add(`${d.kind} ${d.name}`);
    const reason = follow(out, table, d, renames, later);
    const on = d.on ? ` on partition ${displayName(d.on)}` : '';
    if (reason) out.refused.push(`${d.kind} ${d.name}${on} (${reason})`);
  }
  out.untracked = untrackedFunctions(table, renames, seen);
  return out;
}

const t = (table: TableInfo): QualifiedName => ({ schema: table.schema, name: table.name });
/** The relation whose column `d` reads: the table, or the partition of it `d` is on. */
const relationOf = (table: TableInfo, d: ColumnDependent): QualifiedName => d.on ?? t(table);

/** Adds what carries one dependent; returns why it cannot, instead. */
function follow(
  out: FollowingObjects,
  table: TableInfo,
  d: ColumnDependent,
  renames: ReadonlyMap<string, string>,
  later: ReadonlyMap<string, string>,
): string | null {
  switch (d.kind) {
    case 'policy':
      return d.policy ? followPolicy(out, relationOf(table, d), d.policy, renames) : 'its definition was not read';
    case 'trigger':
      return d.trigger ? followTrigger(out, table, d.trigger, renames, later) : 'its definition was not read';
    case 'function':
      return d.function ? followFunction(out, table, d, renames) : 'its definition was not read';
    case 'publication':
      if (d.on) return PARTITION_PUBLICATION;
      return d.publication ? followPublication(out, table, d.publication, renames) : 'its definition was not read';
    case 'generated column':
      return followGenerated(out, table, d.name, renames);
    default:
      return 'zdm cannot carry it to the new column';
  }
}

const PARTITION_PUBLICATION =
  `zdm does not yet carry a partition's own publication column list or row filter: publish the partitioned ` +
  `table instead, or drop the partition from the publication before this migration and add it back after contract`;

/** `table`: the relation whose columns the policy reads (the policy's own table, or the partition it is on). */
function followPolicy(
  out: FollowingObjects,
  table: QualifiedName,
  p: NonNullable<ColumnDependent['policy']>,
  renames: ReadonlyMap<string, string>,
): string | null {
  const exprs: (string | null)[] = [];
  for (const e of [p.using, p.withCheck]) {
    if (e === null) {
      exprs.push(null);
      continue;
    }
    const r = rewritePolicyExpression(e, p.table, table, renames);
    if ('refusal' in r) return r.refusal;
    exprs.push(r.sql);
  }
  out.contract.statements.push(ddl.alterPolicy(p, exprs[0]!, exprs[1]!));
  if (p.table.schema !== table.schema || p.table.name !== table.name)
    out.contract.locks.push({ relation: p.table, mode: 'ACCESS EXCLUSIVE' });
  out.contract.names.push(`policy ${quoteIdent(p.name)} on ${displayName(p.table)}`);
  return null;
}

function followTrigger(
  out: FollowingObjects,
  table: TableInfo,
  tr: NonNullable<ColumnDependent['trigger']>,
  renames: ReadonlyMap<string, string>,
  later: ReadonlyMap<string, string>,
): string | null {
  const final = rewriteTriggerDefinition(tr.definition, renames);
  if ('refusal' in final) return final.refusal;
  // A later rename of the file is still in its window after this contract: its new columns stay in UPDATE OF.
  const contract = widenTriggerColumns(final.sql, later) ?? final.sql;
  // During the window an UPDATE OF trigger fires for the new columns too: a new-version UPDATE sets only those.
  // After an earlier rename of the same migration, the trigger is the one that rename widened.
  const window = tr.windowDefinition ?? tr.definition;
  const widened = widenTriggerColumns(window, renames);
  const name = `trigger ${quoteIdent(tr.name)} on ${displayName(tr.table)}`;
  if (widened !== null) {
    out.expand.statements.push(...recreateTrigger(tr, widened));
    out.expand.undo.push(...recreateTrigger(tr, window, true));
    out.expand.names.push(name);
  }
  out.contract.statements.push(...recreateTrigger(tr, contract));
  out.contract.names.push(name);
  if (/\bWHEN\b/i.test(tr.definition) && /\bBEFORE\b/.test(tr.definition.split(' ON ')[0]!))
    out.notes.push(
      `${name} is a BEFORE trigger whose WHEN clause reads the old column: until contract, a new-version write that sets only the new column is seen there with the old value if the trigger fires before zdm's (triggers fire in name order)`,
    );
  return null;
}

/** The trigger dropped and created from `definition`, with its enabled state and comment given back. */
export function recreateTrigger(tr: DependentTrigger, definition: string, ifExists = false): string[] {
  return [
    ddl.dropTrigger(tr.table, tr.name, { ifExists }),
    definition,
    ...ddl.triggerEnabledStatements(tr.table, tr.name, tr.enabled),
    ...(tr.comment === null ? [] : [ddl.commentOnTrigger(tr.table, tr.name, quoteLiteral(tr.comment))]),
  ];
}

/**
 * A SQL-standard function moves to the new columns at switch, in its own transaction, not in the
 * contract's: a call that starts before the contract commits and waits for its lock on the table
 * keeps the body it looked up and, once the lock is granted, plans that body again over the table
 * without the old column ("attribute 2 of type t has been dropped", seen on PG 18). From the switch
 * the body reads the new columns, equal to the old ones (the trigger); rollback restores the body.
 */
function followFunction(
  out: FollowingObjects,
  table: TableInfo,
  d: ColumnDependent,
  renames: ReadonlyMap<string, string>,
): string | null {
  const f = d.function!;
  const r = rewriteFunctionDefinition(f.definition, f.argNames, relationOf(table, d), renames);
  if ('refusal' in r) return r.refusal;
  out.switch.statements.push(r.sql);
  out.switch.undo.push(f.definition);
  out.switch.names.push(`function ${d.name}`);
  return null;
}

/**
 * The column list and row filter move to the new columns at switch, the moment the new version
 * starts writing them: from then on a CDC consumer sees the new names (the trigger keeps both
 * columns equal, so the values are the same). Refused where the new columns would leave the
 * replica identity uncovered before contract moves it (UPDATE and DELETE would then fail).
 */
function followPublication(
  out: FollowingObjects,
  table: TableInfo,
  p: NonNullable<ColumnDependent['publication']>,
  renames: ReadonlyMap<string, string>,
): string | null {
  const identity = replicaIdentityColumns(table);
  const inIdentity = [...renames.keys()].find((c) => identity.includes(c));
  if (p.publishesChanges && inIdentity)
    return `"${inIdentity}" is in the replica identity, which the publication's columns must cover for UPDATE and DELETE; the new column is not in it before contract`;
  let filter = p.rowFilter;
  if (filter !== null) {
    const r = rewritePolicyExpression(filter, t(table), t(table), renames);
    if ('refusal' in r) return `its row filter: ${r.refusal}`;
    filter = r.sql;
  }
  const columns = p.columns?.map((c) => renames.get(c) ?? c) ?? null;
  out.switch.statements.push(...ddl.republishTable(p.name, t(table), columns, filter));
  out.switch.undo.push(...ddl.republishTable(p.name, t(table), p.columns, p.rowFilter));
  out.switch.names.push(`publication ${quoteIdent(p.name)}`);
  return null;
}

/**
 * A virtual generated column (PG 18) reads the new columns from contract: SET EXPRESSION on a
 * virtual column changes the catalog only (no rewrite, no scan: its values are computed when read),
 * in the contract transaction before the old columns are dropped. Until then it reads the old
 * columns, which the trigger keeps equal. Postgres refuses SET EXPRESSION on a virtual column of a
 * table with CHECK constraints (it would have to check them again), so such a table is refused
 * here, at plan time. A stored one cannot follow without a rewrite (generatedColumnReason).
 */
function followGenerated(
  out: FollowingObjects,
  table: TableInfo,
  name: string,
  renames: ReadonlyMap<string, string>,
): string | null {
  const column = table.columns.find((c) => c.name === name);
  if (column?.generated !== 'v' || column.default === null) return generatedColumnReason(table, name);
  const checks = table.constraints.filter((c) => c.type === 'c');
  if (checks.length > 0)
    return (
      `a virtual generated column, whose expression Postgres changes (SET EXPRESSION) only on a table without ` +
      `CHECK constraints, and ${displayName(table)} has ${checks.map((c) => quoteIdent(c.name)).join(', ')}`
    );
  const r = rewritePolicyExpression(column.default, t(table), t(table), renames);
  if ('refusal' in r) return r.refusal;
  out.generated.statements.push(ddl.setGeneratedExpression(t(table), name, r.sql));
  out.generated.names.push(`virtual generated column ${quoteIdent(name)}`);
  return null;
}

export function replicaIdentityColumns(table: TableInfo): string[] {
  if (table.replicaIdentity === 'f' || table.replicaIdentity === 'n') return [];
  if (table.replicaIdentity === 'i') {
    const index = table.indexes.find((i) => i.name === table.replicaIdentityIndex);
    return index?.columns ?? [];
  }
  return table.primaryKey?.columns ?? [];
}

/**
 * Untracked functions whose body names a renamed column and the table (or that a trigger on it
 * calls, or that takes or returns its row type: `o.note` of a parameter `o orders`).
 */
function untrackedFunctions(table: TableInfo, renames: ReadonlyMap<string, string>, seen: Set<string>): string[] {
  const out: string[] = [];
  // a partitioned table's rows are also read and written through its partitions' names
  const tables = [table.name, ...partitionsOf(table).map((p) => p.name)];
  for (const f of table.untrackedFunctions ?? []) {
    if (seen.has(`function ${f.name}`)) continue;
    seen.add(`function ${f.name}`);
    const found = namesInSource(f.source, [...tables, ...renames.keys()]);
    const column = found.find((n) => renames.has(n));
    const how = f.triggerFunction
      ? ', a trigger function of the table'
      : f.rowType
        ? ", taking the table's row type"
        : '';
    if (column && (f.triggerFunction || f.rowType || found.some((n) => tables.includes(n))))
      out.push(`function ${f.name} (${f.language}${how}) names "${column}"`);
  }
  return out;
}
