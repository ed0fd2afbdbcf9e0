/** Message fragments shared by rules: what a statement locks, and for how long. */
import { blocks, LOCK_NAMES, type LockModeValue } from './locks.js';
import { display, type QualifiedName } from './names.js';

export type Duration = 'rewrite' | 'scan' | 'build' | 'brief' | 'wait';

/**
 * "takes ACCESS EXCLUSIVE on public.users and rewrites it: blocks reads and writes for the whole rewrite"
 */
export function lockPhrase(mode: LockModeValue, table: QualifiedName | string | undefined, duration: Duration): string {
  const on = table === undefined ? '' : ` on ${typeof table === 'string' ? table : display(table)}`;
  const lock = `takes ${LOCK_NAMES[mode]}${on}`;
  switch (duration) {
    case 'rewrite':
      return `${lock} and rewrites it: ${blocks(mode)} for the whole rewrite`;
    case 'scan':
      return `${lock} and scans it: ${blocks(mode)} for the whole scan`;
    case 'build':
      return `${lock} while it builds the index: ${blocks(mode)} for the whole build`;
    case 'brief':
      return (
        `${lock}: ${blocks(mode)}; brief, but it queues behind any long transaction and every ` +
        `later query queues behind it`
      );
    case 'wait':
      return `${lock}: ${blocks(mode)} until the transaction ends`;
  }
}

export function name(q: QualifiedName | undefined): string {
  return q ? display(q) : 'the table';
}
