-- expect: drop-table
DROP TABLE IF EXISTS "Billing"."Users";
