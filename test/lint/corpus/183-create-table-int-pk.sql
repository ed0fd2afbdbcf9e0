-- expect: none
CREATE TABLE t (id serial PRIMARY KEY, name varchar(100), at timestamp, code char(2));
