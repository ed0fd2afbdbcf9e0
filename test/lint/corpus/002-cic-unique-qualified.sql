-- expect: create-index-non-concurrent
CREATE UNIQUE INDEX "Users_Email" ON "Billing"."Users" (lower(email));
