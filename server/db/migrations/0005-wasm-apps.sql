-- WASM apps installed by a wallet: the manifest here, the module in data/wasm-apps/<owner>/<hash>.wasm.
CREATE TABLE wasm_apps (
  owner        TEXT NOT NULL,
  name         TEXT NOT NULL,
  description  TEXT NOT NULL,
  icon         TEXT,
  args         TEXT NOT NULL, -- JSON: the argument schema
  module_hash  TEXT NOT NULL, -- sha256 hex of the .wasm
  module_size  INTEGER NOT NULL CHECK (module_size > 0),
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  PRIMARY KEY (owner, name)
) STRICT;
