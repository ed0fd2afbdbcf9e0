CREATE TABLE members (id bigserial PRIMARY KEY, name text NOT NULL, email text NOT NULL, region text NOT NULL DEFAULT 'eu');
INSERT INTO members (name, email) SELECT 'member ' || g, 'member' || g || '@example.com' FROM generate_series(1, 5000) g;
ANALYZE members;
