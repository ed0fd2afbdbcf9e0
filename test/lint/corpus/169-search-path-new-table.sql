-- expect: none
SET search_path TO app;
CREATE TABLE t (a int);
CREATE INDEX i ON app.t (a);
