// GET/PUT /api/terminal/settings: whether Admins may open terminals too (the Owner decides).
import { Elysia } from "elysia";
import { ValidationError } from "../../errors.ts";
import type { TerminalService } from "./terminal.service.ts";

export function terminalRoutes(terminals: TerminalService) {
  return new Elysia({ name: "terminal.routes" })
    .get("/api/terminal/settings", () => ({ allowAdmins: terminals.allowsAdmins() }))
    .put("/api/terminal/settings", ({ body }) => {
      const allow = (body as { allowAdmins?: unknown } | null)?.allowAdmins;
      if (typeof allow !== "boolean") throw new ValidationError("allowAdmins must be true or false", { field: "allowAdmins" });
      terminals.setAllowAdmins(allow);
      return { allowAdmins: allow };
    });
}
