-- expect: none
CREATE EXTENSION IF NOT EXISTS "uuid-ossp";
