// Input schemas of the network API.
import { t } from "elysia";

export const NodeIdParams = t.Object({ nodeId: t.String({ minLength: 1, maxLength: 80 }) });
export const NetworkSettingsBody = t.Object({ enabled: t.Boolean() });
export const NameBody = t.Object({ name: t.String({ minLength: 1, maxLength: 64 }) });
export const NameQuery = t.Object({ name: t.String({ minLength: 1, maxLength: 64 }) });
