-- A function's log lines and request counts, kept across restarts: the last 1,000 lines of each
-- function (the node trims older ones as it writes), and its requests and errors since deployed.
CREATE TABLE function_logs (
  id          INTEGER PRIMARY KEY,
  function_id TEXT NOT NULL REFERENCES functions(id) ON DELETE CASCADE,
  at          INTEGER NOT NULL,
  level       TEXT NOT NULL,
  message     TEXT NOT NULL,
  deployment  TEXT NOT NULL
) STRICT;
CREATE INDEX function_logs_by_function ON function_logs (function_id, id);

CREATE TABLE function_counts (
  function_id TEXT PRIMARY KEY REFERENCES functions(id) ON DELETE CASCADE,
  requests    INTEGER NOT NULL,
  errors      INTEGER NOT NULL
) STRICT;
