-- expect: drop-index-non-concurrent
DROP INDEX IF EXISTS "Billing"."Idx";
