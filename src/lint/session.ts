/**
 * A simulator of the session that will run the file: explicit transactions (and the runner's
 * assume-in-transaction mode), SET / SET LOCAL of lock_timeout, statement_timeout, search_path and
 * TimeZone, the locks held in the open transaction, and the objects the file itself creates.
 * Rules read the state as it is *before* their statement; the engine then applies the statement.
 */
import type {
  AlterTableCmd,
  AlterTableStmt,
  ColumnDef,
  Constraint,
  CreateStmt,
  Node,
  RangeVar,
  VariableSetStmt,
} from 'libpg-query';
import { as, rangeVarParts, str, strings, typeInfo, unwrap } from './ast.js';
import type { LintCatalog } from './catalog.js';
import { statementLocks, type LockModeValue } from './locks.js';
import { DEFAULT_SEARCH_PATH, keyOf, parseSearchPath, resolveName, type QualifiedName } from './names.js';
import type { ParsedStatement } from './parser.js';
import { applySchema } from './schema-apply.js';
import { SchemaState } from './schema.js';

export interface NewTable {
  kind: 'table' | 'matview' | 'view';
  columns: Map<string, { notNull: boolean; type: string }>;
  /** Key columns of indexes, PKs and UNIQUE constraints created in the file. */
  indexes: string[][];
}

export interface Setting {
  /** Non-zero (a timeout is in force). */
  on: boolean;
  /** Set with SET LOCAL: expires at the end of the transaction. */
  local: boolean;
}

export interface TxState {
  /** BEGIN / START TRANSACTION was seen (as opposed to the runner's assumed transaction). */
  explicit: boolean;
  /** Strongest lock per table taken in this transaction (keys from names.keyOf). */
  locks: Map<string, LockModeValue>;
  /** First table that got ACCESS EXCLUSIVE in this transaction, with the statement index. */
  accessExclusive: { table: QualifiedName; statement: number } | undefined;
  /** ALTER TABLE count per table in this transaction. */
  alters: Map<string, number>;
  /** Enum labels added in this transaction, per type key. */
  enumValues: Map<string, Set<string>>;
}

export class Session {
  /** The open transaction, if any. */
  tx: TxState | undefined;
  searchPath: string[] = [...DEFAULT_SEARCH_PATH];
  lockTimeout: Setting | undefined;
  statementTimeout: Setting | undefined;
  timeZone: string | undefined;
  /** Tables, matviews and views created by this file (not IF NOT EXISTS). */
  readonly newTables = new Map<string, NewTable>();
  /** Indexes created by this file: index key → table key. */
  readonly newIndexes = new Map<string, string>();
  /** Enum types created by this file. */
  readonly newTypes = new Set<string>();
  /** Domains created by this file, and whether they carry constraints. */
  readonly domains = new Map<string, { constrained: boolean }>();
  /** Column types, CHECKs and indexes as the file leaves them, on top of the catalog. */
  readonly schema: SchemaState;

  constructor(
    readonly assumeInTransaction: boolean,
    catalog?: LintCatalog,
  ) {
    if (assumeInTransaction) this.tx = newTx(false);
    this.schema = new SchemaState(catalog);
  }

  get inTransaction(): boolean {
    return this.tx !== undefined;
  }

  /** Resolves a name through search_path, preferring objects created in this file. */
  resolve(
    parts: { schema: string | undefined; name: string } | undefined,
    known?: (q: QualifiedName) => boolean,
  ): QualifiedName | undefined {
    if (!parts) return undefined;
    return resolveName(
      parts,
      this.searchPath,
      (q) => this.newTables.has(keyOf(q)) || this.newIndexes.has(keyOf(q)) || (known?.(q) ?? false),
    );
  }

  resolveRange(rv: RangeVar | undefined, known?: (q: QualifiedName) => boolean): QualifiedName | undefined {
    return this.resolve(rangeVarParts(rv), known);
  }

  isNewTable(q: QualifiedName | undefined): boolean {
    return q !== undefined && this.newTables.has(keyOf(q));
  }

  /** Applies a statement's effects, after the rules have seen the state before it. */
  apply(stmt: ParsedStatement, known?: (q: QualifiedName) => boolean): void {
    const { kind, body } = stmt;
    this.recordLocks(stmt, known);
    applySchema(this.schema, stmt, (rv) => this.resolveRange(rv, known));
    switch (kind) {
      case 'TransactionStmt':
        return this.applyTransaction(body.kind as string);
      case 'VariableSetStmt':
        return this.applySet(body as VariableSetStmt);
      case 'SelectStmt':
        return this.applySetConfig(body);
      case 'CreateStmt':
        return this.applyCreateTable(body as CreateStmt, known);
      case 'CreateTableAsStmt':
        return this.applyCreateTableAs(body, known);
      case 'ViewStmt': {
        const q = this.resolveRange(body.view as RangeVar, known);
        if (q && !body.replace) this.newTables.set(keyOf(q), { kind: 'view', columns: new Map(), indexes: [] });
        return;
      }
      case 'IndexStmt':
        return this.applyCreateIndex(body, known);
      case 'CreateEnumStmt': {
        const q = this.resolve(nameParts(body.typeName as Node[]));
        if (q) this.newTypes.add(keyOf(q));
        return;
      }
      case 'CreateDomainStmt':
        return this.applyCreateDomain(body);
      case 'AlterDomainStmt': {
        const q = this.resolve(nameParts(body.typeName as Node[]));
        if (q && this.domains.has(keyOf(q)) && (body.subtype === 'C' || body.subtype === 'O'))
          this.domains.set(keyOf(q), { constrained: true });
        return;
      }
      case 'AlterEnumStmt':
        return this.applyAlterEnum(body);
      case 'RenameStmt':
        return this.applyRename(body, known);
      case 'DropStmt':
        return this.applyDrop(body);
      case 'AlterTableStmt':
        return this.applyAlterTable(body as AlterTableStmt, known);
      default:
        return;
    }
  }

  private applyCreateTableAs(body: Record<string, unknown>, known?: (q: QualifiedName) => boolean): void {
    if (body.if_not_exists) return;
    const into = body.into as { rel?: RangeVar } | undefined;
    const q = this.resolveRange(into?.rel, known);
    if (q)
      this.newTables.set(keyOf(q), {
        kind: body.objtype === 'OBJECT_MATVIEW' ? 'matview' : 'table',
        columns: new Map(),
        indexes: [],
      });
  }

  private applyCreateIndex(body: Record<string, unknown>, known?: (q: QualifiedName) => boolean): void {
    const table = this.resolveRange(body.relation as RangeVar, known);
    if (!table) return;
    const cols = ((body.indexParams as Node[]) ?? []).map((p) => as<{ name?: string }>(p, 'IndexElem')?.name ?? '');
    this.newTables.get(keyOf(table))?.indexes.push(cols);
    if (body.idxname && !body.if_not_exists)
      this.newIndexes.set(keyOf({ schema: table.schema, name: body.idxname as string }), keyOf(table));
    if (body.idxname && body.if_not_exists && this.newTables.has(keyOf(table)))
      this.newIndexes.set(keyOf({ schema: table.schema, name: body.idxname as string }), keyOf(table));
  }

  private applyCreateDomain(body: Record<string, unknown>): void {
    const q = this.resolve(nameParts(body.domainname as Node[]));
    const constrained = ((body.constraints as Node[]) ?? []).some((c) => {
      const t = as<Constraint>(c, 'Constraint')?.contype;
      return t === 'CONSTR_CHECK' || t === 'CONSTR_NOTNULL';
    });
    if (q) this.domains.set(keyOf(q), { constrained });
  }

  private applyAlterEnum(body: Record<string, unknown>): void {
    if (!this.tx || !body.newVal || body.oldVal) return;
    const q = this.resolve(nameParts(body.typeName as Node[]));
    if (!q) return;
    const set = this.tx.enumValues.get(keyOf(q)) ?? new Set<string>();
    set.add(body.newVal as string);
    this.tx.enumValues.set(keyOf(q), set);
  }

  private applyDrop(body: Record<string, unknown>): void {
    for (const o of (body.objects as Node[]) ?? []) {
      const q = this.resolve(nameParts(as<{ items?: Node[] }>(o, 'List')?.items));
      if (!q) continue;
      this.newTables.delete(keyOf(q));
      this.newIndexes.delete(keyOf(q));
    }
  }

  private recordLocks(stmt: ParsedStatement, known?: (q: QualifiedName) => boolean): void {
    if (!this.tx) return;
    for (const t of statementLocks(stmt.kind, stmt.body)) {
      const q = this.resolve(t.relation, known);
      if (!q) continue;
      const key = keyOf(q);
      const prev = this.tx.locks.get(key) ?? 0;
      if (t.mode > prev) this.tx.locks.set(key, t.mode);
      if (t.mode === 8 && !this.tx.accessExclusive && !this.newTables.has(key))
        this.tx.accessExclusive = { table: q, statement: stmt.index };
    }
    if (stmt.kind === 'AlterTableStmt') {
      const q = this.resolveRange((stmt.body as AlterTableStmt).relation, known);
      if (q) this.tx.alters.set(keyOf(q), (this.tx.alters.get(keyOf(q)) ?? 0) + 1);
    }
  }

  private applyTransaction(kind: string): void {
    switch (kind) {
      case 'TRANS_STMT_BEGIN':
      case 'TRANS_STMT_START':
        if (!this.tx) this.tx = newTx(true);
        else this.tx.explicit = true;
        return;
      case 'TRANS_STMT_COMMIT':
      case 'TRANS_STMT_ROLLBACK':
      case 'TRANS_STMT_PREPARE':
        this.tx = undefined;
        if (this.lockTimeout?.local) this.lockTimeout = undefined;
        if (this.statementTimeout?.local) this.statementTimeout = undefined;
        return;
      default:
        return;
    }
  }

  private setVar(name: string, value: string | undefined, local: boolean): void {
    // SET LOCAL outside a transaction has no effect (Postgres warns).
    if (local && !this.tx) return;
    const on = value !== undefined && !/^0+(\.0*)?\s*(ms|s|min|h|d|us)?$/i.test(value.trim());
    switch (name) {
      case 'lock_timeout':
        this.lockTimeout = value === undefined ? undefined : { on, local };
        return;
      case 'statement_timeout':
        this.statementTimeout = value === undefined ? undefined : { on, local };
        return;
      case 'search_path':
        this.searchPath = value === undefined ? [...DEFAULT_SEARCH_PATH] : parseSearchPath([value]);
        return;
      case 'timezone':
        this.timeZone = value;
        return;
      default:
        return;
    }
  }

  private applySet(s: VariableSetStmt): void {
    const name = (s.name ?? '').toLowerCase();
    if (s.kind === 'VAR_RESET_ALL') {
      this.lockTimeout = this.statementTimeout = undefined;
      this.searchPath = [...DEFAULT_SEARCH_PATH];
      this.timeZone = undefined;
      return;
    }
    if (s.kind === 'VAR_RESET' || s.kind === 'VAR_SET_DEFAULT')
      return this.setVar(name, undefined, Boolean(s.is_local));
    if (s.kind !== 'VAR_SET_VALUE') return;
    const values = (s.args ?? []).map(constText).filter((v): v is string => v !== undefined);
    if (name === 'search_path') {
      if (s.is_local && !this.tx) return;
      this.searchPath = parseSearchPath(values.map((v) => (/[A-Z]/.test(v) ? `"${v}"` : v)));
      return;
    }
    this.setVar(name, values.join(','), Boolean(s.is_local));
  }

  /** `SELECT set_config('lock_timeout', '2s', false)` (a common way to set GUCs from tools). */
  private applySetConfig(body: Record<string, unknown>): void {
    for (const t of (body.targetList as Node[]) ?? []) {
      const fc = as<{ funcname?: Node[]; args?: Node[] }>(as<{ val?: Node }>(t, 'ResTarget')?.val, 'FuncCall');
      if (!fc || strings(fc.funcname).pop() !== 'set_config') continue;
      const [n, v, local] = (fc.args ?? []).map(constText);
      if (n === undefined || v === undefined) continue;
      this.setVar(n.toLowerCase(), v, local === 'true' || local === 't');
    }
  }

  private applyCreateTable(s: CreateStmt, known?: (q: QualifiedName) => boolean): void {
    if (s.if_not_exists) return;
    const q = this.resolveRange(s.relation, known);
    if (!q) return;
    const table: NewTable = { kind: 'table', columns: new Map(), indexes: [] };
    for (const elt of s.tableElts ?? []) {
      const col = as<ColumnDef>(elt, 'ColumnDef');
      if (col?.colname) {
        const constraints = (col.constraints ?? []).map((c) => as<Constraint>(c, 'Constraint')?.contype);
        table.columns.set(col.colname, {
          notNull: constraints.includes('CONSTR_NOTNULL') || constraints.includes('CONSTR_PRIMARY'),
          type: typeInfo(col.typeName)?.name ?? '',
        });
        if (constraints.includes('CONSTR_PRIMARY') || constraints.includes('CONSTR_UNIQUE'))
          table.indexes.push([col.colname]);
      }
      const con = as<Constraint>(elt, 'Constraint');
      if (con && (con.contype === 'CONSTR_PRIMARY' || con.contype === 'CONSTR_UNIQUE')) {
        const keys = strings(con.keys);
        table.indexes.push(keys);
        if (con.contype === 'CONSTR_PRIMARY')
          for (const k of keys) table.columns.set(k, { notNull: true, type: table.columns.get(k)?.type ?? '' });
      }
    }
    this.newTables.set(keyOf(q), table);
  }

  private applyRename(body: Record<string, unknown>, known?: (q: QualifiedName) => boolean): void {
    const type = body.renameType as string;
    if (type === 'OBJECT_TABLE' || type === 'OBJECT_MATVIEW' || type === 'OBJECT_VIEW') {
      const q = this.resolveRange(body.relation as RangeVar, known);
      if (!q || !body.newname) return;
      const t = this.newTables.get(keyOf(q));
      if (t) {
        this.newTables.delete(keyOf(q));
        this.newTables.set(keyOf({ schema: q.schema, name: body.newname as string }), t);
      }
    } else if (type === 'OBJECT_COLUMN') {
      const q = this.resolveRange(body.relation as RangeVar, known);
      const t = q && this.newTables.get(keyOf(q));
      const col = t?.columns.get(body.subname as string);
      if (t && col) {
        t.columns.delete(body.subname as string);
        t.columns.set(body.newname as string, col);
      }
    }
  }

  private applyAlterTable(s: AlterTableStmt, known?: (q: QualifiedName) => boolean): void {
    const q = this.resolveRange(s.relation, known);
    if (!q || s.objtype !== 'OBJECT_TABLE') return;
    const key = keyOf(q);
    const table = this.newTables.get(key);
    for (const c of s.cmds ?? []) {
      const cmd = as<AlterTableCmd>(c, 'AlterTableCmd');
      if (!cmd) continue;
      switch (cmd.subtype) {
        case 'AT_AddColumn': {
          const col = as<ColumnDef>(cmd.def, 'ColumnDef');
          if (table && col?.colname) {
            const notNull = (col.constraints ?? []).some((x) =>
              ['CONSTR_NOTNULL', 'CONSTR_PRIMARY'].includes(as<Constraint>(x, 'Constraint')?.contype ?? ''),
            );
            table.columns.set(col.colname, { notNull, type: typeInfo(col.typeName)?.name ?? '' });
          }
          break;
        }
        case 'AT_SetNotNull':
          if (table && cmd.name)
            table.columns.set(cmd.name, { notNull: true, type: table.columns.get(cmd.name)?.type ?? '' });
          break;
        case 'AT_AddConstraint': {
          const con = as<Constraint>(cmd.def, 'Constraint');
          if (!con) break;
          if ((con.contype === 'CONSTR_PRIMARY' || con.contype === 'CONSTR_UNIQUE') && table) {
            const keys = strings(con.keys);
            if (keys.length) table.indexes.push(keys);
            if (con.contype === 'CONSTR_PRIMARY')
              for (const k of keys) table.columns.set(k, { notNull: true, type: table.columns.get(k)?.type ?? '' });
          }
          break;
        }
        default:
          break;
      }
    }
  }
}

function newTx(explicit: boolean): TxState {
  return { explicit, locks: new Map(), accessExclusive: undefined, alters: new Map(), enumValues: new Map() };
}

export function nameParts(list: Node[] | undefined): { schema: string | undefined; name: string } | undefined {
  const parts = strings(list);
  if (!parts.length) return undefined;
  return { schema: parts.length > 1 ? parts[parts.length - 2] : undefined, name: parts[parts.length - 1]! };
}

/** Text of a constant argument (`'2s'`, `0`, `public`). */
function constText(n: Node | undefined): string | undefined {
  const u = unwrap(n);
  if (!u) return undefined;
  const [tag, body] = u;
  if (tag === 'A_Const') {
    if (body.sval) return (body.sval as { sval?: string }).sval ?? '';
    if (body.ival) return String((body.ival as { ival?: number }).ival ?? 0);
    if (body.fval) return (body.fval as { fval?: string }).fval ?? '0';
    if (body.boolval) return (body.boolval as { boolval?: boolean }).boolval ? 'true' : 'false';
    if (body.isnull) return undefined;
    return '0';
  }
  if (tag === 'TypeCast') return constText(body.arg as Node);
  if (tag === 'String') return str(n);
  return undefined;
}
