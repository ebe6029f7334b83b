// Input of the backup routes.
import { t } from "elysia";

/** An absolute folder on the node's machine (a mounted USB disk, a NAS share). */
export const BackupRunBody = t.Object({ folder: t.String({ minLength: 2, maxLength: 1024, pattern: "^/[^\\u0000]*$" }) });
