-- expect: change-column-type
ALTER TABLE users ALTER COLUMN data TYPE jsonb USING data::jsonb;
