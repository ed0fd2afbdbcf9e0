-- expect: drop-cascade, drop-schema
DROP SCHEMA legacy CASCADE;
