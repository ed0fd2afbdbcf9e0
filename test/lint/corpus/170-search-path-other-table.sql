-- expect: create-index-non-concurrent
SET search_path TO app;
CREATE TABLE t (a int);
CREATE INDEX i ON public.t (a);
