-- Bytes each wallet's files take, kept by the database as rows come and go (the triggers below), so
-- that a write's quota check reads one row instead of summing every file the wallet has (10 ms at
-- 100,000 files, twice per write). Folders count nothing; a file whose size is not known yet, 0.
CREATE TABLE fs_usage (
  owner TEXT PRIMARY KEY,
  bytes INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

INSERT INTO fs_usage (owner, bytes)
  SELECT owner, coalesce(sum(size), 0) FROM fs_entries WHERE is_dir = 0 GROUP BY owner;

CREATE TRIGGER fs_usage_added AFTER INSERT ON fs_entries WHEN NEW.is_dir = 0
BEGIN
  INSERT OR IGNORE INTO fs_usage (owner, bytes) VALUES (NEW.owner, 0);
  UPDATE fs_usage SET bytes = bytes + coalesce(NEW.size, 0) WHERE owner = NEW.owner;
END;

CREATE TRIGGER fs_usage_removed AFTER DELETE ON fs_entries WHEN OLD.is_dir = 0
BEGIN
  UPDATE fs_usage SET bytes = bytes - coalesce(OLD.size, 0) WHERE owner = OLD.owner;
END;

CREATE TRIGGER fs_usage_changed AFTER UPDATE OF owner, is_dir, size ON fs_entries
BEGIN
  UPDATE fs_usage SET bytes = bytes - coalesce(OLD.size, 0) WHERE owner = OLD.owner AND OLD.is_dir = 0;
  INSERT OR IGNORE INTO fs_usage (owner, bytes) SELECT NEW.owner, 0 WHERE NEW.is_dir = 0;
  UPDATE fs_usage SET bytes = bytes + coalesce(NEW.size, 0) WHERE owner = NEW.owner AND NEW.is_dir = 0;
END;
