-- expect: none
BEGIN;
ALTER TABLE users RENAME TO customers;
CREATE VIEW users AS SELECT * FROM customers;
COMMIT;
