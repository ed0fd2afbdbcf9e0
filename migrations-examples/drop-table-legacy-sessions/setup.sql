CREATE TABLE legacy_sessions (id bigserial PRIMARY KEY, token text NOT NULL, created_at timestamptz DEFAULT now());
INSERT INTO legacy_sessions (token) SELECT md5(g::text) FROM generate_series(1, 500) g;
