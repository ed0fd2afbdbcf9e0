-- expect: transaction-nesting
ALTER TABLE users ADD COLUMN a int;
COMMIT;
