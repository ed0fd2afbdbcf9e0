import type { OperationKind, OperationOf, OperationSpec } from '../operations/registry.js';
import type { MigrationSpec } from './schema.js';

/**
 * For migration files written in TypeScript or JavaScript:
 *
 * export default defineMigration({ operations: [renameColumn({ table: 'users', from: 'user_email', to:
 * 'email_address' })] });
 *
 * It returns its argument unchanged; the loader validates it exactly like a JSON file.
 */
export function defineMigration(migration: { description?: string; operations: OperationSpec[] }): MigrationSpec {
  return migration;
}

type Args<K extends OperationKind> = Omit<OperationOf<K>, 'op'>;

/** A helper per operation kind, returning exactly the object the JSON/YAML form has. */
function helper<K extends OperationKind>(op: K): (args: Args<K>) => OperationOf<K> {
  return (args) => ({ op, ...args }) as OperationOf<K>;
}

export const renameColumn = helper('renameColumn');
export const addColumn = helper('addColumn');
export const dropColumn = helper('dropColumn');
export const setNotNull = helper('setNotNull');
export const dropNotNull = helper('dropNotNull');
export const setDefault = helper('setDefault');
export const dropDefault = helper('dropDefault');
export const addCheck = helper('addCheck');
export const addForeignKey = helper('addForeignKey');
export const addUnique = helper('addUnique');
export const addPrimaryKey = helper('addPrimaryKey');
export const createIndex = helper('createIndex');
export const dropIndex = helper('dropIndex');
export const changeColumnType = helper('changeColumnType');
export const transformColumn = helper('transformColumn');
export const createTable = helper('createTable');
export const dropTable = helper('dropTable');
export const renameTable = helper('renameTable');
export const addEnumValue = helper('addEnumValue');
export const sql = helper('sql');
export const dropConstraint = helper('dropConstraint');
export const renameConstraint = helper('renameConstraint');
export const setComment = helper('setComment');
export const setReplicaIdentity = helper('setReplicaIdentity');
