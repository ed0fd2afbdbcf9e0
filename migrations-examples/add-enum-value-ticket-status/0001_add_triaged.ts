import { addEnumValue, defineMigration, sql } from 'zdm';

// The value is committed in its own step, so the next operation can use it in the same phase.
export default defineMigration({
  description: "ticket_status gains 'triaged' (between open and closed), which becomes the default",
  operations: [
    addEnumValue({ type: 'ticket_status', value: 'triaged', before: 'closed' }),
    sql({
      phase: 'expand',
      sql: "ALTER TABLE support_tickets ALTER COLUMN status SET DEFAULT 'triaged'",
      rollback: "ALTER TABLE support_tickets ALTER COLUMN status SET DEFAULT 'open'",
    }),
  ],
});
