CREATE TABLE accounts (
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  legacy_code text NOT NULL,
  nickname text,
  CONSTRAINT accounts_code_not_blank CHECK (legacy_code <> '')
);
CREATE INDEX accounts_legacy_code ON accounts (legacy_code);
INSERT INTO accounts (name, legacy_code, nickname) SELECT 'account ' || g, 'L' || g, 'n' || g FROM generate_series(1, 5000) g;
ANALYZE accounts;
