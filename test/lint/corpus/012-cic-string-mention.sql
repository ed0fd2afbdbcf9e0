-- expect: none
SELECT 'CREATE INDEX i ON users (a)';
