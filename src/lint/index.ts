/**
 * zdm lint: a migration linter on the real Postgres parser. The programmatic API the rest of zdm
 * (the planner's `sql` operations and its own generated plans) and the CLI call.
 */
export { lintSql, META_RULES, type Finding, type LintOptions, type ResolvedRules } from './engine.js';
export {
  createLiveCatalog,
  staticCatalog,
  type LintCatalog,
  type CatalogTable,
  type CatalogColumn,
  type CatalogIndex,
  type CatalogCheck,
} from './catalog.js';
export { RULES, type RuleId } from './rules/index.js';
export { type LintRule, type Severity } from './rule.js';
export { lintPlan, type PlanFinding } from './plan-lint.js';
