import { describe, expect, it } from 'vitest';
import { catalog, col, constraint, index, planError, planOps, planSql, table } from '../helpers/catalog.js';

const accounts = table('accounts', [col('id', 'bigint', { notNull: true }), col('email', 'text')], {
  indexes: [
    index('accounts_email_key', 'CREATE UNIQUE INDEX accounts_email_key ON public.accounts USING btree (email)', [
      'email',
    ]),
  ],
  constraints: [constraint('accounts_email_key', 'u', 'UNIQUE (email)', ['email'], { index: 'accounts_email_key' })],
  referencedBy: [
    {
      name: 'invites_email_fkey',
      table: { schema: 'public', name: 'invites' },
      columns: ['email'],
      referencedColumns: ['email'],
      definition: 'FOREIGN KEY (email) REFERENCES accounts(email)',
      validated: true,
    },
  ],
});
const posts = table(
  'posts',
  [col('id', 'bigint', { notNull: true }), col('title', 'text', { notNull: true }), col('account_id', 'bigint')],
  {
    constraints: [
      constraint('title_length', 'c', 'CHECK ((length(title) > 3))', ['title']),
      constraint('posts_account_fk', 'f', 'FOREIGN KEY (account_id) REFERENCES accounts(id)', ['account_id'], {
        references: { table: { schema: 'public', name: 'accounts' }, columns: ['id'] },
      }),
      constraint('posts_title_not_null', 'n', 'NOT NULL title', ['title']),
    ],
  },
);
const cat = catalog([accounts, posts]);

describe('dropConstraint plans (exact SQL)', () => {
  it('a CHECK is dropped at contract, nothing before (the old version keeps its guarantee)', () => {
    const plan = planOps([{ op: 'dropConstraint', table: 'posts', name: 'title_length' }], cat);
    expect(planSql(plan)).toEqual([
      {
        id: 'drop_constraint:public.posts.title_length:contract:1',
        sql: ['ALTER TABLE public.posts DROP CONSTRAINT IF EXISTS title_length'],
      },
    ]);
    expect(plan.steps[0]!.impact).toMatchObject({ lockDuration: 'brief', scansTable: false, rewritesTable: false });
    expect(plan.notes.map((n) => n.text)).toEqual([
      "CHECK constraint title_length of public.posts holds until contract, for both application versions: the new version's writes must still satisfy it during the window",
    ]);
  });

  it('a foreign key locks the referenced table too, in order, the second lock quickly', () => {
    const plan = planOps([{ op: 'dropConstraint', table: 'posts', name: 'posts_account_fk' }], cat);
    expect(planSql(plan)[0]!.sql).toEqual([
      'LOCK TABLE public.posts IN ACCESS EXCLUSIVE MODE',
      "SET LOCAL lock_timeout = '100ms'",
      'LOCK TABLE public.accounts IN ACCESS EXCLUSIVE MODE',
      'ALTER TABLE public.posts DROP CONSTRAINT IF EXISTS posts_account_fk',
    ]);
    expect(plan.steps[0]!.impact.locks.map((l) => `${l.relation.name} ${l.mode}`)).toEqual([
      'posts ACCESS EXCLUSIVE',
      'accounts ACCESS EXCLUSIVE',
    ]);
  });

  it('refuses a missing name, a primary key, NOT NULL, and a unique key that foreign keys reference', () => {
    const error = planError(
      [
        { op: 'dropConstraint', table: 'posts', name: '"Title_Length"' },
        { op: 'dropConstraint', table: 'posts', name: 'posts_pkey' },
        { op: 'dropConstraint', table: 'posts', name: 'posts_title_not_null' },
        { op: 'dropConstraint', table: 'accounts', name: 'accounts_email_key' },
        { op: 'dropConstraint', table: 'posts', name: 'nope' },
      ],
      cat,
    );
    expect(error.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'operations[0].name: constraint "Title_Length" does not exist on table public.posts (there is title_length: names are case-sensitive when quoted)',
      'operations[1].name: posts_pkey is the primary key of public.posts: zdm\'s backfills and dual-write triggers need one; dropping it is not an operation (use a "sql" operation in contract if you must)',
      'operations[2].name: posts_title_not_null is the NOT NULL constraint of a column: use dropNotNull',
      'operations[3].name: accounts_email_key is the key foreign key(s) invites_email_fkey on public.invites reference; drop them first (dropping it would need CASCADE)',
      'operations[4].name: constraint nope does not exist on table public.posts (it has posts_pkey, title_length, posts_account_fk)',
    ]);
  });
});
