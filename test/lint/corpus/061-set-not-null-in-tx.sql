-- expect: set-not-null
BEGIN;
ALTER TABLE public.users ALTER COLUMN email SET NOT NULL;
COMMIT;
