-- expect: add-column-auto-increment
ALTER TABLE events ADD COLUMN seq bigserial;
