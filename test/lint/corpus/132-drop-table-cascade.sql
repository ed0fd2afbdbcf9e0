-- expect: drop-cascade, drop-table
DROP TABLE users CASCADE;
