-- Nodes whose backups this node keeps (a friend's node): the Owner grants each one a storage
-- allowance. Their sealed chunks live in <data>/backup-hosted/; this node cannot read them.
CREATE TABLE backup_guests (
  node_id          TEXT PRIMARY KEY,
  label            TEXT NOT NULL,
  allowance_bytes  INTEGER NOT NULL CHECK (allowance_bytes > 0),
  granted_by       TEXT NOT NULL,
  granted_at       INTEGER NOT NULL,
  last_seen_at     INTEGER
) STRICT;
