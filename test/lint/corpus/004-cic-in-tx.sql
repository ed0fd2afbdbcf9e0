-- expect: create-index-non-concurrent
BEGIN;
CREATE INDEX i ON public.users (a);
COMMIT;
