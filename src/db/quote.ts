import { QUOTED_KEYWORDS } from './keywords.js';

/** Postgres truncates identifiers longer than NAMEDATALEN-1 bytes (with only a NOTICE). */
export const MAX_IDENTIFIER_BYTES = 63;

/** A relation (or other schema object) name, always resolved to its schema before planning. */
export interface QualifiedName {
  schema: string;
  name: string;
}

/**
 * The one quoting helper every identifier goes through before it reaches SQL. Quotes exactly when
 * Postgres's quote_ident() would: anything but lower-case letters, digits, `_` and `$` (not at the
 * start), and every keyword that is not unreserved.
 */
export function quoteIdent(name: string): string {
  if (/^[a-z_][a-z0-9_$]*$/.test(name) && !QUOTED_KEYWORDS.has(name)) return name;
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteQualified(q: QualifiedName): string {
  return `${quoteIdent(q.schema)}.${quoteIdent(q.name)}`;
}

/** A string literal; standard_conforming_strings is on in every supported version, so only `'` is doubled. */
export function quoteLiteral(value: string): string {
  if (value.includes('\\')) return `E'${value.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
  return `'${value.replaceAll("'", "''")}'`;
}

/** `schema.name` for messages and step ids, quoted only where needed so it reads like psql. */
export function displayName(q: QualifiedName): string {
  return quoteQualified(q);
}

/**
 * Splits a name as written in a migration file (`users`, `billing.users`, `"Billing"."User Table"`)
 * following Postgres identifier rules: unquoted parts fold to lower case, quoted parts are kept as
 * written. Returns the schema part only when given.
 */
export function parseObjectName(input: string): { schema?: string; name: string } {
  return splitObjectName(input, true);
}

/**
 * The name exactly as spelled (unquoted parts not folded), when that differs from the SQL reading
 * parseObjectName gives: `Invoices` -> `{ name: 'Invoices' }`. Undefined when both readings agree
 * (no capitals outside quotes). A name means the object spelled exactly when one exists.
 */
export function spelledObjectName(input: string): { schema?: string; name: string } | undefined {
  const sql = splitObjectName(input, true);
  const spelled = splitObjectName(input, false);
  return spelled.schema === sql.schema && spelled.name === sql.name ? undefined : spelled;
}

function splitObjectName(input: string, fold: boolean): { schema?: string; name: string } {
  const parts: string[] = [];
  let i = 0;
  const s = input.trim();
  while (i < s.length) {
    if (s[i] === '"') {
      let j = i + 1;
      let part = '';
      for (;;) {
        if (j >= s.length) throw new Error(`unterminated quoted identifier in ${JSON.stringify(input)}`);
        if (s[j] === '"') {
          if (s[j + 1] === '"') {
            part += '"';
            j += 2;
            continue;
          }
          break;
        }
        part += s[j];
        j++;
      }
      if (part === '') throw new Error(`empty quoted identifier in ${JSON.stringify(input)}`);
      parts.push(part);
      i = j + 1;
    } else {
      let j = i;
      while (j < s.length && s[j] !== '.') j++;
      const raw = s.slice(i, j).trim();
      if (!/^[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*$/.test(raw)) {
        throw new Error(
          `${JSON.stringify(input)} is not a valid name: write names that need it in double quotes, ` +
            `e.g. "\\"User Email\\""`,
        );
      }
      parts.push(fold ? raw.toLowerCase() : raw);
      i = j;
    }
    if (i < s.length) {
      if (s[i] !== '.') throw new Error(`unexpected ${JSON.stringify(s[i])} in name ${JSON.stringify(input)}`);
      i++;
      if (i >= s.length) throw new Error(`name ${JSON.stringify(input)} ends with "."`);
    }
  }
  if (parts.length === 1) return { name: parts[0]! };
  if (parts.length === 2) return { schema: parts[0]!, name: parts[1]! };
  throw new Error(`name ${JSON.stringify(input)} has ${parts.length} parts; use name or schema.name`);
}

/** A column name as written in a migration file: one identifier, folded like Postgres folds it. */
export function parseColumnName(input: string): string {
  const parsed = parseObjectName(input);
  if (parsed.schema !== undefined) throw new Error(`column name ${JSON.stringify(input)} must not be qualified`);
  return parsed.name;
}

/**
 * The existing name a file's name means among `names` (the columns or constraints of one table):
 * the one spelled exactly (case-sensitive) when it is there, else the SQL reading (unquoted folds
 * to lower case, `"Quoted"` keeps its case). `Email` means a column `Email` when the table has one,
 * even when it also has `email`.
 */
export function resolveName(input: string, names: Iterable<string>): string {
  const spelled = spelledObjectName(input);
  if (spelled && spelled.schema === undefined) for (const n of names) if (n === spelled.name) return n;
  return parseColumnName(input);
}

export function identifierBytes(name: string): number {
  return Buffer.byteLength(name, 'utf8');
}

/**
 * A generated name (trigger, function, index, constraint) that fits in 63 bytes: the readable
 * parts joined by `_`, shortened when too long, with a short hash of the full name so that two
 * long names never collide after truncation.
 */
export function generatedName(...parts: string[]): string {
  const full = parts.filter(Boolean).join('_');
  if (identifierBytes(full) <= MAX_IDENTIFIER_BYTES) return full;
  const hash = shortHash(full);
  let head = full;
  while (identifierBytes(`${head}_${hash}`) > MAX_IDENTIFIER_BYTES) head = head.slice(0, -1);
  return `${head}_${hash}`;
}

function shortHash(text: string, length = 8): string {
  // node:crypto loaded on first use: `zdm lint` imports this module for its quoting and rarely needs a hash.
  return process.getBuiltinModule('node:crypto').createHash('sha256').update(text).digest('hex').slice(0, length);
}
