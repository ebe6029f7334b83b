-- A name the Owner gives each user (shown beside the wallet address); none until set.
ALTER TABLE users ADD COLUMN name TEXT CHECK (name IS NULL OR (length(name) BETWEEN 1 AND 64));
