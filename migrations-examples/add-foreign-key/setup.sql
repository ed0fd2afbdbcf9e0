CREATE TABLE customers (id bigserial PRIMARY KEY, name text NOT NULL);
INSERT INTO customers (name) SELECT 'customer ' || g FROM generate_series(1, 200) g;
CREATE TABLE invoices (id bigserial PRIMARY KEY, name text NOT NULL, customer_id bigint);
CREATE INDEX invoices_customer_id ON invoices (customer_id);
INSERT INTO invoices (name, customer_id) SELECT 'invoice ' || g, 1 + g % 200 FROM generate_series(1, 5000) g;
ANALYZE customers;
ANALYZE invoices;
