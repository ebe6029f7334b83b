// GET/PUT /api/terminal/settings: whether Admins may open terminals too (the Owner decides).
import { Elysia } from "elysia";
import { TerminalSettingsBody } from "./terminal.schemas.ts";
import type { TerminalService } from "./terminal.service.ts";

export function terminalRoutes(terminals: TerminalService) {
  return new Elysia({ name: "terminal.routes" })
    .get("/api/terminal/settings", () => ({ allowAdmins: terminals.allowsAdmins() }))
    .put(
      "/api/terminal/settings",
      ({ body }) => {
        terminals.setAllowAdmins(body.allowAdmins);
        return { allowAdmins: body.allowAdmins };
      },
      { body: TerminalSettingsBody },
    );
}
