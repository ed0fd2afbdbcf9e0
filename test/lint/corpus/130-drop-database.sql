-- expect: drop-database
DROP DATABASE prod;
