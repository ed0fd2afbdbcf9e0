CREATE TABLE orders (id bigserial PRIMARY KEY, sku text NOT NULL UNIQUE, qty int NOT NULL DEFAULT 1);
INSERT INTO orders (sku) SELECT 'sku-' || g FROM generate_series(1, 500) g;
