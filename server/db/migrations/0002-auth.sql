-- Wallet sign-in: users and roles, single-use SIWE nonces, sessions, API tokens, the audit log.

CREATE TABLE users (
  address    TEXT PRIMARY KEY CHECK (address GLOB '0x[0-9a-f]*' AND length(address) = 42),
  role       TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  invited_by TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
-- Exactly one Owner at most: a second row with role 'owner' violates this index.
CREATE UNIQUE INDEX users_one_owner ON users (role) WHERE role = 'owner';

CREATE TABLE auth_nonces (
  nonce      TEXT PRIMARY KEY,
  address    TEXT NOT NULL,
  message    TEXT NOT NULL,
  domain     TEXT NOT NULL,
  issued_at  INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at    INTEGER
) STRICT;
CREATE INDEX auth_nonces_expiry ON auth_nonces (expires_at);

CREATE TABLE sessions (
  id           TEXT PRIMARY KEY,
  token_hash   TEXT NOT NULL UNIQUE,
  address      TEXT NOT NULL REFERENCES users (address) ON DELETE CASCADE,
  created_at   INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,
  user_agent   TEXT,
  ip           TEXT,
  revoked_at   INTEGER
) STRICT;
CREATE INDEX sessions_address ON sessions (address);

CREATE TABLE api_tokens (
  id           TEXT PRIMARY KEY,
  token_hash   TEXT NOT NULL UNIQUE,
  address      TEXT NOT NULL REFERENCES users (address) ON DELETE CASCADE,
  name         TEXT NOT NULL,
  scopes       TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER,
  last_used_at INTEGER,
  revoked_at   INTEGER
) STRICT;
CREATE INDEX api_tokens_address ON api_tokens (address);

CREATE TABLE audit_log (
  id     INTEGER PRIMARY KEY,
  at     INTEGER NOT NULL,
  actor  TEXT,
  action TEXT NOT NULL,
  target TEXT,
  ip     TEXT,
  detail TEXT
) STRICT;
CREATE INDEX audit_log_at ON audit_log (at);

-- Where the live setup code came from: 'start' (rotates each start), 'preset' (PC2_SETUP_CODE) or
-- 'reset' (`pc2 owner reset`; kept across restarts until used).
ALTER TABLE node_setup ADD COLUMN code_source TEXT;
