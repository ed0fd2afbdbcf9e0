import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseDocument, isMap, isSeq, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { ValidationError, type ValidationIssue } from '../errors.js';
import { MAX_MIGRATION_FILE_BYTES } from '../defaults.js';
import { formatBytes } from '../config/units.js';
import { OPERATION_KINDS } from '../operations/registry.js';
import { listMigrationFiles } from './file-names.js';
import { MigrationSchema, type MigrationSpec } from './schema.js';
import { exportedMigration, importMigrationModule } from './ts-import.js';

export interface MigrationFile {
  /** File name without extension: `0001_rename_user_email`. Identifies the migration in the state. */
  name: string;
  /** Absolute path. */
  file: string;
  /** sha256 of the file's bytes; a change after it was applied is reported as drift. */
  checksum: string;
  spec: MigrationSpec;
}

export async function loadMigrations(dir: string): Promise<MigrationFile[]> {
  const files = await listMigrationFiles(dir);
  const loaded: MigrationFile[] = [];
  for (const f of files) loaded.push(await loadMigrationFile(f.file));
  return loaded;
}

/**
 * A migration given as an object (the library's `migrations` option) instead of a file: validated
 * exactly like a file's contents; its checksum is the sha256 of its JSON, so a changed object
 * after activation is drift, as for a file. `file` is `memory:<name>` (shown by status).
 */
export function migrationFromObject(name: string, raw: unknown): MigrationFile {
  const file = `memory:${name}`;
  const checksum = createHash('sha256')
    .update(JSON.stringify(raw) ?? '')
    .digest('hex');
  return { name, file, checksum, spec: validate(file, raw, () => undefined) };
}

/** Reads, parses and validates one migration file; every problem names the file and the path in it. */
export async function loadMigrationFile(file: string): Promise<MigrationFile> {
  const absolute = path.resolve(file);
  const bytes = await readLimited(absolute);
  const checksum = createHash('sha256').update(bytes).digest('hex');
  const name = path.basename(absolute).replace(/\.[^.]+$/, '');
  const ext = path.extname(absolute).slice(1);
  const text = bytes.toString('utf8');
  let raw: unknown;
  let locate: (p: PropertyKey[]) => string | undefined = () => undefined;
  if (ext === 'json' || ext === 'yaml' || ext === 'yml') {
    const parsed = ext === 'json' ? parseJson(absolute, text) : parseYaml(absolute, text);
    raw = parsed.value;
    locate = parsed.locate;
  } else {
    raw = await importModule(absolute, checksum);
  }
  return { name, file: absolute, checksum, spec: validate(absolute, raw, locate) };
}

/** The file's bytes; a file over the size limit is refused before it is read or parsed. */
async function readLimited(file: string): Promise<Buffer> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(file, 'r');
    const { size } = await handle.stat();
    if (size > MAX_MIGRATION_FILE_BYTES)
      throw new ValidationError([
        {
          file,
          message:
            `is ${formatBytes(size)}; migration files are limited ` +
            `to ${formatBytes(MAX_MIGRATION_FILE_BYTES)} (load large data with a script, not a migration)`,
        },
      ]);
    return await handle.readFile();
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    throw new ValidationError([{ file, message: `cannot read: ${(err as Error).message}` }]);
  } finally {
    await handle?.close();
  }
}

function validate(file: string, raw: unknown, locate: (p: PropertyKey[]) => string | undefined): MigrationSpec {
  const issues: ValidationIssue[] = [];
  const ops = (raw as { operations?: unknown } | null)?.operations;
  // Name an unknown operation kind directly, instead of zod's generic union message.
  if (Array.isArray(ops)) {
    ops.forEach((op, i) => {
      const kind = (op as { op?: unknown } | null)?.op;
      const missing = missingOp(op);
      if (missing)
        issues.push({ file: withLine(file, locate(['operations', i])), path: `operations[${i}]`, message: missing });
      if (typeof kind === 'string' && !(OPERATION_KINDS as string[]).includes(kind)) {
        const hint = closest(kind, OPERATION_KINDS);
        issues.push({
          file: withLine(file, locate(['operations', i, 'op'])),
          path: `operations[${i}].op`,
          message:
            `unknown operation "${kind}"${hint ? ` (did you mean "${hint}"?)` : ''}; ` +
            `known operations: ${OPERATION_KINDS.join(', ')}`,
        });
      }
    });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  const result = MigrationSchema.safeParse(raw);
  if (result.success) return result.data as MigrationSpec;
  throw new ValidationError(result.error.issues.map((issue) => toIssue(file, issue, locate)));
}

/**
 * Why an operation object without an "op" field is wrong, naming the kind when it is written as a
 * key, as pgroll writes operations (`{ "rename_column": { ... } }`); undefined when it has "op".
 */
function missingOp(op: unknown): string | undefined {
  if (op === null || typeof op !== 'object' || Array.isArray(op) || 'op' in op) return undefined;
  const keys = Object.keys(op);
  const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  const kind = keys.map(camel).find((k) => (OPERATION_KINDS as string[]).includes(k));
  const pgroll = keys.length === 1 && /^[a-z]+(_[a-z]+)+$/.test(keys[0]!);
  const example = kind ? `{ "op": "${kind}", "table": ..., ... }` : '{ "op": "renameColumn", "table": ..., ... }';
  return (
    `each operation needs an "op" field naming its kind, beside its other fields: ${example}` +
    (kind ? ` (found "${keys.find((k) => camel(k) === kind)}" as a key)` : '') +
    (pgroll ? `; pgroll's operations map to zdm's as migrations-examples/from-pgroll/README.md shows` : '')
  );
}

function toIssue(
  file: string,
  issue: z.core.$ZodIssue,
  locate: (p: PropertyKey[]) => string | undefined,
): ValidationIssue {
  const p = issue.path;
  let message = issue.message;
  if (issue.code === 'invalid_type' && /received undefined$/.test(message)) message = 'Required';
  if (issue.code === 'unrecognized_keys')
    message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_union' && p[p.length - 1] !== 'op' && p.length === 2)
    message = 'each operation needs an "op" field naming its kind';
  return { file: withLine(file, locate(p)), path: formatPath(p) || undefined, message };
}

/** `operations[0].table` */
function formatPath(p: readonly PropertyKey[]): string {
  return p.map((seg, i) => (typeof seg === 'number' ? `[${seg}]` : `${i === 0 ? '' : '.'}${String(seg)}`)).join('');
}

function withLine(file: string, line: string | undefined): string {
  return line ? `${file}:${line}` : file;
}

function parseJson(file: string, text: string): { value: unknown; locate: (p: PropertyKey[]) => string | undefined } {
  try {
    const value: unknown = JSON.parse(text);
    return { value, locate: yamlLocator(text) };
  } catch (err) {
    const message = (err as Error).message;
    const pos = /position (\d+)/.exec(message);
    const where = pos ? lineCol(text, Number(pos[1])) : undefined;
    throw new ValidationError([{ file: withLine(file, where), message: `not valid JSON: ${message}` }]);
  }
}

function parseYaml(file: string, text: string): { value: unknown; locate: (p: PropertyKey[]) => string | undefined } {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new ValidationError(
      doc.errors.map((e) => ({
        file: withLine(file, e.linePos?.[0] ? `${e.linePos[0].line}:${e.linePos[0].col}` : undefined),
        message: `not valid YAML: ${e.message.split('\n')[0]}`,
      })),
    );
  }
  return { value: doc.toJS() as unknown, locate: yamlLocator(text) };
}

/**
 * Line:column of the value at a path (or of its nearest existing parent, for a missing field).
 * JSON is YAML, so one locator serves both formats.
 */
function yamlLocator(text: string): (p: PropertyKey[]) => string | undefined {
  const doc = parseDocument(text);
  return (p) => {
    for (let len = p.length; len >= 0; len--) {
      const node = (len === 0 ? doc.contents : doc.getIn(p.slice(0, len) as (string | number)[], true)) as
        YamlNode | null | undefined;
      if (node && (node.range || isMap(node) || isSeq(node)) && node.range) return lineCol(text, node.range[0]);
    }
    return undefined;
  };
}

function lineCol(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const col = offset - before.lastIndexOf('\n');
  return `${line}:${col}`;
}

async function importModule(file: string, checksum: string): Promise<unknown> {
  const url = `${pathToFileURL(file).href}?checksum=${checksum}`;
  let mod: { default?: unknown; migration?: unknown };
  try {
    mod = (await importMigrationModule(url)) as typeof mod;
  } catch (err) {
    throw new ValidationError([{ file, message: `cannot load: ${(err as Error).message.split('\n')[0]}` }], {
      cause: err,
    });
  }
  const exported = exportedMigration(mod);
  if (exported === undefined)
    throw new ValidationError([
      { file, message: 'exports no migration: use `export default defineMigration({ operations: [...] })`' },
    ]);
  return exported;
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 4)) ? best : undefined;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
