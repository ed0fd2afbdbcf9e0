-- expect: add-column-rewriting-default
ALTER TABLE users ADD COLUMN r float8 DEFAULT random();
