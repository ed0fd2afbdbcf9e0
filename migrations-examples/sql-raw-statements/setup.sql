CREATE TABLE members (id bigserial PRIMARY KEY, name text, email text, legacy_flag boolean);
INSERT INTO members (name, email) SELECT 'member ' || g, 'm' || g || '@example.com' FROM generate_series(1, 500) g;
