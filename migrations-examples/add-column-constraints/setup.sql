CREATE TABLE buyers (id bigserial PRIMARY KEY, name text NOT NULL);
INSERT INTO buyers (name) SELECT 'buyer ' || g FROM generate_series(1, 1000) g;
CREATE TABLE purchases (id bigserial PRIMARY KEY, name text NOT NULL, user_id bigint, express boolean NOT NULL DEFAULT false);
INSERT INTO purchases (name, user_id, express) SELECT 'purchase ' || g, 1 + g % 100, g % 4 = 0 FROM generate_series(1, 5000) g;
ANALYZE buyers;
ANALYZE purchases;
