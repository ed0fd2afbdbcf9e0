-- expect: none
ALTER TABLE users ADD COLUMN d date DEFAULT '2020-01-01'::date;
