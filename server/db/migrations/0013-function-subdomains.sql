-- A function's own host name, <subdomain>.<PC2_FUNCTIONS_DOMAIN>: one DNS label, unique on the node
-- (first come, first served among deployers); null: the function answers at /fn/<owner>/<name>/ only.
ALTER TABLE functions ADD COLUMN subdomain TEXT CHECK (
  subdomain IS NULL OR (length(subdomain) BETWEEN 1 AND 63 AND subdomain NOT GLOB '*[^a-z0-9-]*' AND subdomain NOT GLOB '-*' AND subdomain NOT GLOB '*-')
);
CREATE UNIQUE INDEX functions_by_subdomain ON functions (subdomain) WHERE subdomain IS NOT NULL;
