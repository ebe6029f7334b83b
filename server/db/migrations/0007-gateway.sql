-- Name gateway (super-node mode): who owns each public name. One name per node; only the node's key
-- can register, move or release it.
CREATE TABLE gateway_names (
  username       TEXT PRIMARY KEY,
  node_id        TEXT NOT NULL UNIQUE,
  registered_at  INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL
) STRICT;
