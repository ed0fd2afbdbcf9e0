CREATE TABLE signups (id bigserial PRIMARY KEY, name text NOT NULL, source text NOT NULL DEFAULT 'web');
INSERT INTO signups (name) SELECT 'signup ' || g FROM generate_series(1, 5000) g;
ANALYZE signups;
