-- Node-wide key/value settings that a user changes at run time (config files hold boot-time settings).
CREATE TABLE settings (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

-- Claiming the node: the hash of the current one-time setup code, until the first Owner uses it.
CREATE TABLE node_setup (
  id              INTEGER PRIMARY KEY CHECK (id = 1),
  code_hash       TEXT,
  code_created_at INTEGER,
  claimed_by      TEXT,
  claimed_at      INTEGER
) STRICT;
INSERT INTO node_setup (id) VALUES (1);
