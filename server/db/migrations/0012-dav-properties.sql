-- WebDAV dead properties (PROPPATCH): any property a client sets on a file or folder, kept as the
-- XML it sent, by the entry's uid (so it follows a move or rename) and scoped by the owning wallet.
-- An entry removed for good takes its properties with it.
CREATE TABLE dav_properties (
  owner TEXT NOT NULL,
  uid TEXT NOT NULL,
  ns TEXT NOT NULL,
  name TEXT NOT NULL,
  xml TEXT NOT NULL,
  PRIMARY KEY (owner, uid, ns, name)
);

CREATE TRIGGER dav_properties_entry_gone AFTER DELETE ON fs_entries
BEGIN
  DELETE FROM dav_properties WHERE owner = OLD.owner AND uid = OLD.uid;
END;
