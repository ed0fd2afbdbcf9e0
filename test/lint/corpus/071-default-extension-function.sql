-- expect: add-column-rewriting-default
ALTER TABLE users ADD COLUMN u uuid DEFAULT uuid_generate_v4();
