-- expect: none
SELECT 'a; DROP TABLE users; b';
SELECT 1;
