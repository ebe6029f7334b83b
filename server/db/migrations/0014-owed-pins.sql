-- IPFS pins owed: a file that fits one block is indexed with its CID (the SHA-256 of its bytes) and
-- imported and pinned after the answer. Its row here is written in the same transaction as the
-- file's and removed once the pin is made; rows left by a crash are pinned at the next start.
CREATE TABLE owed_pins (
  owner    TEXT NOT NULL,
  blob     TEXT NOT NULL,
  cid      TEXT NOT NULL,
  owed_at  INTEGER NOT NULL,
  PRIMARY KEY (owner, blob)
) STRICT, WITHOUT ROWID;
