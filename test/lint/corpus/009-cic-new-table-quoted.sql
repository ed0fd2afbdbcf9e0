-- expect: none
CREATE TABLE "Mixed"."T" (id bigint);
CREATE INDEX i ON "Mixed"."T" (id);
