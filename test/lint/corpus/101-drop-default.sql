-- expect: none
ALTER TABLE users ALTER COLUMN status DROP DEFAULT;
