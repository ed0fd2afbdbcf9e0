import { z } from 'zod';
import { displayName, quoteIdent } from '../db/quote.js';
import { columnName, objectName } from '../migration/names.js';
import { commentValue } from './support/comment.js';
import { qualified, spelledColumn } from './support/common.js';
import { commentOnColumn, commentOnTable } from './support/ddl.js';
import type { OperationDefinition } from './types.js';

export const setCommentSchema = z
  .object({
    op: z.literal('setComment'),
    table: objectName,
    /** The column whose comment changes; without it, the table's. */
    column: columnName.optional(),
    /** The new comment; null removes it. */
    comment: z.string().nullable(),
  })
  .strict();

export type SetComment = z.infer<typeof setCommentSchema>;

/**
 * setComment: `COMMENT ON TABLE|COLUMN` at expand (SHARE UPDATE EXCLUSIVE on the table for a moment:
 * reads and writes continue); a comment changes nothing either application version does.
 * Rollback puts the previous comment back (or none).
 */
export const setComment: OperationDefinition<SetComment> = {
  schema: setCommentSchema,
  refs: (spec) => ({ tables: [spec.table] }),
  summary: (spec) =>
    `${spec.comment === null ? 'remove the comment on' : 'set the comment on'} ${spec.column !== undefined ? `column ${spec.table}.${spec.column}` : `table ${spec.table}`}`,
  apply(spec, change) {
    const table = change.table(spec.table);
    if (spec.column === undefined) change.alterTable(table, { comment: spec.comment });
    else change.alterColumn(table, spelledColumn(table, spec.column), { comment: spec.comment });
  },
  plan(spec, ctx) {
    const table = ctx.table(spec.table, 'table');
    const t = qualified(table);
    const column =
      spec.column !== undefined ? ctx.column(table, spelledColumn(table, spec.column), 'column') : undefined;
    const comment = (value: string | null | undefined) =>
      column ? commentOnColumn(t, column.name, commentValue(value)) : commentOnTable(t, commentValue(value));
    const previous = column ? column.comment : table.comment;
    const shown = column ? `${displayName(t)}.${quoteIdent(column.name)}` : displayName(t);
    ctx.steps('set_comment', `${table.schema}.${table.name}${column ? `.${column.name}` : ''}`).sql('expand', {
      description: `${spec.comment === null ? 'remove the comment on' : 'comment on'} ${column ? 'column' : 'table'} ${shown}`,
      statements: [comment(spec.comment)],
      transactional: true,
      impact: ctx.briefLock(t, 'SHARE UPDATE EXCLUSIVE'),
      // COMMENT ON takes SHARE UPDATE EXCLUSIVE, restoring the old one too (not a drop).
      undo: {
        statements: [comment(previous)],
        transactional: true,
        impact: ctx.briefLock(t, 'SHARE UPDATE EXCLUSIVE'),
      },
    });
  },
};
