CREATE TABLE payments (id bigserial PRIMARY KEY, name text NOT NULL, amount numeric(12, 2) NOT NULL);
INSERT INTO payments (name, amount) SELECT 'payment ' || g, 1 + g % 50 FROM generate_series(1, 5000) g;
ANALYZE payments;
