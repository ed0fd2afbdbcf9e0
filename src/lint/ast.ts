/**
 * Small helpers over libpg-query's JSON AST. Nodes are wrapped objects (`{ "AlterTableStmt": {...} }`);
 * the types come from @pgsql/types (re-exported by libpg-query).
 */
import type { A_Const, Node, RangeVar, TypeName } from 'libpg-query';

/** A node's tag and body: `{ ColumnDef: {...} }` → `['ColumnDef', {...}]`. */
export function unwrap(node: Node | undefined | null): [string, Record<string, unknown>] | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const key = Object.keys(node)[0];
  if (key === undefined) return undefined;
  return [key, (node as unknown as Record<string, Record<string, unknown>>)[key]!];
}

/** The body of a node when it has the given tag. */
export function as<T>(node: Node | undefined | null, tag: string): T | undefined {
  if (!node || typeof node !== 'object') return undefined;
  return (node as Record<string, unknown>)[tag] as T | undefined;
}

/** `String` node value (identifiers in name lists). */
export function str(node: Node | undefined): string | undefined {
  return as<{ sval?: string }>(node, 'String')?.sval;
}

export function strings(list: Node[] | undefined): string[] {
  return (list ?? []).map((n) => str(n) ?? '');
}

/** Visits every object in a subtree (depth first), with the tag of wrapped nodes. */
export function walk(value: unknown, visit: (tag: string, body: Record<string, unknown>) => boolean | void): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, visit);
    return;
  }
  if (!value || typeof value !== 'object') return;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  // A wrapped node has exactly one key starting with an upper-case letter.
  if (keys.length === 1 && /^[A-Z]/.test(keys[0]!)) {
    const body = obj[keys[0]!];
    if (body && typeof body === 'object' && !Array.isArray(body)) {
      if (visit(keys[0]!, body as Record<string, unknown>) === false) return;
      walk(body, visit);
      return;
    }
  }
  for (const key of keys) walk(obj[key], visit);
}

export interface TypeInfo {
  /** Lower-case type name without pg_catalog (`int4`, `varchar`, `my_domain`). */
  name: string;
  schema: string | undefined;
  /** Integer type modifiers (`varchar(20)` → [20], `numeric(10,2)` → [10, 2]). */
  mods: number[];
  array: boolean;
}

export function typeInfo(t: TypeName | undefined): TypeInfo | undefined {
  if (!t) return undefined;
  const names = strings(t.names);
  const name = names[names.length - 1] ?? '';
  const schema = names.length > 1 ? names[names.length - 2] : undefined;
  const mods: number[] = [];
  for (const m of t.typmods ?? []) {
    const c = as<A_Const>(m, 'A_Const');
    const ival = (c?.ival as { ival?: number } | undefined)?.ival;
    if (c?.ival !== undefined) mods.push(ival ?? 0);
  }
  return { name, schema: schema === 'pg_catalog' ? undefined : schema, mods, array: (t.arrayBounds?.length ?? 0) > 0 };
}

/** The canonical name of a type as written, for messages (`varchar(20)`, `bigint`). */
export function typeLabel(t: TypeInfo): string {
  const alias: Record<string, string> = {
    int4: 'integer',
    int8: 'bigint',
    int2: 'smallint',
    bpchar: 'char',
    float8: 'double precision',
    float4: 'real',
    bool: 'boolean',
  };
  const base = (t.schema ? `${t.schema}.` : '') + (alias[t.name] ?? t.name);
  return `${base}${t.mods.length ? `(${t.mods.join(',')})` : ''}${t.array ? '[]' : ''}`;
}

export function rangeVarParts(rv: RangeVar | undefined): { schema: string | undefined; name: string } | undefined {
  if (!rv?.relname) return undefined;
  return { schema: rv.schemaname, name: rv.relname };
}
