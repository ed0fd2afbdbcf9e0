-- expect: none
DO $$ BEGIN EXECUTE 'ALTER TABLE users DROP COLUMN a'; END $$;
