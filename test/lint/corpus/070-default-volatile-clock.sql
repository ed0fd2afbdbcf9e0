-- expect: add-column-rewriting-default
ALTER TABLE users ADD COLUMN at timestamptz NOT NULL DEFAULT clock_timestamp();
