-- Small files' bytes, kept in the database instead of a file each (blob-store.ts). A write of one
-- is then a single commit: its bytes and its index row in one transaction, made durable by one
-- flush of the WAL, where a file of its own costs three flushes (the file, its folder, the WAL).
-- `blob` is the name fs_entries.blob gives it (an inline name: "i" and 31 hex digits).
CREATE TABLE inline_blobs (
  blob   TEXT PRIMARY KEY,
  owner  TEXT NOT NULL,
  bytes  BLOB NOT NULL
) STRICT;
