// Input of the backup routes.
import { t } from "elysia";

/** Where to back up: an absolute folder on the node's machine (a mounted USB disk, a NAS share), or a friend's node by its Node ID. */
export const BackupRunBody = t.Object({
  folder: t.Optional(t.String({ minLength: 2, maxLength: 1024, pattern: "^/[^\\u0000]*$" })),
  nodeId: t.Optional(t.String({ minLength: 40, maxLength: 60 })),
});

/** A friend's node may keep its backups here: a name the Owner recognises and how much it may store. */
export const BackupGuestBody = t.Object({
  label: t.String({ maxLength: 80 }),
  allowanceBytes: t.Integer({ minimum: 1024 * 1024, maximum: 2 ** 50 }),
});

/** A chunk or set name in a friend's request (its exact form is checked by the route, so the refusal is signed). */
export const ChunkParams = t.Object({ id: t.String({ maxLength: 200 }) });
export const SetParams = t.Object({ name: t.String({ maxLength: 200 }) });

/** A backup set by its name (its UTC time). */
export const BackupSetParams = t.Object({ name: t.String({ pattern: "^\\d{8}T\\d{6}(?:\\d{3})?Z$" }) });

/** A folder of the caller's, as it was in the set ("~/Documents" or "/<address>/Documents"). */
export const BackupBrowseQuery = t.Object({ path: t.String({ minLength: 1, maxLength: 4096 }) });

/** Files and folders of the caller's to bring back from a set. */
export const RestoreFilesBody = t.Object({ paths: t.Array(t.String({ minLength: 1, maxLength: 4096 }), { minItems: 1, maxItems: 100 }) });
