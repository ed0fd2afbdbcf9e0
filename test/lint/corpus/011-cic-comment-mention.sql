-- expect: none
-- CREATE INDEX i ON users (a);
SELECT 1;
