import { displayName } from '../db/quote.js';
import type { ValidationIssue } from '../errors.js';
import type { MigrationFile } from '../migration/load.js';
import { splitStatements } from '../sql/statements.js';
import type { Step } from './types.js';

type Body = Record<string, unknown>;
type Cmd = { subtype?: string; name?: string; def?: Body };

/** One ALTER TABLE of a step: its table and its subcommands. */
interface Alter {
  schema: string | undefined;
  name: string;
  cmds: Cmd[];
}

/**
 * renameColumn carries a virtual generated column (PG 18) by SET EXPRESSION in its contract step,
 * which Postgres refuses on a table with a CHECK constraint. The operation refuses a table that has
 * one when it is planned; this sees the CHECK constraints the operations after it add before that
 * step runs (every expand, backfill and switch step comes first: a setNotNull's NOT VALID check, an
 * addCheck), and those an earlier contract step has not dropped again. Steps in execution order.
 */
export function setExpressionConflicts(steps: Step[], migration: MigrationFile): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const sql = (s: Step) => (s.kind === 'sql' ? s.statements : []);
  if (!steps.some((s) => sql(s).some((x) => /\bSET\s+EXPRESSION\b/i.test(x)))) return issues;
  const seen: { step: Step; alters: Alter[] }[] = [];
  for (const step of steps) {
    const alters = sql(step).flatMap(parseAlters);
    const at = alters.findIndex((a) => a.cmds.some((c) => c.subtype === 'AT_SetExpression'));
    // A user's own SET EXPRESSION (a "sql" operation) may be on a stored column, which Postgres allows.
    if (at >= 0 && migration.spec.operations[step.operations[0] ?? -1]?.op === 'renameColumn') {
      const target = alters[at]!;
      const earlier = [...seen, { step, alters: alters.slice(0, at) }];
      const left = checksLeft(earlier, target);
      if (left.size > 0) issues.push(issue(migration, step, target, left));
    }
    seen.push({ step, alters });
  }
  return issues;
}

/** The CHECK constraints the ALTER TABLEs of these steps leave on the table, with the operation adding each. */
function checksLeft(steps: { step: Step; alters: Alter[] }[], target: Alter): Map<string, number> {
  const left = new Map<string, number>();
  for (const { step, alters } of steps)
    for (const a of alters.filter((x) => sameTable(x, target)))
      for (const c of a.cmds) {
        if (c.subtype === 'AT_DropConstraint' && c.name) left.delete(c.name);
        for (const name of addedChecks(c)) left.set(name, step.operations[0] ?? 0);
      }
  return left;
}

function addedChecks(c: Cmd): string[] {
  const constraints =
    c.subtype === 'AT_AddConstraint'
      ? [c.def?.Constraint as Body | undefined]
      : c.subtype === 'AT_AddColumn'
        ? (((c.def?.ColumnDef as Body | undefined)?.constraints as Body[] | undefined) ?? []).map(
            (n) => n.Constraint as Body | undefined,
          )
        : [];
  return constraints
    .filter((k) => k?.contype === 'CONSTR_CHECK')
    .map((k) => (k!.conname as string | undefined) ?? 'an unnamed CHECK constraint');
}

function issue(migration: MigrationFile, step: Step, target: Alter, left: Map<string, number>): ValidationIssue {
  const table = displayName({ schema: target.schema ?? 'public', name: target.name });
  const [name, op] = [...left.entries()][0]!;
  const by = migration.spec.operations[op]?.op ?? 'an operation';
  return {
    file: migration.file,
    path: `operations[${step.operations[0] ?? 0}]`,
    message:
      `its contract step changes a virtual generated column of ${table} (SET EXPRESSION), which Postgres ` +
      `refuses on a table with a CHECK constraint, and ${name} (added by operations[${op}], ${by}) is on ` +
      `${table} by then: put that operation in a later migration, or before this one in the file when its ` +
      `contract step drops the constraint again (setNotNull's check)`,
  };
}

function sameTable(a: Alter, b: Alter): boolean {
  return a.name === b.name && (a.schema === undefined || b.schema === undefined || a.schema === b.schema);
}

function parseAlters(sql: string): Alter[] {
  if (!/\bALTER\s+TABLE\b/i.test(sql)) return [];
  let statements;
  try {
    statements = splitStatements(sql);
  } catch {
    return []; // not SQL the parser reads (the operation's plan() reported a user's)
  }
  return statements.flatMap((s) => {
    if (s.kind !== 'AlterTableStmt') return [];
    const body = s.node[s.kind] as Body;
    const relation = body.relation as { relname: string; schemaname?: string };
    const cmds = ((body.cmds as Body[] | undefined) ?? []).map((c) => c.AlterTableCmd as Cmd);
    return [{ schema: relation.schemaname, name: relation.relname, cmds }];
  });
}
