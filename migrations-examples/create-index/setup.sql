CREATE TABLE people (
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  email text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);
INSERT INTO people (name, email) SELECT 'person ' || g, 'Person' || g || '@example.com' FROM generate_series(1, 5000) g;
ANALYZE people;
