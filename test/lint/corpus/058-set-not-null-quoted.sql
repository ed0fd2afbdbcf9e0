-- expect: set-not-null
ALTER TABLE "Billing"."Users" ALTER "Email" SET NOT NULL;
