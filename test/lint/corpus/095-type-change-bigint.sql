-- expect: change-column-type
ALTER TABLE users ALTER COLUMN id TYPE bigint;
