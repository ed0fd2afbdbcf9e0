-- expect: add-check-constraint-validating
ALTER TABLE "Billing"."Users" ADD CHECK ("Amount" > 0);
