import { defineMigration, renameColumn } from 'zdm';

export default defineMigration({
  operations: [renameColumn({ table: 'users', from: 'user_email', to: 'email' })],
});
