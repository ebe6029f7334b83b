// Input schemas of the terminal: its WebSocket methods and the Owner's setting.
import { t } from "elysia";
import type { Static } from "../../http/schema.ts";

const Cols = t.Integer({ minimum: 2, maximum: 500 });
const Rows = t.Integer({ minimum: 2, maximum: 300 });
const TerminalId = t.String({ minLength: 1, maxLength: 64 });

export const OpenTerminal = t.Object({ cols: t.Optional(Cols), rows: t.Optional(Rows) });
export type OpenTerminal = Static<typeof OpenTerminal>;
export const TerminalRef = t.Object({ id: TerminalId });
export const TerminalInput = t.Object({ id: TerminalId, data: t.String({ maxLength: 64 * 1024 }) });
export const ResizeTerminal = t.Object({ id: TerminalId, cols: Cols, rows: Rows });
export const TerminalSettingsBody = t.Object({ allowAdmins: t.Boolean() });
