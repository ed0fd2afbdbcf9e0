/**
 * The SQL inside zdm migration files: `{"op":"sql","sql":"...","rollback":"...","allow":[...]}`
 * operations. JSON and YAML files are read here (with source positions, so findings point at the
 * `sql` value); `.ts`/`.js` files are imported and their default export (or `migration` export) read.
 */
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { exportedMigration, importMigrationModule, type ModuleExports } from '../migration/ts-import.js';

export interface EmbeddedSql {
  /** `operations[2].sql` */
  where: string;
  sql: string;
  /** Rule ids the operation allows (the planner's `allow`). */
  allow: string[];
  /** 1-based position of the value in the file, when known. */
  line: number;
  column: number;
}

export interface MigrationDocument {
  /** False when the file is not a zdm migration (no `operations` list): it is skipped. */
  isMigration: boolean;
  sql: EmbeddedSql[];
}

function fromPlain(value: unknown): MigrationDocument {
  const ops = (value as { operations?: unknown } | null)?.operations;
  if (!Array.isArray(ops)) return { isMigration: false, sql: [] };
  const sql: EmbeddedSql[] = [];
  ops.forEach((op: unknown, i) => {
    const o = op as { op?: unknown; sql?: unknown; rollback?: unknown; allow?: unknown };
    if (o?.op !== 'sql') return;
    const allow = Array.isArray(o.allow) ? o.allow.filter((a): a is string => typeof a === 'string') : [];
    for (const key of ['sql', 'rollback'] as const) {
      const text = o[key];
      if (typeof text === 'string')
        sql.push({ where: `operations[${i}].${key}`, sql: text, allow, line: 1, column: 1 });
    }
  });
  return { isMigration: true, sql };
}

/** JSON and YAML, with positions (JSON is read by the YAML parser, which keeps source ranges). */
export function readMigrationText(text: string): MigrationDocument {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false });
  if (doc.errors.length) throw new Error(doc.errors[0]!.message);
  const plain = fromPlain(doc.toJS());
  if (!plain.isMigration) return plain;
  const root = doc.contents;
  const ops = isMap(root) ? root.get('operations', true) : undefined;
  if (isSeq(ops)) {
    for (const entry of plain.sql) {
      const m = /^operations\[(\d+)\]\.(\w+)$/.exec(entry.where);
      const op = ops.items[Number(m?.[1])] as YamlNode | undefined;
      const value = isMap(op) ? op.get(m?.[2] ?? '', true) : undefined;
      if (isScalar(value) && value.range) {
        const pos = lines.linePos(value.range[0]);
        entry.line = pos.line;
        entry.column = pos.col;
      }
    }
  }
  return plain;
}

/**
 * Reads a migration file of any supported kind. `.ts`/`.js` files are imported the way
 * src/migration/load.ts imports them (TypeScript through src/migration/ts-hooks.ts), but without its
 * validation: lint reports
 * on the SQL it finds and leaves the file's other problems to `zdm plan`.
 */
export async function loadMigrationDocument(file: string, text: string): Promise<MigrationDocument> {
  const ext = path.extname(file);
  if (ext === '.json' || ext === '.yaml' || ext === '.yml') return readMigrationText(text);
  const url = pathToFileURL(file).href;
  return fromPlain(exportedMigration((await importMigrationModule(url)) as ModuleExports));
}
