-- A table created without a primary key; id is filled by a sequence but nullable.
CREATE SEQUENCE audit_events_seq;
CREATE TABLE audit_events (id bigint DEFAULT nextval('audit_events_seq'), name text, note text);
INSERT INTO audit_events (name, note) SELECT 'event ' || g, 'note ' || g FROM generate_series(1, 5000) g;
ANALYZE audit_events;
