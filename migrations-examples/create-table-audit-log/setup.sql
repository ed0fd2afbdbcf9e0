CREATE TABLE accounts (id bigserial PRIMARY KEY, name text NOT NULL);
INSERT INTO accounts (name) SELECT 'account ' || g FROM generate_series(1, 100) g;
