-- expect: drop-table
DROP TABLE users;
