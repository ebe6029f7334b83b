// docs/access.md's tables, rendered from the role table itself (server/http/roles.ts): who may call
// every HTTP route, WebSocket method and topic, and which API-token scopes each accepts.
// `bun scripts/access-table.ts` rewrites the section; test/server/auth/access-docs.test.ts fails
// when the document and the table disagree.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SCOPES } from "../server/principal.ts";
import { type Access, HTTP_ACCESS, WS_ACCESS, WS_TOPIC_ACCESS } from "../server/http/roles.ts";

export const ACCESS_DOC = join(import.meta.dir, "..", "docs", "access.md");
const OPEN = "<!-- access-table -->";
const CLOSE = "<!-- /access-table -->";

function who(access: Access): string {
  if (access.role === null) return "anyone";
  return { member: "Member", admin: "Admin", owner: "Owner" }[access.role];
}

function tokens(access: Access): string {
  if (access.role === null) return "—";
  if (!access.scopes) return "browser session only";
  if (access.scopes.length === SCOPES.length && SCOPES.every((s) => access.scopes!.includes(s))) return "any scope";
  return access.scopes.map((s) => `\`${s}\``).join(" or ");
}

function table(heading: string, first: string, entries: Record<string, Access>): string {
  const rows = Object.entries(entries).map(([key, access]) => `| \`${key}\` | ${who(access)} | ${tokens(access)} |`);
  return [`### ${heading}`, "", `| ${first} | least role | API tokens |`, "|---|---|---|", ...rows].join("\n");
}

/** The generated section, markers included. */
export function renderAccessTable(): string {
  return [OPEN, table("HTTP routes", "route", HTTP_ACCESS), "", table("WebSocket methods (`/ws`)", "method", WS_ACCESS), "", table("WebSocket topics", "topic", WS_TOPIC_ACCESS), CLOSE].join("\n");
}

/** The section as docs/access.md has it now (null: no markers). */
export function documentedAccessTable(): string | null {
  const text = readFileSync(ACCESS_DOC, "utf8");
  const start = text.indexOf(OPEN);
  const end = text.indexOf(CLOSE);
  return start < 0 || end < start ? null : text.slice(start, end + CLOSE.length);
}

if (import.meta.main) {
  const text = readFileSync(ACCESS_DOC, "utf8");
  const current = documentedAccessTable();
  const next = current === null ? `${text.trimEnd()}\n\n${renderAccessTable()}\n` : text.replace(current, renderAccessTable());
  writeFileSync(ACCESS_DOC, next);
  console.log(`updated ${ACCESS_DOC}`);
}
