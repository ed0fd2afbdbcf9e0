-- expect: none
COMMENT ON TABLE users IS 'DROP TABLE users; ALTER TABLE users DROP COLUMN x';
