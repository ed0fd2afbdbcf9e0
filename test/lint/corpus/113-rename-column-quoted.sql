-- expect: rename-column
ALTER TABLE "Billing"."Users" RENAME "Email" TO "EmailAddress";
