-- expect: add-column-rewriting-default
ALTER TABLE users ADD COLUMN n bigint DEFAULT nextval('users_n_seq');
