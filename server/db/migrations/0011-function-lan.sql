-- Whether a function's outbound requests may reach the node's LAN and loopback (the Owner's choice,
-- for the Owner's own functions); refused by default.
ALTER TABLE functions ADD COLUMN allow_lan INTEGER NOT NULL DEFAULT 0 CHECK (allow_lan IN (0, 1));
