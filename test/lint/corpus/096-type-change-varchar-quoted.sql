-- expect: change-column-type
ALTER TABLE "Billing"."Users" ALTER COLUMN "Email" SET DATA TYPE varchar(50);
