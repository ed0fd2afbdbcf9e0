-- A subscriptions table the running application reads and writes.
CREATE TABLE subscriptions (
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  plan text NOT NULL DEFAULT 'basic',
  renews_at timestamptz NOT NULL DEFAULT now() + interval '30 days'
);
INSERT INTO subscriptions (name, plan)
SELECT 'customer ' || g, CASE WHEN g % 3 = 0 THEN 'pro' ELSE 'basic' END FROM generate_series(1, 2000) g;
ANALYZE subscriptions;
