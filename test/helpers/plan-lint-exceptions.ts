/**
 * Findings zdm's own plans are allowed to have, each with the reason it is safe in the phase where
 * zdm runs the statement. Every other finding on a generated plan fails the tests
 * (test/lint/plans.test.ts on hand-built catalogs, test/examples on every example's real database).
 */
export const JUSTIFIED: { rule: string; step: RegExp; why: string }[] = [
  {
    rule: 'drop-column',
    step: /:contract:/,
    why: 'the contract phase runs only after the switch, when no running app version uses the old column',
  },
  {
    rule: 'drop-table',
    step: /^drop_table:.*:contract:/,
    why: 'dropTable drops only at contract, when no running app version uses the table',
  },
  {
    rule: 'rename-column',
    step: /^change_column_type:.*:switch:/,
    why: 'the swap renames the old column to a hidden name and its trigger-synced copy (same values, new type) to the real name in one transaction: every running version keeps finding the name it uses',
  },
  {
    rule: 'drop-not-null',
    step: /^drop_not_null:.*:expand:/,
    why: 'dropNotNull is the change the user asked for; zdm runs it at expand, before any version writes NULL, and rollback restores NOT NULL through a validated CHECK',
  },
];

export function unjustified<F extends { rule: string; stepId: string }>(findings: F[]): F[] {
  return findings.filter((f) => !JUSTIFIED.some((j) => j.rule === f.rule && j.step.test(f.stepId)));
}
