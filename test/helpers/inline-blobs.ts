// The database table small files' bytes live in (server/services/files/inline-blobs.ts), for tests
// that build a blob store without a node: a real database file in `dir`, migrated.
import { join } from "node:path";
import { openDatabase } from "../../server/db/database.ts";
import { migrate } from "../../server/db/migrate.ts";
import { InlineBlobs } from "../../server/services/files/inline-blobs.ts";

export function inlineBlobsIn(dir: string): InlineBlobs {
  const db = openDatabase(join(dir, "pc2.db"));
  migrate(db);
  return new InlineBlobs(db);
}
