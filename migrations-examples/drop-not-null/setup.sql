CREATE TABLE contacts (id bigserial PRIMARY KEY, name text NOT NULL, phone text NOT NULL);
INSERT INTO contacts (name, phone) SELECT 'contact ' || g, '555-' || g FROM generate_series(1, 5000) g;
ANALYZE contacts;
