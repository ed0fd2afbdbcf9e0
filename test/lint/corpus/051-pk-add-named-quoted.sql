-- expect: add-primary-key
ALTER TABLE "Items" ADD CONSTRAINT "Items_pkey" PRIMARY KEY ("Id");
