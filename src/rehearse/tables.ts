import type { ColumnInfo, SequenceInfo, TableInfo } from '../db/catalog.js';
import { quoteIdent, quoteLiteral, quoteQualified } from '../db/quote.js';

/**
 * CREATE TABLE for a table read by readCatalog, with its columns as the target has them (types,
 * collations, defaults, identity, generated expressions, NOT NULL), and no constraint or index:
 * those come after the sample is loaded. PURE.
 */
export function createTableSql(table: TableInfo, partitionKey: string | null): string {
  const cols = table.columns.map(columnSql);
  const by = partitionKey ? ` PARTITION BY ${partitionKey}` : '';
  return `CREATE TABLE ${quoteQualified(table)} (\n  ${cols.join(',\n  ')}\n)${by}`;
}

function columnSql(c: ColumnInfo): string {
  const parts = [quoteIdent(c.name), c.type];
  if (c.collation) parts.push(`COLLATE ${c.collation}`);
  if (c.generated && c.default)
    parts.push(`GENERATED ALWAYS AS (${c.default}) ${c.generated === 'v' ? 'VIRTUAL' : 'STORED'}`);
  else if (c.identity)
    parts.push(`GENERATED ${c.identity === 'a' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY${identityOptions(c)}`);
  else if (c.default) parts.push(`DEFAULT ${c.default}`);
  if (c.notNull) parts.push('NOT NULL');
  return parts.join(' ');
}

function identityOptions(c: ColumnInfo): string {
  const name = c.ownedSequence ? `SEQUENCE NAME ${quoteQualified(c.ownedSequence)}` : '';
  const opts = [name, c.sequence ? sequenceOptions(c.sequence) : ''].filter(Boolean).join(' ');
  return opts ? ` (${opts})` : '';
}

/** `START WITH 1 INCREMENT BY 1 ...`, as CREATE SEQUENCE and an identity column take them. */
function sequenceOptions(s: SequenceInfo): string {
  return (
    `START WITH ${s.start} INCREMENT BY ${s.increment} MINVALUE ${s.min} MAXVALUE ${s.max} ` +
    `CACHE ${s.cache}${s.cycle ? ' CYCLE' : ' NO CYCLE'}`
  );
}

/**
 * ALTER SEQUENCE ... OWNED BY for the table's serial columns (the sequences exist before the table:
 * its defaults call them).
 */
export function ownedBySql(table: TableInfo): string[] {
  return table.columns
    .filter((c) => !c.identity && c.ownedSequence)
    .map(
      (c) =>
        `ALTER SEQUENCE ${quoteQualified(c.ownedSequence!)} OWNED BY ${quoteQualified(table)}.${quoteIdent(c.name)}`,
    );
}

/** COMMENT ON TABLE / COLUMN, REPLICA IDENTITY: what the plan carries over and so must find. */
export function tableExtrasSql(table: TableInfo): string[] {
  const q = quoteQualified(table);
  const out: string[] = [];
  if (table.comment) out.push(`COMMENT ON TABLE ${q} IS ${quoteLiteral(table.comment)}`);
  for (const c of table.columns)
    if (c.comment) out.push(`COMMENT ON COLUMN ${q}.${quoteIdent(c.name)} IS ${quoteLiteral(c.comment)}`);
  if (table.replicaIdentity === 'f') out.push(`ALTER TABLE ${q} REPLICA IDENTITY FULL`);
  if (table.replicaIdentity === 'n') out.push(`ALTER TABLE ${q} REPLICA IDENTITY NOTHING`);
  if (table.replicaIdentity === 'i' && table.replicaIdentityIndex)
    out.push(`ALTER TABLE ${q} REPLICA IDENTITY USING INDEX ${quoteIdent(table.replicaIdentityIndex)}`);
  return out;
}
