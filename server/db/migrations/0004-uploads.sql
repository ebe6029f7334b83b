-- Resumable uploads: bytes arrive in chunks at offsets into data/tmp/resumable-<id>, then commit.
CREATE TABLE uploads (
  id             TEXT PRIMARY KEY,
  owner          TEXT NOT NULL,
  path           TEXT NOT NULL,
  size           INTEGER NOT NULL CHECK (size >= 0),
  received       INTEGER NOT NULL DEFAULT 0,
  overwrite      INTEGER NOT NULL,
  dedupe         INTEGER NOT NULL,
  create_parents INTEGER NOT NULL,
  created_at     INTEGER NOT NULL,
  expires_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX uploads_owner ON uploads (owner);
CREATE INDEX uploads_expiry ON uploads (expires_at);
