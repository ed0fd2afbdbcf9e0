-- expect: uncommitted-transaction
BEGIN;
ALTER TABLE users ADD COLUMN a int;
