-- The file index: one row per file or folder, per wallet. Bytes live in blobs named by `blob`.
CREATE TABLE fs_entries (
  uid        TEXT PRIMARY KEY,
  owner      TEXT NOT NULL,
  path       TEXT NOT NULL,
  parent_uid TEXT,
  name       TEXT NOT NULL,
  is_dir     INTEGER NOT NULL CHECK (is_dir IN (0, 1)),
  size       INTEGER,
  mime       TEXT,
  cid        TEXT,
  blob       TEXT,
  immutable  INTEGER NOT NULL DEFAULT 0,
  is_public  INTEGER NOT NULL DEFAULT 0,
  metadata   TEXT,
  created    INTEGER NOT NULL,
  modified   INTEGER NOT NULL,
  accessed   INTEGER NOT NULL,
  UNIQUE (owner, path)
) STRICT;
CREATE INDEX fs_entries_parent ON fs_entries (owner, parent_uid);
CREATE INDEX fs_entries_cid ON fs_entries (cid);

-- Storage quotas the Owner sets per user (no row: no quota).
CREATE TABLE quotas (
  owner      TEXT PRIMARY KEY,
  bytes      INTEGER NOT NULL CHECK (bytes >= 0),
  updated_at INTEGER NOT NULL
) STRICT;
