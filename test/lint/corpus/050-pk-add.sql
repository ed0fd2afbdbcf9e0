-- expect: add-primary-key
ALTER TABLE items ADD PRIMARY KEY (id);
