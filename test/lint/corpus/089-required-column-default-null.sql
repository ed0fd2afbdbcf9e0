-- expect: add-column-required
ALTER TABLE "Users" ADD COLUMN "Tier" text NOT NULL DEFAULT NULL;
