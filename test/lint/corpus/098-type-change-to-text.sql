-- expect: change-column-type
ALTER TABLE users ALTER COLUMN email TYPE text;
