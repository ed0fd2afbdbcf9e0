-- Orders written by the running application, which does not know shipping_method yet.
CREATE TABLE orders (
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  customer text,
  total numeric(12, 2) NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO orders (name, customer, total)
SELECT 'order ' || g, 'customer ' || (g % 97), (g % 500) + 0.99 FROM generate_series(1, 3000) g;
ANALYZE orders;
