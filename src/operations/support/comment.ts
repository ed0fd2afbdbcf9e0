import { quoteLiteral } from '../../db/quote.js';

/** The value of `COMMENT ON ... IS`: a literal, or NULL (no comment). */
export function commentValue(comment: string | null | undefined): string {
  return comment === null || comment === undefined ? 'NULL' : quoteLiteral(comment);
}
