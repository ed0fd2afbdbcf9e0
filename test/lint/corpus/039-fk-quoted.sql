-- expect: add-foreign-key-validating
ALTER TABLE "Shop"."Orders" ADD FOREIGN KEY ("UserId") REFERENCES "Shop"."Users";
