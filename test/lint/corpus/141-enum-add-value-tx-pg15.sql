-- expect: none
BEGIN;
ALTER TYPE status ADD VALUE 'archived' AFTER 'active';
COMMIT;
