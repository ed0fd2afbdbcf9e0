-- expect: set-not-null
ALTER TABLE users ADD COLUMN a int, ADD COLUMN b text DEFAULT 'x', ALTER COLUMN c SET NOT NULL;
