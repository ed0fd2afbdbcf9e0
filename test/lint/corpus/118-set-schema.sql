-- expect: rename-table
ALTER TABLE "Billing"."Users" SET SCHEMA archive;
