import { catalog, col, constraint, index, table } from './catalog.js';

/**
 * One hand-built catalog for the operations' exact-SQL plan tests, as readCatalog() would
 * return it from Postgres 18 (named NOT NULL constraints).
 */
export const users = table(
  'users',
  [
    col('id', 'bigint', { notNull: true }),
    col('email', 'text'),
    col('name', 'text', { notNull: true, default: `'x'::text` }),
  ],
  {
    indexes: [index('users_email_idx', 'CREATE INDEX users_email_idx ON public.users USING btree (email)', ['email'])],
    constraints: [constraint('users_name_not_null', 'n', 'NOT NULL name', ['name'])],
  },
);
export const orders = table('orders', [
  col('id', 'bigint', { notNull: true }),
  col('user_id', 'bigint'),
  col('code', 'text', { notNull: true }),
  col('shipping_method', 'character varying(20)'),
  col('express', 'boolean', { notNull: true, default: 'false' }),
]);
/** No primary key, nullable id. */
export const events = table('events', [col('id', 'bigint'), col('name', 'text')], { primaryKey: null });

export const fixture = catalog([users, orders, events]);
