-- expect: add-column-auto-increment
ALTER TABLE "Events" ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY;
