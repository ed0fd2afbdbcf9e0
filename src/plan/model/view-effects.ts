import { tableKey, type TableInfo } from '../../db/catalog.js';
import type { QualifiedName } from '../../db/quote.js';
import { walk, type Node } from '../../sql/rewrite.js';
import type { SchemaModel } from './schema-model.js';

type Body = Record<string, unknown>;

/** What a CREATE [OR REPLACE] VIEW or CREATE MATERIALIZED VIEW statement defines, read from its parse tree. */
export interface DefinedView {
  name: QualifiedName;
  relkind: 'v' | 'm';
  /** The model's tables its query reads, by key, with the columns it may read of each. */
  reads: Map<string, { table: TableInfo; columns: Set<string> }>;
}

/**
 * The view a ViewStmt or a materialized view's CreateTableAsStmt defines and the columns of the
 * model's tables its query may read, found on the parse tree. Over-approximated where the query does
 * not say for sure (a bare name counts for every table of the statement that has such a column; `*`,
 * a whole-row reference and a NATURAL join for every column): a column counted in excess can only
 * make a later operation see a dependent too many (refused or rewritten as a no-op), never one too few.
 */
export function definedView(model: SchemaModel, kind: string, body: Body): DefinedView | null {
  const matview = kind === 'CreateTableAsStmt';
  if (matview && body.objtype !== 'OBJECT_MATVIEW') return null;
  const rv = (matview ? (body.into as Body | undefined)?.rel : body.view) as Body | undefined;
  if (typeof rv?.relname !== 'string') return null;
  const name = { schema: (rv.schemaname as string | undefined) ?? model.catalog.defaultSchema, name: rv.relname };
  const ranges = rangeTables(model, body.query);
  const reads = new Map<string, { table: TableInfo; columns: Set<string> }>();
  const add = (table: TableInfo, columns: Iterable<string>) => {
    const entry = reads.get(tableKey(table)) ?? { table, columns: new Set<string>() };
    for (const c of columns) if (table.columns.some((col) => col.name === c)) entry.columns.add(c);
    reads.set(tableKey(table), entry);
  };
  const all = [...new Set([...ranges.values()].flat())];
  for (const t of all) add(t, []);
  const everything = (tables: TableInfo[]) =>
    tables.forEach((t) =>
      add(
        t,
        t.columns.map((c) => c.name),
      ),
    );
  walk(body.query, (key, value) => {
    if (key === 'JoinExpr') {
      if (value.isNatural) everything(all);
      for (const c of names(value.usingClause)) all.forEach((t) => add(t, [c]));
    }
    if (key !== 'ColumnRef') return;
    const fields = names(value.fields, '*');
    const col = fields[fields.length - 1]!;
    const prefix = fields.slice(0, -1);
    const tables = prefix.length === 0 ? all : (ranges.get(prefix.join('.')) ?? []);
    if (col === '*') everything(tables);
    else if (prefix.length === 0 && ranges.has(col)) everything(ranges.get(col)!);
    else tables.forEach((t) => add(t, [col]));
  });
  return { name, relkind: matview ? 'm' : 'v', reads };
}

/**
 * The model's tables each range name may stand for anywhere in the query (alias, table name, and
 * `schema.table`); unqualified names of the query's CTEs stand for no table.
 */
function rangeTables(model: SchemaModel, query: unknown): Map<string, TableInfo[]> {
  const ctes = new Set<string>();
  walk(query, (key, value) => {
    if (key === 'CommonTableExpr') ctes.add(value.ctename as string);
  });
  const out = new Map<string, TableInfo[]>();
  const put = (name: string, table: TableInfo) => out.set(name, [...(out.get(name) ?? []), table]);
  walk(query, (key, value) => {
    if (key !== 'RangeVar' || typeof value.relname !== 'string') return;
    const schema = value.schemaname as string | undefined;
    if (!schema && ctes.has(value.relname)) return;
    const table = model.findTable(schema ? { schema, name: value.relname } : { name: value.relname });
    if (!table) return;
    const alias = (value.alias as { aliasname?: string } | undefined)?.aliasname;
    if (alias) put(alias, table);
    else {
      put(value.relname, table);
      put(`${table.schema}.${table.name}`, table);
    }
  });
  return out;
}

function names(list: unknown, other?: string): string[] {
  if (!Array.isArray(list)) return [];
  return (list as Node[]).flatMap((n) => {
    const sval = (n.String as { sval?: string } | undefined)?.sval;
    return sval !== undefined ? [sval] : other !== undefined ? [other] : [];
  });
}
