-- expect: none
ALTER TABLE users ADD COLUMN meta jsonb NOT NULL DEFAULT '{}'::jsonb;
