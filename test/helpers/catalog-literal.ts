import type { Catalog, ColumnInfo, IndexInfo, TableInfo } from '../../src/db/catalog.js';
import { quoteIdent } from '../../src/db/quote.js';

/**
 * Literal catalog builders: `table()` adds nothing implicitly (no primary key), so a fixture says
 * exactly what readCatalog() would return. test/helpers/catalog.ts has builders with defaults.
 */

/** A catalog snapshot built by hand, for planning tests that need no database. */
export function fakeCatalog(tables: TableInfo[], serverVersionNum = 180000): Catalog {
  return {
    serverVersionNum,
    defaultSchema: 'public',
    tables: new Map(tables.map((t) => [`${t.schema}.${t.name}`, t])),
    resolved: new Map(
      tables.filter((t) => t.schema === 'public').map((t) => [t.name, { schema: t.schema, name: t.name }]),
    ),
    enums: new Map(),
    indexes: new Map(),
  };
}

export function column(name: string, type: string, extra: Partial<ColumnInfo> = {}): ColumnInfo {
  return {
    name,
    attnum: 0,
    type,
    typeOid: 0,
    notNull: false,
    default: null,
    identity: '',
    generated: '',
    collation: null,
    comment: null,
    ownedSequence: null,
    ...extra,
  };
}

export function table(name: string, columns: ColumnInfo[], extra: Partial<TableInfo> = {}): TableInfo {
  return {
    oid: 1,
    schema: 'public',
    name,
    relkind: 'r',
    estimatedRows: 1000,
    sizeBytes: 65536,
    columns: columns.map((c, i) => ({ ...c, attnum: i + 1 })),
    primaryKey: null,
    indexes: [],
    constraints: [],
    referencedBy: [],
    dependents: [],
    triggers: [],
    ...extra,
  };
}

export const indexInfo = (name: string, tbl: string, cols: string, extra: Partial<IndexInfo> = {}): IndexInfo => ({
  name,
  schema: 'public',
  // Quoted like pg_get_indexdef: plans parse it.
  definition: `CREATE ${extra.unique ? 'UNIQUE ' : ''}INDEX ${quoteIdent(name)} ON public.${quoteIdent(tbl)} USING btree (${cols.split(', ').map(quoteIdent).join(', ')})`,
  unique: false,
  primary: false,
  valid: true,
  columns: cols.split(', '),
  constraint: null,
  ...extra,
});

const seq = { type: 'integer', start: '1', increment: '1', min: '1', max: '2147483647', cache: '1', cycle: false };
/** events (id int identity PK) referenced by tickets.event_id: the int -> bigint scenario. */
export const eventsFixture = table(
  'events',
  [
    column('id', 'integer', {
      notNull: true,
      identity: 'd',
      ownedSequence: { schema: 'public', name: 'events_id_seq' },
      sequence: seq,
    }),
    column('title', 'text'),
  ],
  {
    primaryKey: { name: 'events_pkey', columns: ['id'] },
    indexes: [indexInfo('events_pkey', 'events', 'id', { unique: true, primary: true, constraint: 'events_pkey' })],
    constraints: [
      {
        name: 'events_pkey',
        type: 'p',
        definition: 'PRIMARY KEY (id)',
        validated: true,
        columns: ['id'],
        references: null,
        index: 'events_pkey',
      },
      {
        name: 'events_id_not_null',
        type: 'n',
        definition: 'NOT NULL id',
        validated: true,
        columns: ['id'],
        references: null,
        index: null,
      },
    ],
    referencedBy: [
      {
        name: 'tickets_event_id_fkey',
        table: { schema: 'public', name: 'tickets' },
        columns: ['event_id'],
        referencedColumns: ['id'],
        definition: 'FOREIGN KEY (event_id) REFERENCES events(id) ON DELETE CASCADE',
        validated: true,
      },
    ],
  },
);
export const ticketsFixture = table(
  'tickets',
  [column('id', 'bigint', { notNull: true }), column('event_id', 'integer', { notNull: true })],
  {
    primaryKey: { name: 'tickets_pkey', columns: ['id'] },
    indexes: [
      indexInfo('tickets_pkey', 'tickets', 'id', { unique: true, primary: true, constraint: 'tickets_pkey' }),
      indexInfo('tickets_event_id_idx', 'tickets', 'event_id'),
    ],
    constraints: [
      {
        name: 'tickets_event_id_fkey',
        type: 'f',
        definition: 'FOREIGN KEY (event_id) REFERENCES events(id) ON DELETE CASCADE',
        validated: true,
        columns: ['event_id'],
        references: { table: { schema: 'public', name: 'events' }, columns: ['id'] },
        index: 'events_pkey',
      },
    ],
  },
);
