-- expect: add-unique-constraint
ALTER TABLE users ADD COLUMN code text UNIQUE;
