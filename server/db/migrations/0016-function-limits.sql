-- Limits a deployer set lower than the node's for one function: JSON, e.g. {"wallMs":5000}; the
-- node's own limit applies to whatever is not set.
ALTER TABLE functions ADD COLUMN limits TEXT NOT NULL DEFAULT '{}';
