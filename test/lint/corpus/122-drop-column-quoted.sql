-- expect: drop-column
ALTER TABLE "Billing"."Users" DROP COLUMN IF EXISTS "Legacy";
