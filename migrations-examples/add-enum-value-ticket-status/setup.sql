CREATE TYPE ticket_status AS ENUM ('open', 'closed');
CREATE TABLE support_tickets (id bigserial PRIMARY KEY, subject text, status ticket_status NOT NULL DEFAULT 'open');
INSERT INTO support_tickets (subject) SELECT 'ticket ' || g FROM generate_series(1, 200) g;
