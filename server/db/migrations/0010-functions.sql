-- Edge functions: each belongs to the wallet that deployed it; every deployment is immutable and
-- named by its content hash; secrets are sealed with the node's key (never shown back).
CREATE TABLE functions (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL REFERENCES users(address) ON DELETE CASCADE,
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 63 AND name NOT GLOB '*[^a-z0-9-]*' AND name NOT GLOB '-*'),
  visibility TEXT NOT NULL DEFAULT 'private' CHECK (visibility IN ('private', 'public')),
  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  current_deployment TEXT,
  allowed_hosts TEXT NOT NULL DEFAULT '[]',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (owner, name)
) STRICT;

CREATE TABLE function_deployments (
  function_id TEXT NOT NULL REFERENCES functions(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  entry TEXT NOT NULL,
  size INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (function_id, id)
) STRICT;

CREATE TABLE function_secrets (
  function_id TEXT NOT NULL REFERENCES functions(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  sealed TEXT NOT NULL,
  PRIMARY KEY (function_id, name)
) STRICT;
