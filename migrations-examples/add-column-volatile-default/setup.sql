CREATE TABLE devices (id bigserial PRIMARY KEY, name text NOT NULL, label text);
INSERT INTO devices (name, label) SELECT 'device ' || g, 'label ' || g FROM generate_series(1, 5000) g;
ANALYZE devices;
