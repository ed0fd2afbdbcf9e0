-- expect: drop-schema
DROP SCHEMA legacy;
