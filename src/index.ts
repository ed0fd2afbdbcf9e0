/**
 * zdm's public API: helpers for migration files written in TypeScript/JavaScript (defineMigration
 * and one helper per operation, each returning exactly the JSON/YAML object), and the types of
 * their shapes. The CLI (`zdm`) is the main interface; see the README.
 */
export * from './migration/define.js';
export type { MigrationSpec } from './migration/schema.js';
export type { OperationKind, OperationSpec } from './operations/registry.js';
export type { Plan, Step, Phase } from './plan/types.js';
