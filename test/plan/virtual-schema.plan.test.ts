import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser } from '../../src/sql/parser.js';
import { catalog, col, constraint, index, planError, planOps, planSql, table } from '../helpers/catalog.js';

beforeAll(() => loadParser());

const orders = () =>
  table('orders', [
    col('id', 'bigint', { notNull: true }),
    col('amount', 'numeric(12,2)', { notNull: true }),
    col('customer_name', 'text'),
  ]);
const customers = () => table('customers', [col('id', 'bigint', { notNull: true }), col('name', 'text')]);

const issues = (operations: unknown[], tables = [orders(), customers()]) =>
  planError(operations, catalog(tables)).issues.map((i) => `${i.path}: ${i.message}`);

describe('the virtual schema: later operations see what earlier ones did', () => {
  it('addColumn, then a check, an index and a foreign key on the new column, in file order', () => {
    const plan = planOps(
      [
        { op: 'addColumn', table: 'orders', column: { name: 'currency', type: 'char(3)', default: "'EUR'" } },
        { op: 'addCheck', table: 'orders', name: 'orders_currency_upper', expression: 'currency = upper(currency)' },
        { op: 'createIndex', table: 'orders', name: 'orders_currency_idx', columns: ['currency'] },
        { op: 'addColumn', table: 'orders', column: { name: 'customer_id', type: 'bigint' } },
        {
          op: 'addForeignKey',
          table: 'orders',
          name: 'orders_customer_fk',
          columns: ['customer_id'],
          references: { table: 'customers', columns: ['id'] },
        },
        { op: 'createIndex', table: 'orders', name: 'orders_customer_idx', columns: ['customer_id'] },
      ],
      catalog([orders(), customers()]),
    );
    const expand = plan.steps.filter((s) => s.phase === 'expand').map((s) => s.operations[0]);
    expect(expand).toEqual([0, 1, 2, 3, 4, 5]);
    expect(plan.steps.map((s) => s.id)).toContain('add_check:public.orders.orders_currency_upper:switch:2');
  });

  it('renameColumn, then an index and a check under the new name', () => {
    const plan = planOps(
      [
        { op: 'renameColumn', table: 'orders', from: 'customer_name', to: 'buyer' },
        { op: 'createIndex', table: 'orders', name: 'orders_buyer_idx', columns: ['lower(buyer)'] },
        { op: 'addCheck', table: 'orders', name: 'orders_buyer_len', expression: 'length(buyer) < 200' },
      ],
      catalog([orders()]),
    );
    expect(plan.steps.filter((s) => s.phase === 'expand').map((s) => s.operations[0])).toEqual([0, 1, 2]);
  });

  it('a later operation naming the old name is told which operation renamed it', () => {
    expect(
      issues([
        { op: 'renameColumn', table: 'orders', from: 'customer_name', to: 'buyer' },
        { op: 'createIndex', table: 'orders', name: 'orders_buyer_idx', columns: ['customer_name'] },
      ]),
    ).toEqual([
      'operations[1].columns[0]: column public.orders.customer_name is renamed to buyer by operations[0] (renameColumn): use the new name',
    ]);
  });

  it('a raw sql operation that drops a view unblocks dropping the column the view used', () => {
    const withView = table('orders', orders().columns, {
      dependents: [{ column: 'customer_name', kind: 'view', name: 'public.order_names' }],
    });
    const drop = { op: 'dropColumn', table: 'orders', column: 'customer_name' };
    expect(issues([drop], [withView])).toEqual([
      'operations[0].column: public.orders.customer_name is used by view public.order_names; change or drop those first (dropping the column would need CASCADE)',
    ]);
    const plan = planOps(
      [{ op: 'sql', phase: 'contract', sql: 'DROP VIEW order_names', allow: ['drop-view'] }, drop],
      catalog([withView]),
    );
    expect(plan.steps.filter((s) => s.phase === 'contract').map((s) => s.operations[0])).toEqual([0, 1]);
  });

  it('a raw sql CREATE OR REPLACE VIEW decides anew which columns the view reads (Postgres parser)', () => {
    const withView = table('orders', orders().columns, {
      dependents: [{ column: 'customer_name', kind: 'view', name: 'public.order_names' }],
    });
    const replace = (query: string) => ({
      op: 'sql',
      phase: 'contract',
      sql: `CREATE OR REPLACE VIEW order_names AS ${query}`,
    });
    const drop = { op: 'dropColumn', table: 'orders', column: 'customer_name' };
    // No longer reading the column: the drop plans.
    const plan = planOps([replace('SELECT o.id, o.amount FROM orders o'), drop], catalog([withView, customers()]));
    expect(plan.steps.filter((s) => s.phase === 'contract').map((s) => s.operations[0])).toEqual([0, 1]);
    // Reading it, however it is named: the drop is refused naming the view.
    for (const query of [
      'SELECT id, customer_name AS who FROM orders',
      'SELECT o.* FROM public.orders o',
      'SELECT c.name FROM customers c JOIN orders USING (id) WHERE orders.customer_name IS NOT NULL',
      'WITH x AS (SELECT customer_name FROM orders) SELECT * FROM x',
    ])
      expect(issues([replace(query), drop], [withView, customers()]), query).toEqual([
        'operations[1].column: public.orders.customer_name is used by view public.order_names; change or drop those first (dropping the column would need CASCADE)',
      ]);
    // The reverse: a view created on the column makes it a dependent, which a rename names, with the way out.
    const created = {
      op: 'sql',
      phase: 'expand',
      sql: 'CREATE MATERIALIZED VIEW names AS SELECT customer_name FROM orders',
      rollback: 'DROP MATERIALIZED VIEW names',
    };
    expect(issues([created, { op: 'renameColumn', table: 'orders', from: 'customer_name', to: 'buyer' }])).toEqual([
      'operations[1].from: public.orders.customer_name is used by view public.names (operations[0] (sql) of this migration defines it; zdm recreates only views that exist before the migration: define it after this operation, at contract, or in a later migration); change or drop those first (dropping the column would need CASCADE)',
    ]);
    // Bare names count for every table of the query that has such a column, never for one without it.
    const bare = replace('SELECT name, amount FROM orders, customers');
    expect(planOps([bare, drop], catalog([withView, customers()])).steps).toHaveLength(2);
    expect(issues([bare, { op: 'dropColumn', table: 'customers', column: 'name' }], [withView, customers()])).toEqual([
      'operations[1].column: public.customers.name is used by view public.order_names; change or drop those first (dropping the column would need CASCADE)',
    ]);
  });

  it('a raw sql operation that adds a column makes it usable by later operations', () => {
    const plan = planOps(
      [
        {
          op: 'sql',
          phase: 'expand',
          sql: 'ALTER TABLE orders ADD COLUMN note text',
          rollback: 'ALTER TABLE orders DROP COLUMN note',
        },
        { op: 'createIndex', table: 'orders', name: 'orders_note_idx', columns: ['note'] },
      ],
      catalog([orders()]),
    );
    expect(plan.steps).toHaveLength(2);
  });

  it('a raw sql CREATE TABLE brings its constraints, named as Postgres names them, and their indexes', () => {
    const create = {
      op: 'sql',
      phase: 'expand',
      sql: 'CREATE TABLE users (id integer PRIMARY KEY, email text UNIQUE, age int CHECK (age > 0), CONSTRAINT one_email EXCLUDE USING btree (email WITH =))',
      rollback: 'DROP TABLE users',
      allow: ['drop-table'],
    };
    const fk = {
      op: 'addForeignKey',
      table: 'orders',
      name: 'orders_user_fk',
      columns: ['id'],
      references: { table: 'users', columns: ['id'] },
    };
    expect(planOps([create, fk], catalog([orders()])).steps.filter((s) => s.operations[0] === 1)).not.toEqual([]);
    const again = (name: string) => ({ op: 'addCheck', table: 'users', name, expression: 'age < 200' });
    expect(
      issues([create, again('users_age_check'), again('users_email_key'), again('one_email'), again('users_pkey')]),
    ).toEqual([
      'operations[1].name: constraint users_age_check already exists on table public.users',
      'operations[2].name: constraint users_email_key already exists on table public.users',
      'operations[3].name: constraint one_email already exists on table public.users',
      'operations[4].name: constraint users_pkey already exists on table public.users',
    ]);
  });
});

describe('overlapping operations are merged or refused at plan time, naming both', () => {
  const events = () =>
    table('events', [col('id', 'integer', { notNull: true })], {
      referencedBy: [
        {
          name: 'tickets_event_id_fkey',
          table: { schema: 'public', name: 'tickets' },
          columns: ['event_id'],
          referencedColumns: ['id'],
          definition: 'FOREIGN KEY (event_id) REFERENCES events(id)',
          validated: true,
        },
      ],
    });
  const tickets = () =>
    table('tickets', [col('id', 'bigint', { notNull: true }), col('event_id', 'integer', { notNull: true })], {
      constraints: [
        constraint('tickets_event_id_fkey', 'f', 'FOREIGN KEY (event_id) REFERENCES events(id)', ['event_id'], {
          references: { table: { schema: 'public', name: 'events' }, columns: ['id'] },
        }),
      ],
    });
  const pkChange = { op: 'changeColumnType', table: 'events', column: 'id', type: 'bigint' };

  it('an explicit change of a referencing column is merged into the primary key change that makes it', () => {
    const alone = planOps([pkChange], catalog([events(), tickets()]));
    const plan = planOps(
      [pkChange, { op: 'changeColumnType', table: 'tickets', column: 'event_id', type: 'bigint' }],
      catalog([events(), tickets()]),
    );
    expect(plan.steps.map((s) => s.id)).toEqual(alone.steps.map((s) => s.id));
    expect(plan.notes.map((n) => n.text)).toContain(
      'operations[1] (changeColumnType) (public.tickets.event_id to bigint) is merged into operations[0] (changeColumnType), which already makes that change',
    );
  });

  it('a different type for the referencing column is refused', () => {
    expect(
      issues(
        [pkChange, { op: 'changeColumnType', table: 'tickets', column: 'event_id', type: 'numeric' }],
        [events(), tickets()],
      ),
    ).toEqual([
      'operations[1].type: operations[0] (changeColumnType) already changes public.tickets.event_id to bigint, so operations[1] (changeColumnType) cannot also change it to numeric: keep one change of the column',
    ]);
  });

  it('the referencing column changed first, then the primary key: refused with the order that works', () => {
    expect(
      issues(
        [{ op: 'changeColumnType', table: 'tickets', column: 'event_id', type: 'bigint' }, pkChange],
        [events(), tickets()],
      ),
    ).toEqual([
      'operations[1].table: public.tickets.event_id gets a new type from operations[0] (changeColumnType) through a new column swapped in at switch, so operations[1] (changeColumnType) cannot change it in the same migration: put it before operations[0] (changeColumnType) or in a later migration',
    ]);
  });

  it('drop and rename of one column, in either order', () => {
    const drop = { op: 'dropColumn', table: 'orders', column: 'customer_name' };
    const rename = { op: 'renameColumn', table: 'orders', from: 'customer_name', to: 'buyer' };
    expect(issues([drop, rename])).toEqual([
      'operations[1].from: column public.orders.customer_name is dropped by operations[0] (dropColumn)',
    ]);
    expect(issues([rename, drop])).toEqual([
      'operations[1].column: column public.orders.customer_name is renamed to buyer by operations[0] (renameColumn): use the new name',
    ]);
    expect(issues([rename, { ...drop, column: 'buyer' }])).toEqual([
      'operations[1]: operations[0] (renameColumn) and operations[1] (dropColumn) both change column public.orders.buyer: operations[0] (renameColumn) creates it by renaming customer_name, operations[1] (dropColumn) drops it. One operation per migration may add, drop, rename or change the type of a column: combine them into one operation or move the second to a later migration',
    ]);
  });

  it('two renames of one column', () => {
    const first = { op: 'renameColumn', table: 'orders', from: 'customer_name', to: 'buyer' };
    expect(issues([first, { ...first, to: 'client' }])).toEqual([
      'operations[1].from: column public.orders.customer_name is renamed to buyer by operations[0] (renameColumn): use the new name',
    ]);
    expect(issues([first, { ...first, from: 'buyer', to: 'client' }])).toEqual([
      'operations[1]: operations[0] (renameColumn) and operations[1] (renameColumn) both change column public.orders.buyer: operations[0] (renameColumn) creates it by renaming customer_name, operations[1] (renameColumn) renames it to client. One operation per migration may add, drop, rename or change the type of a column: combine them into one operation or move the second to a later migration',
    ]);
  });

  it("a later default or NOT NULL change of a renamed column is refused: the rename's contract carries the old ones over", () => {
    expect(
      issues([
        { op: 'renameColumn', table: 'orders', from: 'customer_name', to: 'buyer' },
        { op: 'setDefault', table: 'orders', column: 'buyer', default: "'anonymous'" },
      ]),
    ).toEqual([
      "operations[1]: operations[1] (setDefault) changes the default of public.orders.buyer, which operations[0] (renameColumn) creates by renaming customer_name; the rename carries the old column's NOT NULL and default over at contract: put operations[1] (setDefault) before it (on customer_name) or in a later migration",
    ]);
  });

  it('a type change and a rename of one column, in either order', () => {
    const retype = { op: 'changeColumnType', table: 'orders', column: 'amount', type: 'numeric(14,2)' };
    const rename = { op: 'renameColumn', table: 'orders', from: 'amount', to: 'total' };
    expect(issues([retype, rename])).toEqual([
      'operations[1]: operations[0] (changeColumnType) and operations[1] (renameColumn) both change column public.orders.amount: operations[0] (changeColumnType) changes its type to numeric(14, 2), operations[1] (renameColumn) renames it to total. One operation per migration may add, drop, rename or change the type of a column: combine them into one operation or move the second to a later migration',
    ]);
    const shadowRetype = { ...retype, type: 'bigint' };
    expect(issues([shadowRetype, rename])).toEqual([
      'operations[1].from: public.orders.amount gets a new type from operations[0] (changeColumnType) through a new column swapped in at switch, so operations[1] (renameColumn) cannot change it in the same migration: put it before operations[0] (changeColumnType) or in a later migration',
    ]);
    expect(issues([rename, { ...retype, column: 'amount' }])).toEqual([
      'operations[1].column: column public.orders.amount is renamed to total by operations[0] (renameColumn): use the new name',
    ]);
  });
});

describe('names: the object spelled exactly, else the SQL reading', () => {
  const twins = () => [
    table('Invoices', [col('id', 'bigint', { notNull: true }), col('total', 'numeric')]),
    table('invoices', [col('id', 'bigint', { notNull: true }), col('total', 'numeric')]),
  ];
  const check = (name: string) => ({ op: 'addCheck', table: name, name: 'total_positive', expression: 'total > 0' });

  it('"Invoices" means the table spelled Invoices when both it and invoices exist', () => {
    const plan = planOps([check('Invoices')], catalog(twins()));
    expect(plan.tables.map((t) => t.table.name)).toEqual(['Invoices']);
    expect(plan.notes.map((n) => n.text).join('\n')).not.toContain('folds');
  });

  it('a name with capitals that matches only by folding resolves to the folded table, and the plan says so', () => {
    const plan = planOps([check('INVOICES')], catalog([twins()[1]!]));
    expect(plan.tables.map((t) => t.table.name)).toEqual(['invoices']);
    expect(plan.notes.map((n) => n.text)).toContain(
      'operations[0].table "INVOICES" means public.invoices: no table is named exactly "INVOICES", so the name folds to lower case as in SQL',
    );
  });

  const people = () =>
    table('people', [col('id', 'bigint', { notNull: true }), col('Email', 'text'), col('email', 'text')], {
      constraints: [
        constraint('Email_check', 'c', 'CHECK (("Email" <> \'\'::text))', ['Email']),
        constraint('email_check', 'c', "CHECK ((email <> ''::text))", ['email']),
      ],
      indexes: [
        index('People_Email_idx', 'CREATE INDEX "People_Email_idx" ON public.people USING btree ("Email")', ['Email']),
        index('people_email_idx', 'CREATE INDEX people_email_idx ON public.people USING btree (email)', ['email']),
      ],
    });
  const sqlOf = (operations: unknown[]) =>
    planSql(planOps(operations, catalog([people()])))
      .flatMap((s) => s.sql)
      .join('\n');

  it('columns: "Email" means the column spelled Email, email the lower-case one', () => {
    expect(sqlOf([{ op: 'setNotNull', table: 'people', column: 'Email' }])).toContain('("Email" IS NOT NULL)');
    expect(sqlOf([{ op: 'setNotNull', table: 'people', column: 'email' }])).toContain('(email IS NOT NULL)');
    expect(sqlOf([{ op: 'dropColumn', table: 'people', column: 'Email' }])).toContain('DROP COLUMN "Email"');
    expect(sqlOf([{ op: 'addUnique', table: 'people', name: 'people_email_key', columns: ['Email'] }])).toContain(
      '("Email")',
    );
  });

  it('constraints and indexes: the one spelled exactly', () => {
    expect(sqlOf([{ op: 'dropConstraint', table: 'people', name: 'Email_check' }])).toContain(
      'DROP CONSTRAINT IF EXISTS "Email_check"',
    );
    expect(sqlOf([{ op: 'dropIndex', name: 'People_Email_idx' }])).toContain('"People_Email_idx"');
    expect(sqlOf([{ op: 'dropIndex', name: 'people_email_idx' }])).not.toContain('"People_Email_idx"');
  });

  it('a capitalised column name with only its lower-case reading present folds, as in SQL', () => {
    expect(sqlOf([{ op: 'setComment', table: 'people', column: 'ID', comment: 'key' }])).toContain(
      'COMMENT ON COLUMN public.people.id',
    );
  });

  it('a column, constraint or index name that matches only by folding: the plan says which object it chose', () => {
    const notesOf = (operations: unknown[]) => planOps(operations, catalog([people()])).notes.map((n) => n.text);
    expect(notesOf([{ op: 'setComment', table: 'people', column: 'ID', comment: 'key' }])).toContain(
      'operations[0].column "ID" means public.people.id: no column is named exactly "ID", so the name folds to lower case as in SQL',
    );
    expect(
      notesOf([{ op: 'addUnique', table: 'people', name: 'people_id_key', columns: ['Id'], up: { Id: 'id' } }]),
    ).toContain(
      'operations[0].columns[0] "Id" means public.people.id: no column is named exactly "Id", so the name folds to lower case as in SQL',
    );
    expect(notesOf([{ op: 'dropConstraint', table: 'people', name: 'EMAIL_CHECK' }])).toContain(
      'operations[0].name "EMAIL_CHECK" means email_check on public.people: no constraint is named exactly "EMAIL_CHECK", so the name folds to lower case as in SQL',
    );
    expect(notesOf([{ op: 'dropIndex', name: 'PEOPLE_EMAIL_IDX' }])).toContain(
      'operations[0].name "PEOPLE_EMAIL_IDX" means public.people_email_idx: no index is named exactly "PEOPLE_EMAIL_IDX", so the name folds to lower case as in SQL',
    );
    // Spelled exactly: no note.
    expect(notesOf([{ op: 'setComment', table: 'people', column: 'Email', comment: 'x' }]).join('\n')).not.toContain(
      'folds',
    );
  });

  it('enum types: the one spelled exactly', () => {
    const cat = catalog([people()]);
    cat.enums.set('public.Mood', { schema: 'public', name: 'Mood', labels: ['ok'] });
    cat.enums.set('public.mood', { schema: 'public', name: 'mood', labels: ['ok'] });
    cat.resolved.set('type:Mood', { schema: 'public', name: 'Mood' });
    cat.resolved.set('type:mood', { schema: 'public', name: 'mood' });
    const sql = planSql(planOps([{ op: 'addEnumValue', type: 'Mood', value: 'great' }], cat)).flatMap((s) => s.sql);
    expect(sql.join('\n')).toContain('"Mood"');
  });
});

describe('what exists during the window and what only after contract', () => {
  const orders = () =>
    table('orders', [col('id', 'bigint', { notNull: true }), col('amount', 'numeric'), col('note', 'text')], {
      constraints: [constraint('orders_amount_check', 'c', 'CHECK ((amount > (0)::numeric))', ['amount'])],
      indexes: [index('orders_note_idx', 'CREATE INDEX orders_note_idx ON public.orders USING btree (note)', ['note'])],
    });
  const issuesOf = (operations: unknown[]) =>
    planError(operations, catalog([orders()])).issues.map((i) => `${i.path}: ${i.message}`);

  it('a constraint dropped at contract cannot be re-created under its name in the same migration', () => {
    expect(
      issuesOf([
        { op: 'dropConstraint', table: 'orders', name: 'orders_amount_check' },
        { op: 'addCheck', table: 'orders', name: 'orders_amount_check', expression: 'amount >= 0' },
      ]),
    ).toEqual([
      'operations[1]: operations[1] (addCheck) creates constraint orders_amount_check on public.orders, which operations[0] (dropConstraint) drops only at contract: the old one still exists during the window (the old application keeps using it), so the new one cannot be created in expand. Give it another name, or create it in a later migration',
    ]);
  });

  it('the same for an index and a table', () => {
    expect(
      issuesOf([
        { op: 'dropIndex', name: 'orders_note_idx' },
        { op: 'createIndex', table: 'orders', name: 'orders_note_idx', columns: ['lower(note)'] },
      ])[0],
    ).toContain(
      'operations[1] (createIndex) creates index orders_note_idx, which operations[0] (dropIndex) drops only at contract',
    );
    expect(
      issuesOf([
        { op: 'dropTable', table: 'orders' },
        { op: 'createTable', table: 'orders', columns: [{ name: 'id', type: 'bigint', primaryKey: true }] },
      ])[0],
    ).toContain(
      'operations[1] (createTable) creates table public.orders, which operations[0] (dropTable) drops only at contract',
    );
  });

  it('a raw sql drop after expand keeps the name taken during the window', () => {
    const recreate = { op: 'createIndex', table: 'orders', name: 'orders_note_idx', columns: ['lower(note)'] };
    expect(
      issuesOf([
        { op: 'sql', phase: 'contract', sql: 'DROP INDEX orders_note_idx', allow: ['drop-index'] },
        recreate,
      ])[0],
    ).toContain(
      'operations[1] (createIndex) creates index orders_note_idx, which operations[0] (sql) drops only at contract',
    );
    expect(
      issuesOf([
        {
          op: 'sql',
          phase: 'switch',
          sql: 'DROP INDEX orders_note_idx',
          rollback: 'CREATE INDEX orders_note_idx ON orders (note)',
          allow: ['drop-index'],
        },
        recreate,
      ])[0],
    ).toContain('operations[0] (sql) drops only at switch');
  });

  it('a constraint renamed at contract keeps its old name taken during the window', () => {
    expect(
      issuesOf([
        { op: 'renameConstraint', table: 'orders', from: 'orders_amount_check', to: 'amount_positive' },
        { op: 'addCheck', table: 'orders', name: 'orders_amount_check', expression: 'amount >= 0' },
      ])[0],
    ).toContain(
      'operations[1] (addCheck) creates constraint orders_amount_check on public.orders, which operations[0] (renameConstraint) drops only at contract',
    );
  });

  it('a column dropped at contract cannot be added again in the same migration', () => {
    expect(
      issuesOf([
        { op: 'dropColumn', table: 'orders', column: 'note' },
        { op: 'addColumn', table: 'orders', column: { name: 'note', type: 'varchar(200)' } },
      ]),
    ).toEqual([
      'operations[1]: operations[0] (dropColumn) and operations[1] (addColumn) both change column public.orders.note: operations[0] (dropColumn) drops it, operations[1] (addColumn) adds it. One operation per migration may add, drop, rename or change the type of a column: combine them into one operation or move the second to a later migration',
    ]);
  });

  it('a new name after a drop plans', () => {
    const plan = planOps(
      [
        { op: 'dropConstraint', table: 'orders', name: 'orders_amount_check' },
        { op: 'addCheck', table: 'orders', name: 'orders_amount_nonnegative', expression: 'amount >= 0' },
      ],
      catalog([orders()]),
    );
    expect(plan.steps.length).toBeGreaterThan(0);
  });
});
