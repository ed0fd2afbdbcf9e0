-- expect: none
ALTER TYPE status ADD VALUE 'archived' AFTER 'active';
