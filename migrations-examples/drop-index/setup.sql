CREATE SCHEMA content;
CREATE TABLE content.articles (id bigserial PRIMARY KEY, name text NOT NULL, title text);
CREATE INDEX articles_title_idx ON content.articles (title);
INSERT INTO content.articles (name, title) SELECT 'article ' || g, 'title ' || g FROM generate_series(1, 5000) g;
ANALYZE content.articles;
