-- expect: none
SELECT $body$ ALTER TABLE users ADD COLUMN c int DEFAULT random() $body$;
