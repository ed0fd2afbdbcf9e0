CREATE TABLE customers (id bigserial PRIMARY KEY, name text NOT NULL, email text);
INSERT INTO customers (name, email) SELECT 'Ada' || g || ' Lovelace' || g, 'c' || g || '@example.com' FROM generate_series(1, 1000) g;
